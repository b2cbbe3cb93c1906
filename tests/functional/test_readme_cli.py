"""README.md's ``openstack`` CLI commands, run as written against etc/api.conf.

The commands come from the README itself: every ``export OS_...`` line and
every ``openstack ...`` command (with its ``\\`` continuations) of its
```sh blocks, in order. They run with the real ``openstack`` executable of
this venv, with no other ``OS_*`` variable set, against ``twistd -n minova``
serving a copy of etc/api.conf whose ports are 0 and whose state is in the
test's directory; the README's address (127.0.0.1:8774) becomes the one the
kernel picked. Each must exit 0 and print what ``EXPECTED`` says it shows,
and ``EXPECTED`` names exactly the README's commands, so a command added to
or dropped from the README fails here until this file says what it shows.
"""

import configparser
import os
import re
import shlex
import subprocess

from tests.functional.process import PASTE, ROOT
from tests.functional.compute import OPENSTACK_CLI, cli_env

README = os.path.join(ROOT, "README.md")
API_CONF = os.path.join(ROOT, "etc", "api.conf")
README_ADDRESS = "127.0.0.1:8774"
SH_BLOCK = re.compile(r"^```sh\n(.*?)^```$", re.M | re.S)

#: What each README command (by its first two words) must print.
EXPECTED = {
    "flavor list": ["m1.tiny", "m1.xlarge"],
    "image list": ["70a599e0-31e7-49b7-b260-868f441e862b", "cirros"],
    "keypair create": ["fingerprint"],
    "keypair list": ["demo-key"],
    "keypair show": ["demo-key", "fingerprint"],
    "server create": ["ACTIVE", "cirros", "demo-key", "m1.tiny"],
    "server list": ["cli-vm", "ACTIVE", "cirros", "m1.tiny"],
    "server show": ["cli-vm", "ACTIVE"],
    "server delete": [],
}


def readme_lines():
    """The README's shell lines, continuations joined, in order."""
    with open(README) as f:
        blocks = SH_BLOCK.findall(f.read())
    return [line.strip() for block in blocks
            for line in block.replace("\\\n", " ").splitlines()]


def readme_cli():
    """``(exports, commands)``: the README's ``export OS_...`` assignments
    and its ``openstack`` commands, each an argv."""
    exports = {}
    commands = []
    for line in readme_lines():
        if line.startswith("export OS_"):
            exports.update(word.split("=", 1)
                           for word in shlex.split(line)[1:])
        elif line.startswith("openstack "):
            commands.append(shlex.split(line))
    return exports, commands


def shipped_config(tmp_path):
    """etc/api.conf as sections, with ports 0 and state under tmp_path."""
    parser = configparser.ConfigParser(default_section="no default section",
                                       interpolation=None)
    parser.read(API_CONF)
    sections = {name: dict(parser[name]) for name in parser.sections()}
    for option in sections["DEFAULT"]:
        if option.endswith("_listen_port"):
            sections["DEFAULT"][option] = 0
    sections["DEFAULT"]["state_path"] = str(tmp_path / "state")
    sections["wsgi"]["api_paste_config"] = PASTE
    return sections


def test_readme_shows_exactly_the_checked_commands():
    exports, commands = readme_cli()
    assert exports["OS_AUTH_URL"].startswith("http://%s/" % README_ADDRESS)
    assert sorted({" ".join(argv[1:3]) for argv in commands}) == sorted(
        EXPECTED)


def test_readme_cli_commands_work_as_written(minova, tmp_path):
    process = minova(shipped_config(tmp_path))
    host, port = process.addresses["osapi_compute"]
    exports, commands = readme_cli()
    env = cli_env(**{name: value.replace(README_ADDRESS,
                                         "%s:%d" % (host, port))
                     for name, value in exports.items()})
    for argv in commands:
        result = subprocess.run([OPENSTACK_CLI] + argv[1:], cwd=tmp_path,
                                env=env, capture_output=True, text=True,
                                timeout=120)
        command = " ".join(argv)
        assert result.returncode == 0, (command, result.stderr)
        for text in EXPECTED[" ".join(argv[1:3])]:
            assert text in result.stdout, (command, text, result.stdout)
    private_key = tmp_path / "demo-key.pem"
    assert "PRIVATE KEY" in private_key.read_text()
    listed = subprocess.run([OPENSTACK_CLI, "server", "list"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "cli-vm" not in listed.stdout, (
        listed.stdout, listed.stderr)

"""etc/'s control-plane sample works as written: one twistd, four APIs.

The test runs what docs/hosting.md tells an operator to install:
etc/minova-controlplane.service's ``ExecStart`` with the environment of its
``EnvironmentFile`` (etc/controlplane.env) and the config it names
(etc/controlplane.conf). The sample files are read, not copied, and only
what ties them to one machine is replaced (as tests/functional/topology.py
does with the operations page's haproxy block), so sample and test cannot
drift apart:

- addresses become 127.0.0.1 and ports 0 (the kernel picks; the log says
  which), except keystone's: its bootstrap wrote its port into the catalog
  that nova's authtoken finds it through;
- the env file's directories become the session's real keystone, placement
  and nova config directories (tests.hosting.services), and nova gets
  ``OS_NOVA_CONFIG_FILES`` naming the copy of its shipped api-paste.ini
  whose ``authtoken`` the keystone is the real one;
- /opt/minova/bin is the hosting venv's bin, /etc/minova the test's
  directory.

Then each API answers: keystone issues a token, nova's compute API accepts
it (through keystonemiddleware) and refuses a forged one, placement and
nova's metadata API answer their root documents, and every API with more
than one worker has that many.
"""

import os
import re
import shlex

import pytest
import requests

from tests.functional.process import ROOT
from tests.hosting import services

#: One xdist worker runs every hosting test: they share the real services
#: (conftest.py), set up once per worker that runs them.
pytestmark = pytest.mark.xdist_group("hosting")

ETC = os.path.join(ROOT, "etc")
UNIT = os.path.join(ETC, "minova-controlplane.service")
#: Every API in the sample imports a whole OpenStack project at start-up,
#: several of them in parallel on a loaded 2-core runner.
START_DEADLINE = 300.0
OPTION = re.compile(r"^(\w+?)_(listen|listen_port|workers) = (.*)$", re.M)


def unit_lines():
    """{key: value} of etc/minova-controlplane.service's [Service] lines."""
    with open(UNIT) as f:
        return dict(line.split("=", 1) for line in f.read().splitlines()
                    if re.match(r"^[A-Z]\w*=", line))


def sample_apis(text):
    """{api: {"listen": ..., "listen_port": ..., "workers": ...}} of a
    config's text, from its ``<api>_<option> = value`` lines."""
    apis = {}
    for api, option, value in OPTION.findall(text):
        apis.setdefault(api, {})[option] = value.strip()
    return apis


def local_config(text, ports):
    """The sample config with loopback addresses and ``ports`` ({api: port},
    0 where not given)."""
    def replace(match):
        api, option, _ = match.groups()
        value = ("127.0.0.1" if option == "listen"
                 else ports.get(api, 0) if option == "listen_port"
                 else match.group(3))
        return "%s_%s = %s" % (api, option, value)
    return OPTION.sub(replace, text)


def read_env(path):
    """An EnvironmentFile's variables, in order."""
    with open(path) as f:
        return dict(line.split("=", 1) for line in f.read().splitlines()
                    if line.strip() and not line.startswith("#"))


@pytest.fixture
def controlplane(minova, tmp_path, keystone, placement, nova):
    """The unit's command, started as systemd would start it here."""
    unit = unit_lines()
    etc = tmp_path / "etc-minova"
    etc.mkdir()
    paths = {"/opt/minova/bin": os.path.dirname(services.venv_bin("twistd")),
             "/etc/minova": str(etc)}

    def local(text):
        for path, here in paths.items():
            text = text.replace(path, here)
        return text

    with open(os.path.join(ETC, "controlplane.conf")) as f:
        sample = f.read()
    apis = sample_apis(sample)
    (etc / "controlplane.conf").write_text(
        local_config(sample, {"identity": keystone.port}))

    env = read_env(os.path.join(ETC, "controlplane.env"))
    dirs = {"OS_NOVA_CONFIG_DIR": nova.confdir,
            "OS_PLACEMENT_CONFIG_DIR": placement.confdir,
            "OS_KEYSTONE_CONFIG_DIR": keystone.confdir}
    assert set(env) == set(dirs), env
    env = dict(dirs, **nova.keystone_env)
    (etc / "controlplane.env").write_text(
        "".join("%s=%s\n" % item for item in env.items()))
    assert local(unit["EnvironmentFile"]) == str(etc / "controlplane.env")

    command = shlex.split(local(unit["ExecStart"]))
    at = command.index("minova")
    assert command[0] == services.venv_bin("twistd"), command
    server = minova(args=command[at + 1:], twistd_args=command[1:at],
                    expect=set(apis), twistd=command[0],
                    env=services.clean_env(**read_env(
                        local(unit["EnvironmentFile"]))),
                    deadline=START_DEADLINE)
    server.wait_log("minova ready", timeout=START_DEADLINE)
    return server, apis


def test_the_sample_runs_keystone_placement_and_nova(controlplane, keystone):
    server, apis = controlplane
    assert list(apis) == ["identity", "placement", "osapi_compute",
                          "metadata"]
    for api, options in apis.items():
        if int(options["workers"]) > 1:
            assert len(server.workers(api)) == int(options["workers"]), api

    identity = requests.get(server.url("identity", "/v3"), timeout=30)
    assert identity.json()["version"]["id"].startswith("v3."), identity.text
    token = services.token(keystone.url)

    flavors = server.url("osapi_compute", "/v2.1/flavors")
    good = requests.get(flavors, headers={"X-Auth-Token": token},
                        timeout=30)
    assert good.status_code == 200, good.text
    forged = requests.get(flavors, headers={
        "X-Auth-Token": token[:-4] + "AAAA"}, timeout=30)
    assert forged.status_code == 401

    (version,) = requests.get(server.url("placement"),
                              timeout=30).json()["versions"]
    assert version["id"] == "v1.0"
    # nova's metadata API lists the EC2 versions at / without asking which
    # instance is calling.
    listing = requests.get(server.url("metadata"), timeout=30)
    assert listing.status_code == 200 and "latest" in listing.text

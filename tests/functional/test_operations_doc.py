"""docs/operations.md, run: every shell block, in order, against a real minova.

Each ```sh block starts with ``# test: MODE``. The page's paths
(/opt/minova, /etc/minova, /var/lib/minova, /etc/systemd/system, the
source checkout) become this environment's and a temporary directory's,
and its ports (8774, 8775, 9174) free loopback ports. ``run`` blocks run
under ``bash -eu -o pipefail``. ``installed`` (the install block) is
checked by what the install gives: this suite runs in an environment made
by that very command (CI's). ``systemd`` runs the block, then does what
``systemctl enable --now`` would: the unit's ExecStart, taken from
etc/minova.service, with the compute socket passed as minova.socket
passes it and NOTIFY_SOCKET set, as tests/functional/test_systemd.py does.
There is no systemd nor user database to change here, so ``systemctl``,
``useradd`` and ``chown`` are shell functions: ``systemctl`` signals the
unit's main process (``kill``: and its children, as systemd signals every
process of the unit), the others do nothing. After each block the test
checks what the page says it prints or does.
"""

import os
import re
import shlex
import socket
import subprocess
import sys

from tests.functional.process import ROOT, MinovaProcess
from tests.functional.process import minova_env
from tests.functional.systemd import ACTIVATE, notify_socket
from tests.polling import wait_for

DOC = os.path.join(ROOT, "docs", "operations.md")
BIN = os.path.dirname(sys.executable)
BLOCK = re.compile(r"^```sh\n# test: (\w+)[^\n]*\n(.*?)^```$", re.M | re.S)

#: What stands in for systemd and the user database (see the docstring).
PREAMBLE = """
systemctl() {
    case "$1" in
        reload) kill -HUP "$MAINPID" ;;
        kill) kill -s "$3" "$MAINPID" $(pgrep -P "$MAINPID") ;;
        stop) kill -TERM "$MAINPID" ;;
    esac
}
useradd() { :; }
chown() { :; }
"""


def blocks():
    with open(DOC) as f:
        return BLOCK.findall(f.read())


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def substitute(text, paths, ports):
    """The page's paths and ports replaced, in one pass (so a replacement
    is never replaced again), each only where a path or a number starts."""
    table = dict(paths, **ports)
    pattern = re.compile(r"(?<![\w./-])(%s)(?![\d])" % "|".join(
        re.escape(key) for key in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda match: table[match.group(1)], text)


def run(text, env):
    result = subprocess.run(["bash", "-eu", "-o", "pipefail", "-c",
                             PREAMBLE + text], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, (text, result.stdout, result.stderr)
    return result.stdout


def exec_start():
    with open(os.path.join(ROOT, "etc", "minova.service")) as f:
        line = re.search(r"^ExecStart=(.*)$", f.read(), re.M).group(1)
    return line


def test_the_operations_page_works_as_written(tmp_path):
    paths = {"/opt/minova/bin": BIN, "/path/to/minova": ROOT,
             "/etc/systemd/system": str(tmp_path / "systemd"),
             "/etc/minova": str(tmp_path / "etc"),
             "/var/lib/minova": str(tmp_path / "state")}
    ports = {"8774": str(free_port()), "8775": str(free_port()),
             "9174": str(free_port())}
    os.makedirs(paths["/etc/systemd/system"])
    env = minova_env()
    server = None
    found = blocks()
    assert [mode for mode, _ in found] == [
        "installed", "run", "run", "run", "run", "systemd", "run", "run",
        "run", "run"]
    try:
        for index, (mode, text) in enumerate(found):
            text = substitute(text, paths, ports)
            if mode == "installed":
                assert "pip install " + ROOT in text
                for script in ("twistd", "minova-manage",
                               "oslo-config-generator"):
                    assert os.access(os.path.join(BIN, script), os.X_OK)
                continue
            out = run(text, env)
            if mode == "systemd":
                server = start_unit(tmp_path, int(ports["8774"]), paths,
                                    env)
                env = dict(env, MAINPID=str(server.proc.pid))
            check_block(index, out, server, paths, ports)
    finally:
        if server is not None:
            server.stop()


def start_unit(tmp_path, port, paths, env):
    """What ``systemctl enable --now minova.socket minova.service`` does.

    The compute socket is bound only now, as minova.socket would be.
    """
    compute = socket.socket()
    compute.bind(("127.0.0.1", port))
    compute.listen(128)
    wrapper = tmp_path / "activate.py"
    wrapper.write_text(ACTIVATE)
    receiver = notify_socket(str(tmp_path / "notify"))
    command = shlex.split(substitute(exec_start(), paths, {}))
    with receiver:
        server = MinovaProcess(
            command[command.index("minova") + 1:],
            str(tmp_path / "journal"),
            dict(env, LISTEN_FDNAMES="osapi_compute",
                 NOTIFY_SOCKET=str(tmp_path / "notify")),
            {"osapi_compute", "metadata"},
            twistd_args=command[1:command.index("minova")],
            prefix=[sys.executable, str(wrapper), str(compute.fileno())],
            pass_fds=(compute.fileno(),))
        assert receiver.recv(4096) == b"READY=1"
    compute.close()
    assert command[0] == os.path.join(BIN, "twistd")
    return server


def check_block(index, out, server, paths, ports):
    """What block ``index`` of the page says it prints or does."""
    etc = paths["/etc/minova"]
    if index == 1:
        with open(os.path.join(ROOT, "etc", "api.conf.sample")) as f:
            sample = f.read()
        with open(os.path.join(etc, "minova.conf.sample")) as f:
            assert f.read() == sample
    elif index == 4:
        lines = out.splitlines()
        assert re.fullmatch(r"[0-9a-f_]+", lines[0]) and lines[1:] == ["OK"]
    elif index == 5:
        assert "uses the socket systemd passed as fd 3" in server.log
        assert "osapi_compute listening on 127.0.0.1:%s (TLS)" % ports[
            "8774"] in server.log
        assert len(server.workers("osapi_compute")) == 2
    elif index == 6:
        assert '"id": "v2.1"' in out.replace("'", '"')
        assert '"flavors"' in out
        assert out.count("OK") >= 2
        assert re.search(r'minova_http_requests_total\{api="osapi_compute",'
                         r'method="GET",status="200"\} \d', out)
    elif index == 7:
        server.wait_log("reload done")
        reports = os.path.join(paths["/var/lib/minova"], "reports")
        wait_for(lambda: os.path.isdir(reports)
                 and len(os.listdir(reports)) == 3,
                 what="a report from the parent and both workers")
    elif index == 8:
        assert out.splitlines() == ["503", "200"]
    elif index == 9:
        assert server.wait() == 0
        assert "Server Shut Down." in server.log

"""minova_tw.systemd: sockets systemd passed, chosen by name or order, and sd_notify.

Real sockets stand in for systemd's: a fresh interpreter (whose fds from
3 up are free, unlike pytest's) dups listening sockets there and describes
them in a ``LISTEN_*`` environment; a real AF_UNIX datagram socket plays
``$NOTIFY_SOCKET``.
"""

import json
import socket
import subprocess
import sys

from twisted.internet import defer
from twisted.internet.testing import MemoryReactorClock

from minova_tw import systemd


#: Run in a fresh interpreter, whose fds 3 and up are free to play
#: systemd's: binds ``count`` listening sockets there, names them as told,
#: and prints which API got which port (and each socket's own port).
LISTEN_SCRIPT = """
import json, os, socket, sys
from minova_tw import systemd
names, apis = json.loads(sys.argv[1]), json.loads(sys.argv[2])
# Hold fds 3.. first, so that the sockets are made above them.
held = [os.open(os.devnull, os.O_RDONLY) for _ in names]
assert held == list(range(3, 3 + len(names))), held
sockets = [socket.socket() for _ in names]
for index, sock in enumerate(sockets):
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    os.dup2(sock.fileno(), 3 + index)
ports = [sock.getsockname()[1] for sock in sockets]
environ = {"LISTEN_PID": str(os.getpid()), "LISTEN_FDS": str(len(names)),
           "LISTEN_FDNAMES": ":".join(names)}
chosen = systemd.listen_sockets(apis, environ)
print(json.dumps({"ports": ports, "chosen": {
    api: [sock.getsockname()[1], sock.getblocking()]
    for api, sock in chosen.items()}}))
"""


def listen(names, apis):
    result = subprocess.run(
        [sys.executable, "-c", LISTEN_SCRIPT, json.dumps(names),
         json.dumps(apis)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    return answer["ports"], answer["chosen"]


def test_named_fds_go_to_the_apis_of_their_names():
    ports, chosen = listen(["metadata", "osapi_compute"],
                           ["osapi_compute", "metadata", "other"])
    assert chosen == {"metadata": [ports[0], False],
                      "osapi_compute": [ports[1], False]}


def test_unnamed_fds_go_to_the_apis_in_order():
    ports, chosen = listen(["unknown"], ["osapi_compute", "metadata"])
    assert chosen == {"osapi_compute": [ports[0], False]}


def test_without_systemds_variables_there_is_nothing():
    assert systemd.listen_sockets(["osapi_compute"], {}) == {}
    other = {"LISTEN_PID": "1", "LISTEN_FDS": "1"}  # another process's
    assert systemd.listen_sockets(["osapi_compute"], other) == {}


def notify_socket(tmp_path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(tmp_path / "notify"))
    sock.settimeout(10)
    return sock


def test_notify_sends_the_state_only_when_asked(tmp_path):
    assert systemd.notify("READY=1", {}) is False
    with notify_socket(tmp_path) as sock:
        environ = {"NOTIFY_SOCKET": str(tmp_path / "notify")}
        assert systemd.notify("READY=1", environ) is True
        assert sock.recv(64) == b"READY=1"
    # Nobody listens there any more: a warning and False, not an error.
    assert systemd.notify("STOPPING=1", environ) is False


def test_notifier_says_ready_once_the_launcher_is_and_stopping_on_stop(
        tmp_path, monkeypatch):
    class Launcher:
        ready = defer.Deferred()

        def whenReady(self):
            return self.ready

    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
    with notify_socket(tmp_path) as sock:
        reactor = MemoryReactorClock()
        launcher = Launcher()
        notifier = systemd.Notifier(launcher, reactor)
        notifier.startService()
        reactor.run()  # the callWhenRunning hooks
        sock.setblocking(False)
        try:
            sock.recv(64)
            raise AssertionError("READY=1 before the launcher was ready")
        except BlockingIOError:
            pass
        sock.setblocking(True)
        sock.settimeout(10)
        launcher.ready.callback(None)
        assert sock.recv(64) == b"READY=1"
        notifier.stopService()
        assert sock.recv(64) == b"STOPPING=1"

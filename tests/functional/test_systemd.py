"""systemd: READY=1/STOPPING=1 to $NOTIFY_SOCKET, and socket activation.

The test plays systemd: it binds a real AF_UNIX datagram socket for
notifications, and for socket activation binds the listening sockets itself
and runs twistd through a small wrapper that puts them on fds 3 and up,
sets LISTEN_PID to its own pid and execs twistd (as systemd does).
"""

import os
import signal
import socket
import sys

import pytest
import requests

from tests.functional.process import MinovaProcess, tag_env, write_config
from tests.functional.systemd import ACTIVATE, notify_socket
from tests.functional.workers import worker_config

@pytest.mark.parametrize("abstract", [False, True])
def test_ready_once_every_worker_is_ready_and_stopping_on_sigterm(
        minova, tmp_path, abstract):
    if abstract:
        name = "minova-test-%d" % os.getpid()
        receiver, variable = notify_socket("\0" + name), "@" + name
    else:
        variable = str(tmp_path / "notify")
        receiver = notify_socket(variable)
    with receiver:
        server = minova(worker_config(tmp_path),
                        env=tag_env(tmp_path, NOTIFY_SOCKET=variable))
        assert receiver.recv(4096) == b"READY=1"
        assert len(server.workers("osapi_compute")) == 2
        assert "minova ready" in server.log
        server.signal(signal.SIGTERM)
        assert receiver.recv(4096) == b"STOPPING=1"
        assert server.wait(30) == 0
        receiver.setblocking(False)
        with pytest.raises(BlockingIOError):
            receiver.recv(4096)  # nothing more: workers never notify


def listening_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    return sock


@pytest.mark.parametrize("names", ["metadata:osapi_compute", "a:b"])
def test_socket_activation_serves_the_sockets_systemd_passed(
        tmp_path, names):
    """By name (given in the other order), or else by index."""
    first, second = listening_socket(), listening_socket()
    by_name = names != "a:b"
    compute, metadata = (second, first) if by_name else (first, second)
    sections = worker_config(tmp_path)
    # The configured ports are the passed sockets' own: binding them again
    # would fail, so serving at all shows the fds were used.
    sections["DEFAULT"]["osapi_compute_listen_port"] = \
        compute.getsockname()[1]
    sections["DEFAULT"]["metadata_listen_port"] = metadata.getsockname()[1]
    config = write_config(tmp_path / "api.conf", sections)
    wrapper = tmp_path / "activate.py"
    wrapper.write_text(ACTIVATE)
    ports = {"osapi_compute": compute.getsockname()[1],
             "metadata": metadata.getsockname()[1]}
    fds = (first.fileno(), second.fileno())
    server = MinovaProcess(
        ["--config", config], str(tmp_path / "twistd.log"),
        tag_env(tmp_path, LISTEN_FDNAMES=names), set(ports),
        prefix=[sys.executable, str(wrapper), "%d,%d" % fds], pass_fds=fds)
    first.close()
    second.close()
    try:
        server.wait_log("minova ready")
        assert {api: port for api, (_, port)
                in server.addresses.items()} == ports
        answers = {requests.get(server.url("osapi_compute"), timeout=10
                                ).json()["pid"] for _ in range(16)}
        # Both workers share systemd's one socket: the kernel spreads.
        assert answers <= set(server.workers("osapi_compute").values())
        assert requests.get(server.url("metadata"), timeout=10).json()[
            "pid"] == server.proc.pid
        assert server.log.count("uses the socket systemd passed as fd") == 2
    finally:
        server.stop()

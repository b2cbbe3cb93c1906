"""sockets.Listener: the sockets of an API, and the probe that keeps SO_REUSEPORT
from joining a port another process listens on."""

import socket

import pytest

from minova_tw import conf as minova_conf
from minova_tw import sockets


def config(tmp_path, port):
    path = tmp_path / "a.conf"
    path.write_text("[DEFAULT]\nosapi_compute_listen = 127.0.0.1\n"
                    "osapi_compute_listen_port = %d\n" % port)
    return minova_conf.load([str(path)])


def reuse_port_listener():
    """A socket that listens with SO_REUSEPORT, as another minova's would."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    return sock


def test_a_port_another_process_shares_by_reuseport_is_refused(tmp_path):
    other = reuse_port_listener()
    port = other.getsockname()[1]
    try:
        with pytest.raises(minova_conf.ConfigError) as error:
            sockets.Listener.of_api(config(tmp_path, port),
                                    "osapi_compute", 2, {}).bind()
    finally:
        other.close()
    assert str(error.value) == (
        "[DEFAULT] osapi_compute_listen_port: cannot listen on "
        "127.0.0.1:%d: Address already in use by another process" % port)


def test_the_probe_finds_a_port_free_then_every_worker_binds_it(tmp_path):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()
    bound = sockets.Listener.of_api(config(tmp_path, port),
                                    "osapi_compute", 3, {}).bind()
    try:
        assert [s.getsockname()[1] for s in bound] == [port] * 3
        # Once minova's own sockets listen, the probe reports the port taken.
        with pytest.raises(minova_conf.ConfigError, match="by another "
                           "process"):
            sockets.Listener("osapi_compute", "127.0.0.1", port,
                             count=2).probe()
    finally:
        for sock in bound:
            sock.close()


def test_a_port_in_time_wait_is_not_in_use(tmp_path):
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server closes first: its side stays in TIME_WAIT
    client.close()
    server.close()
    sockets.Listener("osapi_compute", "127.0.0.1", port, count=2).probe()

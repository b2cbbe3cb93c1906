"""The Launcher binds when it starts, as StreamServerEndpointService does.

makeService only probes each address; ``privilegedStartService`` (which
twistd calls before it drops privileges) binds and says where each API
listens, and ``startService`` binds first when nobody called it. Real
parts: a paste file of trivial apps, sockets on loopback.
"""

import socket

import pytest
from twisted.logger import capturedLogs

from minova_tw import conf as minova_conf
from minova_tw import service


def app_factory(global_conf, **local_conf):
    """paste.app_factory of the apps the paste file below serves."""
    def app(environ, start_response):
        start_response("204 No Content", [])
        return []
    return app


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_is_free(port):
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.fixture
def made(tmp_path):
    """``made()`` -> (the Launcher makeService built, its compute port)."""
    launchers = []

    def make():
        port = free_port()
        (tmp_path / "paste.ini").write_text(
            "[app:osapi_compute]\n"
            "paste.app_factory = tests.unit.test_launcher:app_factory\n")
        (tmp_path / "api.conf").write_text(
            "[DEFAULT]\nenabled_apis = osapi_compute\n"
            "osapi_compute_listen = 127.0.0.1\n"
            "osapi_compute_listen_port = %d\nosapi_compute_workers = 1\n"
            "[wsgi]\napi_paste_config = %s\n"
            "[api]\nauth_strategy = noauth2\n"
            % (port, tmp_path / "paste.ini"))
        conf = minova_conf.load([str(tmp_path / "api.conf")])
        launchers.append(service.makeService(conf))
        return launchers[-1], port
    yield make
    for launcher in launchers:
        for api in launcher.apis:
            if api.socket is not None:
                api.socket.close()


def test_makeservice_binds_nothing_and_privileged_start_binds(made):
    launcher, port = made()
    assert port_is_free(port)
    with capturedLogs() as events:
        launcher.privilegedStartService()
    assert not port_is_free(port)
    assert launcher.apis[0].address == ("127.0.0.1", port)
    assert [(e["api"], e["port"]) for e in events
            if "listening on" in e.get("log_format", "")] == [
                ("osapi_compute", port)]


def test_a_second_privileged_start_binds_nothing_more(made):
    launcher, _ = made()
    launcher.privilegedStartService()
    sock = launcher.apis[0].socket
    with capturedLogs() as events:
        launcher.privilegedStartService()
    assert launcher.apis[0].socket is sock
    assert not [e for e in events if "listening" in e.get("log_format", "")]


def test_a_port_taken_after_the_check_is_a_config_error_naming_it(made):
    launcher, port = made()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        with pytest.raises(minova_conf.ConfigError) as raised:
            launcher.privilegedStartService()
    assert str(raised.value) == (
        "[DEFAULT] osapi_compute_listen_port: cannot listen on "
        "127.0.0.1:%d: Address already in use" % port)

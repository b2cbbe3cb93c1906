"""minova_tw.service: safe by default — keystone unless asked, and a loud noauth2 warning.

``makeService`` and the Launcher's ``privilegedStartService`` run with
app building and socket binding replaced, so that an address that is not
loopback can be shown to them without listening there.
"""

import pytest
from twisted.logger import LogLevel, capturedLogs

from minova_tw import conf as minova_conf
from minova_tw import resources, service, sockets, spawner


class BoundSocket:
    """What the Launcher asks of a listening socket: where it is bound."""

    def __init__(self, host):
        self.host = host

    def getsockname(self):
        return (self.host, 8774)


@pytest.fixture
def make(tmp_path, monkeypatch):
    """``make(listen, auth_strategy)`` -> (conf, the APIs warned INSECURE)."""
    monkeypatch.setattr(resources, "load_app", lambda *a, **k: object())
    monkeypatch.setattr(spawner, "check_app", lambda conf, name: None)
    monkeypatch.setattr(minova_conf, "find_paste_file", lambda c: "x.ini")
    monkeypatch.setattr(resources, "has_paste_app", lambda path, name: True)
    monkeypatch.setattr(sockets.Listener, "probe", lambda self: None)
    monkeypatch.setattr(sockets.Listener, "bind",
                        lambda self: [BoundSocket(self.host)])

    def run(listen=None, auth_strategy=None):
        path = tmp_path / "api.conf"
        text = "[DEFAULT]\n"
        if listen:
            text += "osapi_compute_listen = %s\nmetadata_listen = %s\n" % (
                listen, listen)
        if auth_strategy:
            text += "[api]\nauth_strategy = %s\n" % auth_strategy
        path.write_text(text)
        conf = minova_conf.load([str(path)])
        with capturedLogs() as events:
            service.makeService(conf).privilegedStartService()
        return conf, sorted(
            e["api"] for e in events if e["log_level"] == LogLevel.warn
            and "INSECURE" in e.get("log_format", ""))
    return run


def test_the_code_default_is_keystone(make):
    conf, insecure = make()
    assert conf.api.auth_strategy == "keystone"
    assert insecure == []


@pytest.mark.parametrize("listen, insecure", [
    ("0.0.0.0", ["metadata", "osapi_compute"]),
    ("192.0.2.10", ["metadata", "osapi_compute"]),
    ("127.0.0.1", []),
    ("::1", []),
])
def test_noauth2_off_loopback_warns_once_per_api(make, listen, insecure):
    assert make(listen, "noauth2")[1] == insecure


def test_keystone_off_loopback_does_not_warn(make):
    assert make("0.0.0.0", "keystone")[1] == []

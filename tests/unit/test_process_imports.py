"""What a minova process imports: TLS, HTTP/2 and twisted.web only when it serves them.

Each case runs in a fresh interpreter, set up as minova_tw.worker sets up a
worker (configuration, ``tls.install_twisted``, the host's modules, then
the ServerTLS when the API serves TLS), and reports which of the optional
packages got imported. The metrics listener, which only the twistd process
runs, is checked the same way.
"""

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, sys
from minova_tw import conf as minova_conf, tls
conf = minova_conf.load(sys.argv[1:])
tls.install_twisted(conf, ["osapi_compute"])
from twisted.internet import reactor
from twisted.internet.interfaces import IReactorSSL
from minova_tw import (apiservice, gmr, launcher, logs, metrics, resources,
                       service, signals, site, sockets, startup, worker)
if "osapi_compute" in conf.enabled_ssl_apis:
    tls.ServerTLS(conf)
if conf.metrics.listen_port is not None:
    metrics.site(metrics.enable())
print(json.dumps({
    "modules": sorted(name for name in ("OpenSSL", "h2", "twisted.web.http",
                                        "twisted.web.server")
                      if name in sys.modules),
    "ssl": IReactorSSL.providedBy(reactor),
}))
"""


def _imports(tmp_path, text):
    path = tmp_path / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = state\n" + text)
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _tls(tmp_path, extra=""):
    trustme = pytest.importorskip("trustme")
    cert = trustme.CA().issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    return ("enabled_ssl_apis = osapi_compute\n[wsgi]\nssl_cert_file = %s\n"
            "ssl_key_file = %s\n%s" % (tmp_path / "cert.pem",
                                        tmp_path / "key.pem", extra))


def test_a_plain_http_process_loads_no_tls_no_h2_no_twisted_web_http(
        tmp_path):
    assert _imports(tmp_path, "") == {"modules": [], "ssl": False}


def test_a_tls_process_loads_tls_and_h2_only_when_asked(tmp_path):
    pytest.importorskip("OpenSSL")
    tls_only = _imports(tmp_path, _tls(tmp_path))
    assert tls_only == {"modules": ["OpenSSL"], "ssl": True}
    pytest.importorskip("h2")
    with_h2 = _imports(tmp_path, _tls(tmp_path, "http2 = true\n"))
    assert with_h2 == {"modules": ["OpenSSL", "h2", "twisted.web.http"],
                       "ssl": True}


def test_the_metrics_listener_loads_twisted_web_without_h2(tmp_path):
    pytest.importorskip("h2")
    assert _imports(tmp_path, "[metrics]\nlisten_port = 0\n") == {
        "modules": ["twisted.web.http", "twisted.web.server"], "ssl": False}

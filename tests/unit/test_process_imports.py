"""What a minova process imports: TLS, HTTP/2 and twisted.web's Site only when it serves them.

Each case runs in a fresh interpreter, set up as minova_tw.worker sets up a
worker (configuration, ``tls.install_twisted``, then the host's modules),
and reports which of the optional packages got imported.
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
from minova_tw import gmr, logs, metrics, resources, service, site, worker
print(json.dumps({
    "modules": sorted(name for name in ("OpenSSL", "h2", "twisted.web.server")
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


def test_a_plain_http_process_loads_no_tls_no_h2_no_web_site(tmp_path):
    assert _imports(tmp_path, "") == {"modules": [], "ssl": False}


def test_a_tls_process_loads_tls_and_h2_only_when_asked(tmp_path):
    pytest.importorskip("OpenSSL")
    tls_only = _imports(tmp_path, "enabled_ssl_apis = osapi_compute\n")
    assert tls_only == {"modules": ["OpenSSL"], "ssl": True}
    pytest.importorskip("h2")
    with_h2 = _imports(tmp_path, "enabled_ssl_apis = osapi_compute\n"
                       "[wsgi]\nhttp2 = true\n")
    assert set(with_h2["modules"]) >= {"OpenSSL", "h2"}

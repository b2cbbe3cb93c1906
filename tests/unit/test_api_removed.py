"""minova_tw.api.openstack.compute.removed through the paste stack: nova's 410 Gone for the APIs it removed."""

import os

import pytest
from paste.deploy import loadapp
import webob

from minova_tw import conf as minova_conf

PASTE = os.path.join(os.path.dirname(__file__), "..", "..", "etc",
                     "api-paste.ini")
GONE = {"computeFault": {
    "code": 410,
    "message": "This resource is no longer available. No forwarding "
               "address is given."}}


@pytest.fixture
def app(tmp_path):
    path = tmp_path / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = state\n"
                    "[api]\nauth_strategy = noauth2\n")
    conf = minova_conf.load([str(path)])
    return loadapp("config:" + os.path.abspath(PASTE), name="osapi_compute",
                   global_conf=minova_conf.paste_global_conf(conf))


def call(app, method, path, body=None, token="demo:demo"):
    req = webob.Request.blank(path, method=method,
                              headers={"X-Auth-Token": token})
    if body is not None:
        req.json = body
    return req.get_response(app)


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/v2.1/os-agents", None),
    ("POST", "/v2.1/os-agents", {"agent": {"hypervisor": "kvm"}}),
    ("DELETE", "/v2.1/os-agents/1", None),
    ("GET", "/v2.1/os-cells/detail", None),
    ("POST", "/v2.1/os-cells/sync_instances", {}),
    ("GET", "/v2.1/os-cells/c1/capacities", None),
    ("POST", "/v2.1/os-certificates", None),
    ("PUT", "/v2.1/os-cloudpipe/configure-project", {"anything": [1]}),
    ("GET", "/v2.1/os-fixed-ips/10.0.0.1", None),
    ("POST", "/v2.1/os-fixed-ips/10.0.0.1/action", {"reserve": None}),
    ("POST", "/v2.1/os-fixed-ips/10.0.0.1/action", {"unreserve": None}),
    ("GET", "/v2.1/os-floating-ip-dns/example.org/entries/a", None),
    ("PUT", "/v2.1/os-floating-ips-bulk/delete", {}),
    ("GET", "/v2.1/os-fping?all_tenants=1", None),
    ("GET", "/v2.1/os-security-group-default-rules", None),
    ("GET", "/v2.1/servers/any/consoles", None),
    ("DELETE", "/v2.1/servers/any/consoles/1", None),
    ("GET", "/v2.1/servers/any/os-virtual-interfaces", None),
    ("POST", "/v2.1/servers/any/action", {"resetNetwork": None}),
    ("GET", "/v2/os-cells", None),
])
def test_removed_apis_answer_410_with_novas_body(app, method, path, body):
    res = call(app, method, path, body)
    assert res.status_int == 410
    assert res.json == GONE
    assert res.content_type == "application/json"


def test_with_the_project_in_the_url(app):
    res = call(app, "GET", "/v2.1/abc123/os-agents", token="u:abc123")
    assert res.status_int == 410 and res.json == GONE


def test_410_is_for_everybody(app):
    assert call(app, "GET", "/v2.1/os-agents",
                token="admin:admin").json == GONE


def test_another_fixed_ip_action_is_400(app):
    res = call(app, "POST", "/v2.1/os-fixed-ips/10.0.0.1/action",
               {"bogus": None})
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == "There is no such action: bogus"


def test_a_method_nova_never_had_there_is_405(app):
    res = call(app, "DELETE", "/v2.1/os-fping")
    assert res.status_int == 405


def test_an_unknown_os_path_is_still_404(app):
    res = call(app, "GET", "/v2.1/os-networks-gone-too")
    assert res.status_int == 404
    assert "itemNotFound" in res.json

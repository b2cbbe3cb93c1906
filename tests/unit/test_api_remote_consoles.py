"""remote_consoles and console_auth_tokens through the compute router: nova's bodies, codes and gates."""

from urllib import parse

import pytest

from minova_tw.api.openstack.compute import APIRouterV21
from tests.unit.compute_router import call_as


@pytest.fixture
def call(conf, override):
    """``call(method, path, body=None, admin=False, version="2.1")`` on one
    router over the test's database (servers are ACTIVE at once, SPICE is
    enabled)."""
    override("build_time", 0, "minova")
    override("enabled", True, "spice")
    router = APIRouterV21(conf)

    def request(*args, **kwargs):
        return call_as(router, *args, **kwargs)
    return request


@pytest.fixture
def server(call):
    res = call("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}})
    assert res.status_int == 202, res.text
    return res.json["server"]["id"]


def _token(url):
    query = parse.parse_qs(parse.urlparse(url).query)
    if "path" in query:
        query = parse.parse_qs(parse.urlparse(query["path"][0]).query)
    return query["token"][0]


def _fault(res, code):
    assert res.status_int == code, res.text
    (body,) = res.json.values()
    return body["message"]


def test_pre_2_6_actions(call, server):
    action = "/servers/%s/action" % server
    res = call("POST", action, {"os-getVNCConsole": {"type": "novnc"}})
    assert res.status_int == 200
    assert list(res.json["console"]) == ["type", "url"]
    assert res.json["console"]["type"] == "novnc"
    res = call("POST", action, {"os-getSPICEConsole": {"type": "spice-html5"}})
    url = res.json["console"]["url"]
    assert url == ("http://127.0.0.1:6082/spice_auto.html?token=%s"
                   % _token(url))
    assert _fault(call("POST", action, {"os-getSerialConsole": {
        "type": "serial"}}), 400) == "Unavailable console type serial."
    assert _fault(call("POST", action, {"os-getVNCConsole": {
        "type": "xvpvnc"}}), 400) == "Invalid console type xvpvnc"
    assert _fault(call("POST", action, {"os-getRDPConsole": {
        "type": "rdp-html5"}}), 400).startswith("The server could not comply")
    assert "Invalid input" in _fault(call("POST", action, {
        "os-getVNCConsole": {"type": "spice-html5"}}), 400)
    # the server's own actions still answer beside them
    assert call("POST", action, {"os-getConsoleOutput": {}}).status_int == 200
    # gone from 2.6
    res = call("POST", action, {"os-getVNCConsole": {"type": "novnc"}},
               version="2.6")
    assert res.status_int == 404


def test_remote_consoles(call, server):
    path = "/servers/%s/remote-consoles" % server

    def create(protocol, console_type, version="2.6"):
        return call("POST", path, {"remote_console": {
            "protocol": protocol, "type": console_type}}, version=version)

    res = create("vnc", "novnc")
    assert res.status_int == 200
    assert res.json["remote_console"]["protocol"] == "vnc"
    assert res.json["remote_console"]["type"] == "novnc"
    assert _fault(create("rdp", "rdp-html5"), 400) == (
        "Unavailable console type rdp.")
    assert "Invalid input" in _fault(create("mks", "webmks"), 400)
    assert _fault(create("mks", "webmks", "2.8"), 400) == (
        "Unavailable console type webmks.")
    assert "Invalid input" in _fault(create("spice", "spice-direct", "2.98"),
                                     400)
    assert create("spice", "spice-direct", "2.99").status_int == 200
    assert call("POST", path, {"remote_console": {
        "protocol": "vnc", "type": "novnc"}}).status_int == 404
    assert _fault(call("POST", "/servers/nope/remote-consoles", {
        "remote_console": {"protocol": "vnc", "type": "novnc"}},
        version="2.6"), 404) == "Instance nope could not be found."


def test_a_building_server_is_409(call, conf, override):
    override("build_time", 60, "minova")
    server = call("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}}).json
    server_id = server["server"]["id"]
    res = call("POST", "/servers/%s/remote-consoles" % server_id, {
        "remote_console": {"protocol": "vnc", "type": "novnc"}},
        version="2.6")
    assert _fault(res, 409) == "Instance %s is not ready" % server_id


def test_console_auth_tokens(call, server, conf):
    path = "/servers/%s/remote-consoles" % server
    url = call("POST", path, {"remote_console": {
        "protocol": "vnc", "type": "novnc"}}, version="2.6").json[
        "remote_console"]["url"]
    token_path = "/os-console-auth-tokens/%s" % _token(url)
    res = call("GET", token_path, admin=True, version="2.31")
    assert res.status_int == 200
    assert res.json == {"console": {
        "instance_uuid": server, "host": "compute-1",
        "port": 5900, "internal_access_path": None}}
    assert _fault(call("GET", token_path, admin=True, version="2.30"),
                  400).startswith("The server could not comply")
    assert _fault(call("GET", token_path, version="2.31"), 403) == (
        "Policy doesn't allow os_compute_api:os-console-auth-tokens to be "
        "performed.")
    assert _fault(call("GET", "/os-console-auth-tokens/nope", admin=True,
                       version="2.31"), 404) == "Token not found"
    # 2.99: a spice-direct console shows its TLS port, and unknown query
    # parameters are refused
    url = call("POST", path, {"remote_console": {
        "protocol": "spice", "type": "spice-direct"}}, version="2.99").json[
        "remote_console"]["url"]
    assert url.startswith("http://127.0.0.1:13002/nova?token=")
    spice_path = "/os-console-auth-tokens/%s" % _token(url)
    assert call("GET", spice_path, admin=True, version="2.99").json[
        "console"]["tls_port"] == 5901
    assert "tls_port" not in call("GET", spice_path, admin=True,
                                  version="2.98").json["console"]
    assert call("GET", token_path + "?x=1", admin=True,
                version="2.99").status_int == 400
    assert call("GET", token_path + "?x=1", admin=True,
                version="2.98").status_int == 200

"""The whole osapi_compute stack from etc/api-paste.ini, loaded as the host
loads it, with noauth2 and a CORS origin configured."""

import json
import os
import re
import uuid

import pytest
from paste.deploy import loadapp
import webob

from minova_tw import conf as minova_conf
from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.api_version_request import MAX_API_VERSION

PASTE = os.path.join(os.path.dirname(__file__), "..", "..", "etc",
                     "api-paste.ini")
ORIGIN = "http://client.example"
REQ_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-"
                    r"[0-9a-f]{12}$")
V21_DOC = {"version": {
    "id": "v2.1", "status": "CURRENT", "version": MAX_API_VERSION,
    "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
    "links": [{"rel": "self", "href": "http://localhost/v2.1/"},
              {"rel": "describedby", "type": "text/html",
               "href": "http://docs.openstack.org/"}],
    "media-types": [{"base": "application/json",
                     "type": "application/vnd.openstack.compute+json;"
                             "version=2.1"}]}}


def load_stack(tmp_path, text):
    path = tmp_path / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = state\n" + text)
    conf = minova_conf.load([str(path)])
    return loadapp("config:" + os.path.abspath(PASTE), name="osapi_compute",
                   global_conf=minova_conf.paste_global_conf(conf))


@pytest.fixture
def app(tmp_path):
    return load_stack(tmp_path, "[api]\nauth_strategy = noauth2\n"
                      "[cors]\nallowed_origin = %s\n" % ORIGIN)


def get(app, path, **kwargs):
    return webob.Request.blank(path, **kwargs).get_response(app)


def test_root_lists_versions_without_version_headers(app):
    res = get(app, "/")
    assert res.status_int == 200
    assert res.json == {"versions": [
        {"id": "v2.0", "status": "SUPPORTED", "version": "",
         "min_version": "", "updated": "2011-01-21T11:33:21Z",
         "links": [{"rel": "self", "href": "http://localhost/v2/"}]},
        {"id": "v2.1", "status": "CURRENT", "version": MAX_API_VERSION,
         "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
         "links": [{"rel": "self", "href": "http://localhost/v2.1/"}]}]}
    assert "OpenStack-API-Version" not in res.headers
    assert "Vary" not in res.headers


def test_unknown_path_is_300_choices(app):
    res = get(app, "/v3")
    assert res.status_int == 300
    assert res.json == {"choices": [
        {"id": "v2.0", "status": "SUPPORTED",
         "links": [{"rel": "self", "href": "http://localhost/v2/v3"}],
         "media-types": [{"base": "application/json",
                          "type": "application/vnd.openstack.compute+json;"
                                  "version=2"}]},
        {"id": "v2.1", "status": "CURRENT",
         "links": [{"rel": "self", "href": "http://localhost/v2.1/v3"}],
         "media-types": [{"base": "application/json",
                          "type": "application/vnd.openstack.compute+json;"
                                  "version=2.1"}]}]}


@pytest.mark.parametrize("path", ["/v2.1", "/v2.1/"])
def test_v21_document_with_version_headers(app, path):
    res = get(app, path)
    assert res.status_int == 200
    assert res.json == V21_DOC
    assert res.headers["OpenStack-API-Version"] == "compute 2.1"
    assert res.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert res.headers.getall("Vary") == [
        "OpenStack-API-Version", "X-OpenStack-Nova-API-Version"]


def test_latest_echoes_the_maximum(app):
    res = get(app, "/v2.1/",
              headers={"OpenStack-API-Version": "compute latest"})
    assert res.status_int == 200
    assert res.headers["OpenStack-API-Version"] == (
        "compute " + MAX_API_VERSION)


def test_legacy_header_is_read(app):
    res = get(app, "/v2.1/", headers={"X-OpenStack-Nova-API-Version": "2.1"})
    assert res.headers["X-OpenStack-Nova-API-Version"] == "2.1"


def test_malformed_version_is_400_without_version_headers(app):
    res = get(app, "/v2.1/", headers={"OpenStack-API-Version": "compute 2.x"})
    assert res.status_int == 400
    assert res.content_type == "application/json"
    assert res.json == {"badRequest": {"code": 400, "message":
        "API Version String 2.x is of invalid format. Must be of format "
        "MajorNum.MinorNum."}}
    assert "OpenStack-API-Version" not in res.headers


def test_out_of_range_version_is_406_with_version_headers(app):
    res = get(app, "/v2.1/",
              headers={"OpenStack-API-Version": "compute 2.999"})
    assert res.status_int == 406
    assert res.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert res.json == {"computeFault": {"code": 406, "message":
        "Version 2.999 is not supported by the API. Minimum is 2.1 and "
        "maximum is %s." % MAX_API_VERSION}}
    assert res.headers["OpenStack-API-Version"] == "compute 2.999"
    assert res.headers["X-OpenStack-Nova-API-Version"] == "2.999"


@pytest.mark.parametrize("path", ["/v2", "/v2/"])
def test_legacy_v2_document_has_no_version_headers(app, path):
    res = get(app, path, headers={"OpenStack-API-Version": "compute 2.999"})
    assert res.status_int == 200
    assert res.json["version"]["id"] == "v2.0"
    assert res.json["version"]["links"][0] == {
        "rel": "self", "href": "http://localhost/v2/"}
    assert "OpenStack-API-Version" not in res.headers
    assert "X-OpenStack-Nova-API-Version" not in res.headers
    assert "Vary" not in res.headers


def test_noauth2_without_token_is_204_with_token(app):
    res = get(app, "/v2.1/servers",
              headers={"X-Auth-User": "alice", "X-Auth-Project-Id": "p1"})
    assert res.status_int == 204
    assert res.headers["X-Auth-Token"] == "alice:p1"
    assert res.headers["X-Server-Management-Url"] == (
        "http://localhost/v2.1/servers/p1")
    assert res.body == b""


@pytest.mark.parametrize("accept", [None, "text/html", "application/json"])
def test_an_unknown_route_is_novas_json_404(app, accept):
    headers = {"X-Auth-Token": "a:b"}
    if accept:
        headers["Accept"] = accept
    res = get(app, "/v2.1/no-such-thing", headers=headers)
    assert res.status_int == 404
    assert res.content_type == "application/json"
    assert res.json == {"itemNotFound": {
        "code": 404, "message": "The resource could not be found."}}


@pytest.mark.parametrize("path, method, allow", [
    ("/v2.1/flavors", "DELETE", "GET, POST"),
    ("/v2.1/abc/servers/x", "POST", "DELETE, GET, PUT"),
    ("/v2.1/os-keypairs", "PUT", "GET, POST"),
])
def test_a_wrong_method_is_405_with_allow(app, path, method, allow):
    res = get(app, path, method=method, headers={"X-Auth-Token": "a:abc"})
    assert res.status_int == 405
    assert res.headers["Allow"] == allow
    assert res.json == {"badMethod": {"code": 405, "message":
        "The method %s is not allowed for this resource." % method}}


@pytest.mark.parametrize("path", [
    "/v2.1/servers?name=%ff", "/v2.1/servers/detail?%ff=1",
    "/v2.1/flavors?minRam=%ff", "/v2.1/os-keypairs?limit=%c3%28"])
def test_a_query_string_not_utf8_is_400(app, path):
    res = get(app, path, headers={"X-Auth-Token": "a:b"})
    assert res.status_int == 400
    assert res.json == {"badRequest": {
        "code": 400, "message": "The query string is not valid UTF-8."}}


def nested(depth, inner=b"1"):
    return b'{"a": ' * (depth - 1) + b"[" + inner + b"]" + b"}" * (depth - 1)


@pytest.mark.parametrize("path, body", [
    ("/v2.1/servers", b"[" * 100000),  # not even complete
    ("/v2.1/servers", b'{"server": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
    # Parsed, but deep enough for the schema's message to recurse too far.
    ("/v2.1/flavors/1/os-extra_specs", b'{"extra_specs": {"k": '
     + b"[" * 900 + b"]" * 900 + b"}}"),
    ("/v2.1/servers", nested(wsgi.MAX_BODY_DEPTH + 1)),
], ids=["open brackets", "past the parser", "past the schema",
        "one past the limit"])
def test_json_nested_too_deep_is_400(app, path, body):
    res = get(app, path, method="POST", body=body, headers={
        "X-Auth-Token": "a:b", "Content-Type": "application/json"})
    assert res.status_int == 400
    assert res.json == {"badRequest": {
        "code": 400, "message": "Malformed request body"}}


def test_json_nested_to_the_limit_is_read(app):
    res = get(app, "/v2.1/servers", method="POST",
              body=nested(wsgi.MAX_BODY_DEPTH), headers={
                  "X-Auth-Token": "a:b", "Content-Type": "application/json"})
    assert res.status_int == 400
    assert "server" in res.json["badRequest"]["message"]  # the schema's


def test_project_prefixed_root_reaches_router(app):
    res = get(app, "/v2.1/abc123/", headers={"X-Auth-Token": "u:abc123"})
    assert res.status_int == 200
    assert res.json == V21_DOC


def test_project_id_mismatch_is_400(app):
    res = get(app, "/v2.1/abc123/", headers={"X-Auth-Token": "u:def"})
    assert res.status_int == 400
    assert res.json == {"badRequest": {"code": 400, "message":
        "Malformed request URL: URL's project_id 'abc123' doesn't match "
        "Context's project_id 'def'"}}


def test_request_id_headers_are_fresh(app):
    inbound = "req-%s" % uuid.uuid4()
    res = get(app, "/v2.1/", headers={"X-Openstack-Request-Id": inbound})
    req_id = res.headers["x-openstack-request-id"]
    assert REQ_ID.match(req_id)
    assert req_id != inbound
    assert res.headers["x-compute-request-id"] == req_id


def test_cors_preflight_for_allowed_origin(app):
    res = get(app, "/v2.1/", method="OPTIONS",
              headers={"Origin": ORIGIN,
                       "Access-Control-Request-Method": "GET"})
    assert res.status_int == 200
    assert res.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert res.headers["Access-Control-Allow-Methods"] == "GET"
    assert res.headers["Access-Control-Max-Age"] == "3600"


def test_cors_ignores_other_origins(app):
    res = get(app, "/", headers={"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in res.headers


def test_sizelimit_from_config(tmp_path):
    app = load_stack(tmp_path, "[api]\nauth_strategy = noauth2\n"
                     "[oslo_middleware]\nmax_request_body_size = 10\n")
    res = get(app, "/v2.1/x", method="POST", body=b"{" * 11,
              content_type="application/json",
              headers={"X-Auth-Token": "a:b"})
    assert res.status_int == 413


def test_compute_link_prefix(tmp_path):
    app = load_stack(tmp_path, "[api]\nauth_strategy = noauth2\n"
                     "compute_link_prefix = https://api.example/compute\n")
    assert get(app, "/").json["versions"][1]["links"] == [
        {"rel": "self", "href": "https://api.example/compute/v2.1/"}]
    assert get(app, "/v2.1/").json["version"]["links"][0] == {
        "rel": "self", "href": "https://api.example/compute/v2.1/"}


def test_url_scheme_is_used_in_links(app):
    res = get(app, "/", environ={"wsgi.url_scheme": "https"},
              headers={"Host": "h:8774"})
    assert res.json["versions"][0]["links"][0]["href"] == "https://h:8774/v2/"


def test_keystone_without_keystonemiddleware_is_one_clear_line(
        tmp_path, monkeypatch):
    from minova_tw.api import errors
    monkeypatch.setitem(__import__("sys").modules, "keystonemiddleware", None)
    with pytest.raises(errors.MissingExtraError) as info:
        load_stack(tmp_path, "[api]\nauth_strategy = keystone\n")
    assert str(info.value) == (
        "[api] auth_strategy = keystone needs keystonemiddleware, which is "
        "not installed: pip install 'minova[keystone]'")


def test_body_of_other_media_type_is_415(app):
    res = get(app, "/v2.1/", method="POST", body=b"<xml/>",
              content_type="application/xml")
    assert res.status_int == 415
    assert json.loads(res.body) == {"badMediaType": {
        "code": 415, "message": "Unsupported Content-Type"}}


def test_cached_listings_follow_writes(app):
    """Flavor and key pair listings are served from a cache: a write shows
    at once, and each caller, version and query gets its own answer."""
    admin = {"X-Auth-Token": "admin:admin"}

    def names(path, headers=admin):
        body = get(app, path, headers=headers).json
        key = "flavors" if "flavors" in path else "keypairs"
        return [item.get("name") or item["keypair"]["name"]
                for item in body[key]]

    before = names("/v2.1/flavors/detail")
    assert names("/v2.1/flavors/detail?limit=1") == before[:1]
    res = get(app, "/v2.1/flavors", method="POST", headers=admin,
              json={"flavor": {"name": "new", "ram": 1, "vcpus": 1,
                               "disk": 0}})
    assert res.status_int == 200
    assert sorted(names("/v2.1/flavors/detail")) == sorted(before + ["new"])
    assert names("/v2.1/os-keypairs") == []
    key = get(app, "/v2.1/os-keypairs", method="POST", headers=admin,
              json={"keypair": {"name": "k"}})
    assert key.status_int == 200
    assert names("/v2.1/os-keypairs") == ["k"]
    assert names("/v2.1/os-keypairs", {"X-Auth-Token": "u:p"}) == []
    assert "type" in get(app, "/v2.1/os-keypairs", headers=dict(
        admin, **{"OpenStack-API-Version": "compute 2.2"})
    ).json["keypairs"][0]["keypair"]

"""The identity, image, volume and network stand-ins, mounted in
etc/api-paste.ini's osapi_compute stack at /identity, /image, /volume and
/network, loaded as the host loads it."""

import datetime
import json
import os

import pytest
from paste.deploy import loadapp
import webob

from minova_tw import conf as minova_conf
from minova_tw.api.standins import identity, image, network, volume
from minova_tw.compute import api as compute_api
from minova_tw.compute import network as compute_network
from tests.unit.conftest import Clock, Context

PASTE = os.path.join(os.path.dirname(__file__), "..", "..", "etc",
                     "api-paste.ini")
CIRROS = "70a599e0-31e7-49b7-b260-868f441e862b"
OTHER = "0b3a4d2e-58a8-4c43-9b3c-2f6a2b4c1d10"
NOW = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


def load_conf(tmp_path, strategy):
    path = tmp_path / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = state\n"
                    "[api]\nauth_strategy = %s\n" % strategy)
    return minova_conf.load([str(path)])


def load_stack(conf):
    return loadapp("config:" + os.path.abspath(PASTE), name="osapi_compute",
                   global_conf=minova_conf.paste_global_conf(conf))


@pytest.fixture
def noauth_conf(tmp_path):
    return load_conf(tmp_path, "noauth2")


@pytest.fixture
def app(noauth_conf):
    return load_stack(noauth_conf)


def get(app, path, **kwargs):
    return webob.Request.blank(path, **kwargs).get_response(app)


def post_token(app, body, raw=None):
    return get(app, "/identity/v3/auth/tokens", method="POST",
               body=raw if raw is not None else json.dumps(body).encode(),
               content_type="application/json")


def token_auth(token, scope=None):
    auth = {"identity": {"methods": ["token"], "token": {"id": token}}}
    if scope is not None:
        auth["scope"] = scope
    return {"auth": auth}


@pytest.mark.parametrize("path", ["/identity", "/identity/"])
def test_identity_root_points_at_v3(app, path):
    res = get(app, path)
    assert res.status_int == 300
    [version] = res.json["versions"]["values"]
    assert version["id"] == "v3.14"
    assert version["links"] == [{"rel": "self",
                                 "href": "http://localhost/identity/v3/"}]


def test_identity_v3_document(app):
    res = get(app, "/identity/v3")
    assert res.status_int == 200
    assert res.json["version"]["status"] == "stable"


def test_token_method_issues_the_presented_noauth2_token(app):
    res = post_token(app, token_auth("demo:proj"))
    assert res.status_int == 201
    assert res.headers["X-Subject-Token"] == "demo:proj"
    token = res.json["token"]
    assert token["user"]["id"] == "demo"
    assert token["project"]["id"] == "proj"
    assert token["methods"] == ["token"]
    assert token["roles"] == [{"id": "member", "name": "member"},
                              {"id": "reader", "name": "reader"}]


def test_token_method_keeps_the_presented_tokens_roles(app):
    res = post_token(app, token_auth("demo:proj:reader"))
    assert res.headers["X-Subject-Token"] == "demo:proj:reader"
    assert res.json["token"]["roles"] == [{"id": "reader", "name": "reader"}]


def test_project_scope_wins_over_the_tokens_project(app):
    res = post_token(app, token_auth("demo:proj", {"project": {
        "name": "other", "domain": {"id": "default"}}}))
    assert res.headers["X-Subject-Token"] == "demo:other"


def test_password_method_scopes_to_the_user_without_a_scope(app):
    res = post_token(app, {"auth": {"identity": {
        "methods": ["password"],
        "password": {"user": {"name": "admin", "password": "x"}}}}})
    assert res.headers["X-Subject-Token"] == "admin:admin"
    assert [role["name"] for role in res.json["token"]["roles"]] == [
        "admin", "member", "reader"]


def test_catalog_lists_the_services_beside_the_mount(app):
    res = post_token(app, token_auth("demo"))
    urls = {service["type"]: {e["interface"]: e["url"]
                              for e in service["endpoints"]}
            for service in res.json["token"]["catalog"]}
    assert urls["compute"]["public"] == "http://localhost/v2.1"
    assert urls["image"]["public"] == "http://localhost/image"
    assert urls["identity"]["public"] == "http://localhost/identity"
    assert urls["block-storage"]["public"] == "http://localhost/volume"
    assert urls["network"]["public"] == "http://localhost/network"
    assert set(urls["compute"]) == {"public", "internal", "admin"}


def test_token_lifetime_comes_from_the_clock():
    body = identity.token_body("u", "p", ["member"], "http://h", "token",
                               NOW)["token"]
    assert body["issued_at"] == "2024-05-01T12:00:00.000000Z"
    assert body["expires_at"] == "2024-05-02T12:00:00.000000Z"


@pytest.mark.parametrize("raw, message", [
    (b"{not json", "The request body is not JSON."),
    (b"[]", "the body needs an 'auth' object"),
    (b'{"auth": {"identity": {}}}',
     "auth.identity.methods must be a non-empty list"),
    (b'{"auth": {"identity": {"methods": ["totp"]}}}',
     "auth method 'totp' is not supported by this stand-in "
     "(token, password)"),
    (b'{"auth": {"identity": {"methods": ["token"], "token": {}}}}',
     "auth.identity.token needs an id or a name"),
    (b'{"auth": {"identity": {"methods": ["password"], "password": 1}}}',
     "auth.identity.password.user must be an object"),
    (b'{"auth": {"identity": {"methods": ["token"], "token": {"id": "a"}},'
     b' "scope": {"domain": {"id": "default"}}}}',
     "only a project scope is supported"),
])
def test_bad_auth_requests_are_400_with_keystones_body(app, raw, message):
    res = post_token(app, None, raw=raw)
    assert res.status_int == 400
    assert res.json == {"error": {"code": 400, "title": "Bad Request",
                                  "message": message}}


def test_any_project_name_is_a_project_of_that_id(app):
    shown = get(app, "/identity/v3/projects/demo")
    assert shown.status_int == 200
    assert shown.json == {"project": {
        "id": "demo", "name": "demo", "domain_id": "default",
        "description": "", "enabled": True, "is_domain": False,
        "parent_id": "default", "tags": [], "options": {},
        "links": {"self": "http://localhost/identity/v3/projects/demo"}}}
    listed = get(app, "/identity/v3/projects?name=demo")
    assert listed.status_int == 200
    assert listed.json["projects"] == [shown.json["project"]]


@pytest.mark.parametrize("method, path", [
    ("GET", "/identity/v3/users"), ("GET", "/identity/v3/auth/tokens"),
    ("GET", "/identity/v3/projects"), ("POST", "/identity/v3/projects"),
    ("DELETE", "/identity/v3/projects/x"),
    ("GET", "/identity/v3/projects/demo/users"),
    ("POST", "/identity/v3"), ("GET", "/image/v2/schemas/image"),
    ("DELETE", "/image/v2/images/" + CIRROS),
    ("GET", "/image/v2/images/not-a-uuid")])
def test_anything_else_is_404(app, method, path):
    res = get(app, path, method=method)
    assert res.status_int == 404
    assert res.json["error"]["code"] == 404


def test_image_root_points_at_v2(app):
    res = get(app, "/image")
    assert res.status_int == 300
    assert res.json["versions"][0]["links"][0]["href"] == (
        "http://localhost/image/v2/")


def test_image_list_is_the_catalogue(app):
    res = get(app, "/image/v2/images")
    assert res.status_int == 200
    assert [(i["id"], i["name"], i["status"]) for i in res.json["images"]] == [
        (CIRROS, "cirros", "active")]
    assert "next" not in res.json


@pytest.mark.parametrize("query, names", [
    ("name=cirros", ["cirros"]), ("name=nope", []),
    ("id=in:%s,%s,junk" % (CIRROS, OTHER), ["cirros", OTHER]),
    ("id=%s" % OTHER, [OTHER]), ("id=%s&name=cirros" % OTHER, [])])
def test_image_list_filters(app, query, names):
    res = get(app, "/image/v2/images?" + query)
    assert [i["name"] for i in res.json["images"]] == names


def test_any_uuid_is_an_image_named_after_itself(app):
    assert get(app, "/image/v2/images/" + CIRROS).json["name"] == "cirros"
    res = get(app, "/image/v2/images/" + OTHER)
    assert res.status_int == 200
    assert res.json == image.image(OTHER, OTHER)


def test_a_backup_is_listed_by_its_name_and_shown_by_its_id(noauth_conf,
                                                            app):
    clock = Clock()
    compute = compute_api.API(noauth_conf, clock=clock)
    ctx = Context()
    server = compute.servers.create(ctx, "vm", "1", CIRROS)[0].uuid
    clock.advance(10)
    backup = compute.server_actions.create_backup(ctx, server, "nightly",
                                                  "daily", 1)
    res = get(app, "/image/v2/images?name=nightly")
    [listed] = res.json["images"]
    assert (listed["id"], listed["image_type"], listed["backup_type"],
            listed["instance_uuid"], listed["owner"]) == (
        backup, "backup", "daily", server, ctx.project_id)
    assert get(app, "/image/v2/images/" + backup).json == listed
    assert [i["name"] for i in get(app, "/image/v2/images").json[
        "images"]] == ["cirros", "nightly"]


@pytest.fixture
def attached(noauth_conf, app):
    """A server of the stack's database with OTHER attached as a volume
    and a port: ``(server uuid, port)``."""
    clock = Clock()
    compute = compute_api.API(noauth_conf, clock=clock)
    ctx = Context()
    server = compute.servers.create(ctx, "vm", "1", CIRROS)[0].uuid
    clock.advance(10)
    compute.volume_attachments.attach(ctx, server, OTHER)
    port = compute.interfaces.attach(ctx, server, port_id=OTHER)
    return server, port


def test_volume_root_points_at_v3(app):
    res = get(app, "/volume")
    assert res.status_int == 300
    assert res.json["versions"][0]["links"][0]["href"] == (
        "http://localhost/volume/v3/")


def test_any_uuid_is_a_volume_in_use_while_attached(app, attached):
    server, _ = attached
    free = get(app, "/volume/v3/volumes/" + CIRROS).json["volume"]
    assert (free["id"], free["status"], free["attachments"]) == (
        CIRROS, "available", [])
    for path in ("/volume/v3/volumes/", "/volume/v3/demo/volumes/"):
        used = get(app, path + OTHER).json["volume"]
        assert used["status"] == "in-use"
        assert [(a["server_id"], a["device"]) for a in used[
            "attachments"]] == [(server, "/dev/vdb")]
    assert get(app, "/volume/v3/volumes/junk").status_int == 404


def test_network_serves_its_network_and_any_uuid_as_a_port(
        noauth_conf, app, attached):
    server, attached_port = attached
    assert get(app, "/network").json["versions"][0]["id"] == "v2.0"
    net_id = compute_network.network_id(noauth_conf)
    shown = get(app, "/network/v2.0/networks/" + net_id).json["network"]
    assert (shown["id"], shown["name"]) == (net_id, "private")
    res = get(app, "/network/v2.0/networks/" + OTHER)
    assert res.status_int == 404
    assert res.json["NeutronError"]["type"] == "NetworkNotFound"
    port = get(app, "/network/v2.0/ports/" + OTHER).json["port"]
    assert (port["status"], port["device_id"], port["mac_address"],
            port["fixed_ips"][0]["ip_address"]) == (
        "ACTIVE", server, attached_port.mac_address, attached_port.address)
    free = get(app, "/network/v2.0/ports/" + CIRROS).json["port"]
    assert (free["status"], free["device_id"], free["network_id"]) == (
        "DOWN", "", net_id)
    assert get(app, "/network/v2.0/ports/junk").status_int == 404


def _as(project):
    return {"X-Auth-Token": "user:%s" % project}


def test_network_makes_and_finds_a_projects_security_groups(app):
    groups = "/network/v2.0/security-groups"
    listed = get(app, groups, headers=_as("p1")).json["security_groups"]
    assert [(g["name"], g["project_id"], g["security_group_rules"])
            for g in listed] == [("default", "p1", [])]
    default = listed[0]
    made = get(app, groups, method="POST", headers=_as("p1"),
               json={"security_group": {"name": "web",
                                        "description": "HTTP"}})
    assert made.status_int == 201, made.text
    web = made.json["security_group"]
    assert (web["name"], web["description"], web["tenant_id"]) == (
        "web", "HTTP", "p1")
    # What openstacksdk's find asks: by id, else a listing by name.
    assert get(app, groups + "/" + web["id"],
               headers=_as("p1")).json["security_group"] == web
    assert get(app, groups + "?name=web",
               headers=_as("p1")).json["security_groups"] == [web]
    assert get(app, groups + "?id=%s&id=%s" % (web["id"], default["id"]),
               headers=_as("p1")).json["security_groups"] == [default, web]
    assert get(app, groups + "?name=web",
               headers=_as("p2")).json["security_groups"] == []
    missing = get(app, groups + "/" + web["id"], headers=_as("p2"))
    assert missing.status_int == 404
    assert missing.json["NeutronError"]["type"] == "SecurityGroupNotFound"
    for name in ("web", "default"):
        again = get(app, groups, method="POST", headers=_as("p1"),
                    json={"security_group": {"name": name}})
        assert again.status_int == 409
        assert again.json["NeutronError"]["type"] == "SecurityGroupExists"


@pytest.mark.parametrize("body", [
    b"junk", b"[]", b'{"security_group": []}',
    b'{"security_group": {"name": 1}}',
    b'{"security_group": {"name": "x", "description": "%s"}}' % (
        b"d" * 256)])
def test_network_refuses_a_bad_security_group(app, body):
    res = get(app, "/network/v2.0/security-groups", method="POST",
              headers=_as("p1"), body=body, content_type="application/json")
    assert res.status_int == 400
    assert res.json["NeutronError"]["type"] == "HTTPBadRequest"


@pytest.mark.parametrize("factory, path", [
    (identity.factory, "/identity"), (image.factory, "/image/v2/images"),
    (volume.factory, "/v3/volumes/" + OTHER),
    (network.factory, "/v2.0/ports/" + OTHER)])
def test_not_served_without_noauth2(tmp_path, factory, path):
    conf_file = tmp_path / "keystone.conf"
    conf_file.write_text("[DEFAULT]\nstate_path = state\n"
                         "[api]\nauth_strategy = keystone\n")
    app = factory(minova_conf.paste_global_conf(
        minova_conf.load([str(conf_file)])))
    res = get(app, path)
    assert res.status_int == 404
    assert "auth_strategy = noauth2" in res.json["error"]["message"]

"""Auth: pipeline factory, keystonecontext, noauth2, the keystone extra."""

import json
import sys

import pytest
import webob
import webob.dec

from minova_tw import conf as minova_conf
from minova_tw import context
from minova_tw.api import auth, errors
from minova_tw.api.openstack.auth import NoAuthMiddleware


@pytest.fixture
def conf(tmp_path):
    path = tmp_path / "api.conf"
    path.write_text("[api]\nauth_strategy = noauth2\n")
    return minova_conf.load([str(path)])


@webob.dec.wsgify
def show_context(req):
    ctx = req.environ[context.ENVIRON_KEY]
    return webob.Response(json_body={
        "user": ctx.user_id, "project": ctx.project_id,
        "admin": ctx.is_admin, "roles": ctx.roles,
        "addr": ctx.remote_address, "catalog": ctx.service_catalog,
        "request_id": ctx.request_id})


def test_pipeline_first_filter_is_outermost(conf):
    order = []

    def make_filter(name):
        def wrap(app):
            def filtered(environ, start_response):
                order.append(name)
                return app(environ, start_response)
            return filtered
        return wrap

    class Loader:
        def get_filter(self, name, global_conf):
            return make_filter(name)

        def get_app(self, name, global_conf):
            return webob.Response(body=name.encode())

    app = auth.pipeline_factory_v21(
        Loader(), minova_conf.paste_global_conf(conf),
        keystone="x y app_k", noauth2="a b app_n")
    res = webob.Request.blank("/").get_response(app)
    assert res.body == b"app_n"
    assert order == ["a", "b"]


def test_pipeline_without_strategy_key_is_config_error(conf):
    with pytest.raises(minova_conf.ConfigError,
                       match=r"^\[api\] auth_strategy = noauth2: the paste "
                             "composite has no noauth2 pipeline$"):
        auth.pipeline_factory_v21(None, minova_conf.paste_global_conf(conf),
                                  keystone="app")


def test_authtoken_without_keystonemiddleware(monkeypatch, conf):
    monkeypatch.setitem(sys.modules, "keystonemiddleware", None)
    with pytest.raises(errors.MissingExtraError) as info:
        auth.authtoken_factory(minova_conf.paste_global_conf(conf))
    assert "\n" not in str(info.value)
    assert "pip install 'minova[keystone]'" in str(info.value)


def keystone_call(conf, headers, **environ):
    req = webob.Request.blank("/", headers=headers, environ=environ)
    return req.get_response(auth.NovaKeystoneContext(show_context, conf))


def test_keystone_context_from_headers(conf):
    catalog = [{"type": "image", "endpoints": []}]
    res = keystone_call(conf, {
        "X-User-Id": "u1", "X-Project-Id": "p1", "X-Roles": "reader, admin",
        "X-Service-Catalog": json.dumps(catalog)},
        REMOTE_ADDR="10.0.0.9", **{"openstack.request_id": "req-1"})
    assert res.json == {"user": "u1", "project": "p1", "admin": True,
                        "roles": ["reader", "admin"], "addr": "10.0.0.9",
                        "catalog": catalog, "request_id": "req-1"}


def test_keystone_context_forwarded_for(tmp_path):
    path = tmp_path / "api.conf"
    path.write_text("[api]\nuse_forwarded_for = true\n")
    conf = minova_conf.load([str(path)])
    res = keystone_call(conf, {"X-User-Id": "u", "X-Forwarded-For": "1.2.3.4"},
                        REMOTE_ADDR="10.0.0.9")
    assert res.json["addr"] == "1.2.3.4"


def test_keystone_bad_catalog_is_500(conf):
    res = keystone_call(conf, {"X-User-Id": "u", "X-Service-Catalog": "{"})
    assert res.status_int == 500
    assert "Invalid service catalog json." in res.text


def test_keystone_no_user_is_bare_401(conf):
    res = keystone_call(conf, {"X-Project-Id": "p"})
    assert res.status_int == 401
    assert "unauthorized" not in res.text


def noauth_call(conf, headers):
    req = webob.Request.blank("/v2.1/servers/", headers=headers,
                              environ={"REMOTE_ADDR": "10.1.1.1"})
    return req.get_response(NoAuthMiddleware(show_context, conf))


def test_noauth_hands_out_default_token(conf):
    res = noauth_call(conf, {})
    assert res.status_int == 204
    assert res.headers["X-Auth-Token"] == "admin:admin"
    assert res.headers["X-Server-Management-Url"] == (
        "http://localhost/v2.1/servers/admin")
    assert res.headers["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize("token, user, project, admin, roles", [
    ("alice:p1", "alice", "p1", False, ["member", "reader"]),
    ("admin:p1", "admin", "p1", True, ["admin", "member", "reader"]),
    ("bob", "bob", "bob", False, ["member", "reader"]),
    ("carol:p2:reader", "carol", "p2", False, ["reader"]),
    ("dave:p3:reader,admin", "dave", "p3", True,
     ["reader", "admin", "member"]),
    ("admin:p1:member", "admin", "p1", False, ["member", "reader"]),
    ("erin:p4:manager", "erin", "p4", False, ["manager", "member", "reader"]),
])
def test_noauth_token_becomes_context(conf, token, user, project, admin,
                                      roles):
    res = noauth_call(conf, {"X-Auth-Token": token})
    assert res.status_int == 200
    body = res.json
    assert (body["user"], body["project"], body["admin"], body["roles"],
            body["addr"]) == (user, project, admin, roles, "10.1.1.1")


def test_each_request_of_a_token_gets_roles_of_its_own():
    """parse_token remembers tokens; a context changing its roles (as
    ``elevated`` builds on) must not change the next request's."""
    from minova_tw.api.openstack.auth import parse_token
    first = parse_token("frank:p5:reader")
    first[2].append("admin")
    assert parse_token("frank:p5:reader") == ("frank", "p5", ["reader"])

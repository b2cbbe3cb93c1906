"""The controller framework through a real APIRouter with a test-only
controller: dispatch, actions, microversioned methods, bodies, errors."""

import pytest
import webob
import webob.exc

from minova_tw import context
from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request, wsgi
from minova_tw.api.openstack.compute import APIRouterV21
from minova_tw.compute import exception

NAME_SCHEMA = {
    "type": "object",
    "properties": {"thing": {
        "type": "object",
        "properties": {"name": {"type": "string", "maxLength": 5}},
        "required": ["name"],
        "additionalProperties": False}},
    "required": ["thing"],
    "additionalProperties": False,
}


class ThingsController(wsgi.Controller):
    """Test-only resource."""

    def index(self, req):
        return {"things": [], "limit": self.conf["limit"]}

    @wsgi.api_version("2.1", "2.2")
    def show(self, req, id):
        return {"thing": {"id": id, "v": "old"}}

    @show.api_version("2.3")
    def show(self, req, id):
        return {"thing": {"id": id, "v": "new"}}

    @wsgi.api_version("2.4")
    def detail(self, req):
        return {"things": ["detail"]}

    @wsgi.response(201)
    @wsgi.expected_errors(400)
    @validation.schema(NAME_SCHEMA)
    def create(self, req, body):
        return wsgi.ResponseObject({"thing": body["thing"]},
                                   headers={"Location": "/things/1"})

    @wsgi.response(204)
    @wsgi.expected_errors(404)
    def delete(self, req, id):
        if id == "missing":
            raise webob.exc.HTTPNotFound(explanation="Thing missing.")
        if id == "conflict":
            raise webob.exc.HTTPConflict(explanation="busy")
        if id == "boom":
            raise KeyError("secret detail")
        if id == "forbidden":
            raise exception.Forbidden("Policy says no.")

    @wsgi.response(202)
    @wsgi.action("poke")
    def _poke(self, req, id, body):
        return None

    @wsgi.action("prod")
    def _prod(self, req, id, body):
        return {"prodded": body["prod"]}


class NudgesController(wsgi.Controller):
    """Test-only controller whose actions are served on /things/{id}/action."""

    @wsgi.api_version("2.3")
    @wsgi.action("nudge")
    def _nudge(self, req, id, body):
        return {"nudged": id, "by": type(self).__name__,
                "limit": self.conf["limit"]}


ROUTES = (
    ("/things", {"GET": (ThingsController, "index"),
                 "POST": (ThingsController, "create")}),
    ("/things/detail", {"GET": (ThingsController, "detail")}),
    ("/things/{id}", {"GET": (ThingsController, "show"),
                      "DELETE": (ThingsController, "delete"),
                      # test-only mismatch: index takes no id
                      "PUT": (ThingsController, "index")}),
    ("/things/{id}/action", {"POST": (ThingsController, "action")}),
)


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr(api_version_request, "MAX_API_VERSION", "2.5")
    return APIRouterV21({"limit": 7}, route_list=ROUTES,
                        action_controllers={
                            ThingsController: (NudgesController,)})


def call(router, path, method="GET", body=None, version=None, project="p",
         content_type="application/json", **environ):
    headers = {}
    if version:
        headers["OpenStack-API-Version"] = "compute %s" % version
    req = webob.Request.blank(path, method=method, headers=headers,
                              environ=environ)
    if body is not None:
        req.body = body.encode() if isinstance(body, str) else body
        req.content_type = content_type
    req.environ[context.ENVIRON_KEY] = context.RequestContext(
        user_id="u", project_id=project)
    return req.get_response(router)


def test_index_uses_the_controller_conf(router):
    res = call(router, "/things")
    assert res.status_int == 200
    assert res.content_type == "application/json"
    assert res.json == {"things": [], "limit": 7}


def test_project_prefix_is_optional(router):
    res = call(router, "/abc-1/things", project="abc-1")
    assert res.json == {"things": [], "limit": 7}


def test_wrong_method_is_405_naming_the_routed_ones(router):
    res = call(router, "/things", method="PUT", body="{}")
    assert res.status_int == 405
    assert res.headers["Allow"] == "GET, POST"
    assert res.json == {"badMethod": {"code": 405, "message":
        "The method PUT is not allowed for this resource."}}


def test_a_path_no_route_takes_is_a_404_fault(router):
    res = call(router, "/nothings")
    assert res.status_int == 404
    assert res.json == {"itemNotFound": {
        "code": 404, "message": "The resource could not be found."}}


def test_routing_never_hashes_the_compiled_routes(router, monkeypatch):
    """``re.match`` with a compiled pattern hashes its whole code to look
    it up in re's cache: Routes' master regexp of every route did that on
    each request (ProjectMapper.create_regs drops it). Only per-route
    patterns may be matched, found and unfound paths alike."""
    import re
    from routes import mapper
    patterns = []
    real_match = re.match

    def match(pattern, string, flags=0):
        patterns.append(pattern)
        return real_match(pattern, string, flags)
    monkeypatch.setattr(mapper.re, "match", match)
    assert call(router, "/things").status_int == 200
    assert call(router, "/nothings").status_int == 404
    assert not [p for p in patterns if isinstance(p, re.Pattern)]


def test_versioned_method_variants(router):
    assert call(router, "/things/1").json["thing"]["v"] == "old"
    assert call(router, "/things/1", version="2.2").json["thing"]["v"] == "old"
    assert call(router, "/things/1", version="2.3").json["thing"]["v"] == "new"
    res = call(router, "/things/1", version="latest")
    assert res.headers["OpenStack-API-Version"] == "compute 2.5"


def test_method_absent_at_version_is_404_fault(router):
    res = call(router, "/things/detail", version="2.3")
    assert res.status_int == 404
    assert res.json == {"itemNotFound": {
        "code": 404, "message": "The resource could not be found."}}
    assert res.headers["OpenStack-API-Version"] == "compute 2.3"
    assert call(router, "/things/detail", version="2.4").json == {
        "things": ["detail"]}


def test_response_object_code_and_headers(router):
    res = call(router, "/things", method="POST",
               body='{"thing": {"name": "a"}}')
    assert res.status_int == 201
    assert res.headers["Location"] == "http://localhost/things/1"
    assert res.json == {"thing": {"name": "a"}}


def test_vendor_media_type_is_accepted_and_echoed(router):
    req_type = "application/vnd.openstack.compute+json"
    res = call(router, "/things", method="POST",
               body='{"thing": {"name": "a"}}', content_type=req_type,
               HTTP_ACCEPT=req_type)
    assert res.status_int == 201
    assert res.content_type == req_type


def test_schema_errors_are_400_with_nova_wording(router):
    res = call(router, "/things", method="POST",
               body='{"thing": {"name": "toolong"}}')
    assert res.status_int == 400
    assert res.json == {"badRequest": {"code": 400, "message":
        "Invalid input for field/attribute name. Value: toolong. "
        "'toolong' is too long"}}
    res = call(router, "/things", method="POST", body='{}')
    assert res.json == {"badRequest": {
        "code": 400, "message": "'thing' is a required property"}}


def test_legacy_v2_tolerates_unknown_properties(router):
    body = '{"thing": {"name": "a", "extra": 1}}'
    assert call(router, "/things", method="POST", body=body).status_int == 400
    res = call(router, "/things", method="POST", body=body,
               **{wsgi.LEGACY_V2_KEY: True})
    assert res.status_int == 201


def test_malformed_body_is_400(router):
    res = call(router, "/things", method="POST", body="{not json")
    assert res.status_int == 400
    assert res.json == {"badRequest": {
        "code": 400, "message": "Malformed request body"}}


def test_other_media_type_with_body_is_415(router):
    res = call(router, "/things", method="POST", body="<thing/>",
               content_type="application/xml")
    assert res.status_int == 415
    assert res.json == {"badMediaType": {
        "code": 415, "message": "Unsupported Content-Type"}}


def test_text_plain_counts_as_no_type(router):
    res = call(router, "/things", method="POST",
               body='{"thing": {"name": "a"}}', content_type="text/plain")
    assert res.status_int == 201


@pytest.mark.parametrize("thing, fault", [
    # declared in expected_errors
    ("missing", {"itemNotFound": {"code": 404, "message": "Thing missing."}}),
    # policy errors pass expected_errors everywhere
    ("forbidden", {"forbidden": {"code": 403, "message": "Policy says no."}}),
])
def test_errors_that_pass_expected_errors(router, thing, fault):
    res = call(router, "/things/%s" % thing, method="DELETE")
    assert res.status_int == fault[next(iter(fault))]["code"]
    assert res.json == fault


def test_success_code_and_empty_body(router):
    res = call(router, "/things/ok", method="DELETE")
    assert res.status_int == 204
    assert res.body == b""
    assert res.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("thing, cls", [("conflict", "HTTPConflict"),
                                        ("boom", "KeyError")])
def test_undeclared_error_is_unexpected_500(router, thing, cls):
    res = call(router, "/things/%s" % thing, method="DELETE")
    assert res.status_int == 500
    message = res.json["computeFault"]["message"]
    assert message.startswith("Unexpected API Error.")
    assert message.endswith(cls + "'>")
    assert "secret detail" not in res.text


def test_action_dispatch_by_body_key(router):
    res = call(router, "/things/1/action", method="POST", body='{"poke": {}}')
    assert res.status_int == 202
    res = call(router, "/things/1/action", method="POST",
               body='{"prod": "x"}')
    assert res.status_int == 200
    assert res.json == {"prodded": "x"}


def test_a_subcontroller_action_runs_on_its_own_controller(router):
    body = '{"nudge": {}}'
    res = call(router, "/things/7/action", method="POST", body=body,
               version="2.3")
    assert res.json == {"nudged": "7", "by": "NudgesController",
                        "limit": 7}
    # its own microversion gate still holds; the main actions still work
    res = call(router, "/things/7/action", method="POST", body=body)
    assert res.status_int == 404
    res = call(router, "/things/1/action", method="POST",
               body='{"prod": "y"}')
    assert res.json == {"prodded": "y"}


def test_unknown_action_is_400(router):
    res = call(router, "/things/1/action", method="POST", body='{"nope": 1}')
    assert res.json == {"badRequest": {
        "code": 400, "message": "There is no such action: nope"}}


def test_arguments_the_method_does_not_take_are_400(router):
    res = call(router, "/things/1", method="PUT", body="{}")
    assert res.status_int == 400
    assert res.json == {"badRequest": {"code": 400, "message":
        "The server could not comply with the request since it is either "
        "malformed or otherwise incorrect."}}

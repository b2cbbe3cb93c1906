"""minova_tw.api.openstack.compute.flavor_access through the compute router: nova's bodies, codes and gates."""

import pytest
import webob

from minova_tw import context
from minova_tw.api.openstack.compute import APIRouterV21


@pytest.fixture
def call(conf):
    """``call(method, path, body=None, admin=True, version="2.1")`` on one
    router over the test's database; the response."""
    router = APIRouterV21(conf)

    def request(method, path, body=None, admin=True, version="2.1"):
        req = webob.Request.blank(path, method=method, headers={
            "OpenStack-API-Version": "compute %s" % version})
        if body is not None:
            req.json = body
        req.environ[context.ENVIRON_KEY] = context.RequestContext(
            user_id="admin" if admin else "user",
            project_id="admin-project" if admin else "project-a",
            roles=["admin", "member", "reader"] if admin
            else ["member", "reader"])
        return req.get_response(router)
    return request


@pytest.fixture
def private(call):
    """A private flavor "p1", created by the admin project (which nova
    gives access to it)."""
    res = call("POST", "/flavors", {"flavor": {
        "name": "private", "ram": 256, "vcpus": 1, "disk": 1, "id": "p1",
        "os-flavor-access:is_public": False}})
    assert res.status_int == 200, res.text
    return "p1"


def _add(project):
    return {"addTenantAccess": {"tenant": project}}


def _remove(project):
    return {"removeTenantAccess": {"tenant": project}}


def _pairs(*projects):
    return {"flavor_access": [{"flavor_id": "p1", "tenant_id": project}
                              for project in projects]}


def test_list_add_remove(call, private):
    assert call("GET", "/flavors/p1/os-flavor-access").json == _pairs(
        "admin-project")
    res = call("POST", "/flavors/p1/action", _add("project-a"))
    assert res.status_int == 200
    assert res.json == _pairs("admin-project", "project-a")
    assert call("GET", "/flavors/p1", admin=False).status_int == 200
    res = call("POST", "/flavors/p1/action", _remove("admin-project"))
    assert res.status_int == 200 and res.json == _pairs("project-a")
    assert call("GET", "/flavors/p1/os-flavor-access").json == _pairs(
        "project-a")


def test_public_flavor_has_no_access_list(call):
    res = call("GET", "/flavors/1/os-flavor-access")
    assert res.status_int == 404
    assert res.json == {"itemNotFound": {
        "code": 404,
        "message": "Access list not available for public flavors."}}


def test_adding_to_a_public_flavor_is_409_from_2_7(call):
    res = call("POST", "/flavors/1/action", _add("project-a"), version="2.7")
    assert res.status_int == 409
    assert res.json == {"conflictingRequest": {
        "code": 409, "message": "Can not add access to a public flavor."}}
    # Before 2.7 nova stores the row; the flavor stays public.
    res = call("POST", "/flavors/1/action", _add("project-a"), version="2.6")
    assert res.status_int == 200 and res.json == {"flavor_access": [
        {"flavor_id": "1", "tenant_id": "project-a"}]}


def test_duplicate_is_409_and_absent_is_404(call, private):
    res = call("POST", "/flavors/p1/action", _add("admin-project"))
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "Flavor access already exists for flavor p1 and project "
        "admin-project combination.")
    res = call("POST", "/flavors/p1/action", _remove("project-b"))
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Flavor access not found for p1 / project-b combination.")


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/flavors/nope/os-flavor-access", None),
    ("POST", "/flavors/nope/action", _add("project-a")),
    ("POST", "/flavors/nope/action", _remove("project-a")),
])
def test_unknown_flavor_is_404(call, method, path, body):
    res = call(method, path, body)
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Flavor nope could not be found.")


@pytest.mark.parametrize("method, path, body, rule", [
    ("GET", "/flavors/p1/os-flavor-access", None,
     "os_compute_api:os-flavor-access"),
    ("POST", "/flavors/p1/action", _add("project-a"),
     "os_compute_api:os-flavor-access:add_tenant_access"),
    ("POST", "/flavors/p1/action", _remove("admin-project"),
     "os_compute_api:os-flavor-access:remove_tenant_access"),
])
def test_admin_only_before_the_flavor_is_looked_up(call, private, method,
                                                    path, body, rule):
    res = call(method, path, body, admin=False)
    assert res.status_int == 403
    assert res.json == {"forbidden": {
        "code": 403,
        "message": "Policy doesn't allow %s to be performed." % rule}}


@pytest.mark.parametrize("body, message", [
    (_add(""), "Invalid input for field/attribute tenant."),
    (_add("p" * 256), "is too long"),
    ({"addTenantAccess": {}}, "'tenant' is a required property"),
    ({"addTenantAccess": {"tenant": "p", "x": 1}},
     "Additional properties are not allowed"),
    (_remove(7), "7 is not of type 'string'"),
    ({"resize": {}}, "There is no such action: resize"),
])
def test_bad_bodies_are_400(call, private, body, message):
    res = call("POST", "/flavors/p1/action", body)
    assert res.status_int == 400
    assert message in res.json["badRequest"]["message"]

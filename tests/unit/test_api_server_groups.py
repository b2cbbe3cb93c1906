"""minova_tw.api.openstack.compute.server_groups through the compute router, and what servers show of groups and hosts."""

import pytest

from minova_tw.api.openstack.compute import APIRouterV21
from tests.unit import compute_router

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
MISSING = "0f8b3e55-3bd4-4a6d-8d2b-2bbfd2bd6e4c"


@pytest.fixture
def call(conf):
    """``call(method, path, body=None, version="2.1", user="user")`` on
    one router over the test's database; "admin" is an admin, "user" and
    "other" are members of project-a and project-b."""
    router = APIRouterV21(conf)
    projects = {"admin": "admin-project", "user": "project-a",
                "other": "project-b"}

    def request(method, path, body=None, version="2.1", user="user"):
        return compute_router.call_as(
            router, method, path, body, admin=user == "admin",
            version=version, project=projects[user], user=user)
    return request


def _create(call, version="2.1", user="user", **group):
    res = call("POST", "/os-server-groups", {"server_group": group},
               version=version, user=user)
    assert res.status_int == 200, res.text
    return res.json["server_group"]


def _fault(res, code, message):
    assert res.status_int == code, res.text
    assert list(res.json.values())[0]["message"] == message


def test_shapes_by_microversion(call):
    old = _create(call, name="a", policies=["anti-affinity"])
    assert old == {"id": old["id"], "name": "a",
                   "policies": ["anti-affinity"], "members": [],
                   "metadata": {}}
    v213 = _create(call, "2.13", name="b", policies=["affinity"])
    assert (v213["project_id"], v213["user_id"]) == ("project-a", "user")
    assert _create(call, "2.15", name="c", policies=["soft-affinity"])[
        "policies"] == ["soft-affinity"]
    new = _create(call, "2.64", name="d", policy="anti-affinity",
                  rules={"max_server_per_host": 3})
    assert new == {"id": new["id"], "name": "d", "policy": "anti-affinity",
                   "rules": {"max_server_per_host": 3}, "members": [],
                   "project_id": "project-a", "user_id": "user"}
    shown = call("GET", "/os-server-groups/%s" % old["id"], version="2.64")
    assert shown.json["server_group"]["policy"] == "anti-affinity"
    assert shown.json["server_group"]["rules"] == {}
    listed = call("GET", "/os-server-groups", version="2.13").json
    assert [g["name"] for g in listed["server_groups"]] == [
        "a", "b", "c", "d"]
    assert listed["server_groups"][3]["policies"] == ["anti-affinity"]


@pytest.mark.parametrize("version,group", [
    ("2.1", {"name": "g", "policies": ["soft-affinity"]}),
    ("2.15", {"name": "g", "policies": ["affinity", "anti-affinity"]}),
    ("2.15", {"name": "g", "policies": []}),
    ("2.15", {"name": " g", "policies": ["affinity"]}),
    ("2.63", {"name": "g", "policy": "affinity"}),
    ("2.64", {"name": "g", "policies": ["affinity"]}),
    ("2.64", {"name": "g", "policy": "anti-affinity",
              "rules": {"max_server_per_host": 0}}),
    ("2.64", {"name": "g", "policy": "anti-affinity",
              "rules": {"other": 1}}),
    ("2.64", {"name": "g", "policy": "anti-affinity",
              "rules": {"max_server_per_host": "9" * 5000}}),
])
def test_invalid_bodies_are_400(call, version, group):
    res = call("POST", "/os-server-groups", {"server_group": group},
               version=version)
    assert res.status_int == 400, res.text


def test_rules_only_for_anti_affinity(call):
    _fault(call("POST", "/os-server-groups", {"server_group": {
        "name": "g", "policy": "affinity",
        "rules": {"max_server_per_host": 2}}}, version="2.64"),
        400, "Only anti-affinity policy supports rules.")


def test_quota_is_403(call, override):
    override("server_groups", 1, "quota")
    _create(call, name="a", policies=["affinity"])
    _fault(call("POST", "/os-server-groups", {"server_group": {
        "name": "b", "policies": ["affinity"]}}),
        403, "Quota exceeded, too many server groups.")


def test_list_all_projects_and_paging(call):
    mine = _create(call, name="mine", policies=["affinity"])
    theirs = _create(call, user="other", name="theirs",
                     policies=["affinity"])

    def names(query="", user="admin", version="2.1"):
        res = call("GET", "/os-server-groups" + query, user=user,
                   version=version)
        assert res.status_int == 200, res.text
        return [g["id"] for g in res.json["server_groups"]]

    assert names() == []
    assert names("?all_projects=True") == [mine["id"], theirs["id"]]
    assert names("?all_projects=1&limit=1&offset=1") == [theirs["id"]]
    assert names("?all_projects=1", user="user") == [mine["id"]]
    assert names("?bogus=1", user="user") == [mine["id"]]
    assert call("GET", "/os-server-groups?bogus=1",
                version="2.75").status_int == 400
    assert names("?all_projects=1&offset=%d" % 2 ** 80) == []
    for query in ("limit=-1", "offset=%s" % ("9" * 5000)):
        assert call("GET", "/os-server-groups?" + query).status_int == 400


def test_show_and_delete(call):
    group = _create(call, name="g", policies=["affinity"])
    path = "/os-server-groups/%s" % group["id"]
    _fault(call("GET", path, user="other"), 403,
           "Policy doesn't allow os_compute_api:os-server-groups:show to "
           "be performed.")
    _fault(call("DELETE", path, user="other"), 403,
           "Policy doesn't allow os_compute_api:os-server-groups:delete "
           "to be performed.")
    assert call("GET", path, user="admin").status_int == 200
    res = call("DELETE", path)
    assert res.status_int == 204 and not res.body
    _fault(call("GET", path), 404,
           "Instance group %s could not be found." % group["id"])
    assert call("DELETE", path).status_int == 404


def _boot(call, group=None, version="2.1", user="user", **server):
    body = {"server": dict(name="vm", flavorRef="1", imageRef=IMAGE,
                           **server)}
    if group is not None:
        body["os:scheduler_hints"] = {"group": group}
    return call("POST", "/servers", body, version=version, user=user)


def test_boot_into_a_group(call):
    group = _create(call, "2.64", name="g", policy="anti-affinity")
    _fault(_boot(call, MISSING), 400,
           "Instance group %s could not be found." % MISSING)
    assert _boot(call, "not-a-uuid").status_int == 400
    ids = []
    for _ in range(3):
        res = _boot(call, group["id"])
        assert res.status_int == 202, res.text
        ids.append(res.json["server"]["id"])
    shown = call("GET", "/os-server-groups/%s" % group["id"]).json
    assert shown["server_group"]["members"] == ids
    server = call("GET", "/servers/%s" % ids[0], version="2.71").json[
        "server"]
    assert server["server_groups"] == [group["id"]]
    assert "server_groups" not in call(
        "GET", "/servers/%s" % ids[0], version="2.70").json["server"]
    updated = call("PUT", "/servers/%s" % ids[0],
                   {"server": {"name": "x"}}, version="2.71").json
    assert updated["server"]["server_groups"] == [group["id"]]
    assert call("DELETE", "/servers/%s" % ids[0]).status_int == 204
    shown = call("GET", "/os-server-groups/%s" % group["id"]).json
    assert shown["server_group"]["members"] == ids[1:]


def test_no_valid_host_is_an_error_with_a_fault(call, override):
    # The router runs on the database's clock: no build time to wait for.
    override("build_time", 0, "minova")
    group = _create(call, "2.64", name="g", policy="anti-affinity")
    for _ in range(2):
        assert _boot(call, group["id"]).status_int == 202
    res = _boot(call, group["id"])
    assert res.status_int == 202
    path = "/servers/%s" % res.json["server"]["id"]
    server = call("GET", path).json["server"]
    assert server["status"] == "ERROR"
    message = "No valid host was found. There are not enough hosts available."
    # Details (nova's traceback) are for admins only.
    assert server["fault"] == {"code": 500, "message": message,
                               "created": server["updated"]}
    admin = call("GET", path, user="admin", version="2.16").json["server"]
    assert admin["fault"]["details"].endswith(message)
    assert admin["OS-EXT-SRV-ATTR:host"] is None
    assert admin["host_status"] == ""
    assert admin["hostId"] == ""


def test_admins_see_the_host_and_filter_by_it(call):
    first = _boot(call).json["server"]["id"]
    second = _boot(call).json["server"]["id"]
    admin = call("GET", "/servers/%s" % second, user="admin",
                 version="2.16").json["server"]
    assert admin["OS-EXT-SRV-ATTR:host"] == "compute-2"
    assert admin["OS-EXT-SRV-ATTR:hypervisor_hostname"] == "compute-2"
    assert admin["host_status"] == "UP"

    def listed(query, user="admin"):
        scope = "all_tenants=1&" if user == "admin" else ""
        res = call("GET", "/servers?" + scope + query, user=user)
        assert res.status_int == 200, res.text
        return [s["id"] for s in res.json["servers"]]

    assert listed("host=compute-1") == [first]
    assert listed("node=compute-2") == [second]
    assert listed("sort_key=host&sort_dir=asc") == [first, second]
    assert listed("sort_key=node&sort_dir=desc") == [second, first]
    # Not for project members: the filter and sort key are ignored.
    assert listed("host=compute-1", user="user") == [second, first]
    assert listed("sort_key=host&sort_dir=asc", user="user") == [
        second, first]

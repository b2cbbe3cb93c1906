"""os-quota-sets and os-quota-class-sets through the compute router.

nova's bodies, status codes, microversion gates and policy rules.

On SQLite only: what the database must hold (limits stored and read back,
ranges, locks) is tested on every backend in test_compute_quota_sets and
test_compute_concurrency; these tests are about the API's shapes.
"""

import pytest

from minova_tw.api.openstack.compute import APIRouterV21
from tests.unit import compute_router

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
#: nova's defaults at 2.1, in a project without limits of its own.
DEFAULTS = {
    "cores": 20, "injected_files": 5, "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255, "instances": 10, "key_pairs": 100,
    "metadata_items": 128, "ram": 51200, "server_groups": 10,
    "server_group_members": 10, "fixed_ips": -1, "floating_ips": -1,
    "security_groups": -1, "security_group_rules": -1,
}
NETWORK = {"fixed_ips", "floating_ips", "security_groups",
           "security_group_rules"}
PERSONALITY = {"injected_files", "injected_file_content_bytes",
               "injected_file_path_bytes"}


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def call(conf):
    """``call(method, path, body=None, user="admin", version="2.1")`` on
    one router over the test's database, as ``user`` in project
    ``user``'s name + "-project" (only "admin" is an admin)."""
    router = APIRouterV21(conf)

    def request(method, path, body=None, user="admin", version="2.1"):
        return compute_router.call_as(
            router, method, path, body, admin=user == "admin",
            version=version, project=user + "-project", user=user)
    return request


def _message(res, code):
    assert res.status_int == code, res.text
    (body,) = res.json.values()
    return body["message"]


def test_show_defaults_and_detail_of_a_fresh_project(call):
    res = call("GET", "/os-quota-sets/p1")
    assert res.status_int == 200
    assert res.json == {"quota_set": dict(DEFAULTS, id="p1")}
    assert call("GET", "/os-quota-sets/p1/defaults",
                user="alice").json == {"quota_set": dict(DEFAULTS, id="p1")}
    detail = call("GET", "/os-quota-sets/p1/detail").json["quota_set"]
    assert detail.pop("id") == "p1"
    assert detail == {resource: {"limit": limit, "in_use": 0, "reserved": 0}
                      for resource, limit in DEFAULTS.items()}


@pytest.mark.parametrize("version, gone", [
    ("2.35", set()), ("2.36", NETWORK), ("2.56", NETWORK),
    ("2.57", NETWORK | PERSONALITY)])
def test_keys_leave_by_microversion(call, version, gone):
    for path in ("/os-quota-sets/p1", "/os-quota-sets/p1/defaults",
                 "/os-quota-sets/p1/detail"):
        body = call("GET", path, version=version).json["quota_set"]
        assert set(body) == set(DEFAULTS) - gone | {"id"}
    res = call("PUT", "/os-quota-sets/p1", {"quota_set": {"instances": 5}},
               version=version)
    assert set(res.json["quota_set"]) == set(DEFAULTS) - gone


def test_update_is_shown_and_enforced_and_delete_goes_back(call):
    res = call("PUT", "/os-quota-sets/alice-project",
               {"quota_set": {"instances": "1", "cores": 4}})
    assert res.status_int == 200
    assert res.json == {"quota_set": dict(DEFAULTS, instances=1, cores=4)}
    assert call("GET", "/os-quota-sets/alice-project", user="alice").json[
        "quota_set"]["instances"] == 1
    absolute = call("GET", "/limits", user="alice").json["limits"]["absolute"]
    assert (absolute["maxTotalInstances"], absolute["maxTotalCores"]) == (1, 4)
    server = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE}}
    assert call("POST", "/servers", server, user="alice").status_int == 202
    assert _message(call("POST", "/servers", server, user="alice"), 403) == (
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 "
        "instances")
    detail = call("GET", "/os-quota-sets/alice-project/detail").json
    assert detail["quota_set"]["instances"] == {"limit": 1, "in_use": 1,
                                                "reserved": 0}
    assert detail["quota_set"]["cores"]["in_use"] == 1
    res = call("DELETE", "/os-quota-sets/alice-project")
    assert res.status_int == 202 and not res.body
    assert call("GET", "/os-quota-sets/alice-project").json == {
        "quota_set": dict(DEFAULTS, id="alice-project")}


def test_a_limit_below_usage_is_400_unless_forced(call):
    server = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE,
                         "min_count": 2}}
    assert call("POST", "/servers", server, user="alice").status_int == 202
    res = call("PUT", "/os-quota-sets/alice-project",
               {"quota_set": {"instances": 1, "ram": 100}})
    assert _message(res, 400) == (
        "Quota limit 1 for instances must be greater than or equal to "
        "already used and reserved 2.")
    assert call("GET", "/os-quota-sets/alice-project").json["quota_set"][
        "ram"] == 51200  # nothing changed
    res = call("PUT", "/os-quota-sets/alice-project",
               {"quota_set": {"instances": 1, "force": "True"}})
    assert res.status_int == 200 and res.json["quota_set"]["instances"] == 1


def test_user_quotas(call):
    res = call("PUT", "/os-quota-sets/alice-project?user_id=alice",
               {"quota_set": {"instances": 1}})
    assert res.status_int == 200 and res.json["quota_set"]["instances"] == 1
    assert call("GET", "/os-quota-sets/alice-project").json["quota_set"][
        "instances"] == 10
    assert call("GET", "/os-quota-sets/alice-project?user_id=alice").json[
        "quota_set"]["instances"] == 1
    res = call("PUT", "/os-quota-sets/alice-project?user_id=alice",
               {"quota_set": {"instances": 11}})
    assert _message(res, 400) == (
        "Quota limit 11 for instances must be less than or equal to 10.")
    # The project may not go below what its users have of their own.
    call("PUT", "/os-quota-sets/alice-project?user_id=bob",
         {"quota_set": {"instances": 4}})
    res = call("PUT", "/os-quota-sets/alice-project",
               {"quota_set": {"instances": 4}})
    assert _message(res, 400) == (
        "Quota limit 4 for instances must be greater than or equal to "
        "already used and reserved 5.")
    server = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE}}
    assert call("POST", "/servers", server, user="alice").status_int == 202
    assert _message(call("POST", "/servers", server, user="alice"), 403) == (
        "Quota exceeded for instances: Requested 1, but already used 1 of 1 "
        "instances")
    assert call("DELETE", "/os-quota-sets/alice-project?user_id=alice"
                ).status_int == 202
    assert call("GET", "/os-quota-sets/alice-project?user_id=alice").json[
        "quota_set"]["instances"] == 10
    assert call("GET", "/os-quota-sets/alice-project?user_id=bob").json[
        "quota_set"]["instances"] == 4


@pytest.mark.parametrize("version, body, field", [
    ("2.1", {"quota_set": {"instances": -2}}, "instances"),
    ("2.1", {"quota_set": {"bogus": 1}}, None),
    ("2.1", {"quota_set": {"ram": "lots"}}, "ram"),
    ("2.36", {"quota_set": {"floating_ips": 1}}, None),
    ("2.57", {"quota_set": {"injected_files": 1}}, None),
    ("2.1", {"quota_sets": {}}, None),
])
def test_bad_bodies_are_400(call, version, body, field):
    message = _message(call("PUT", "/os-quota-sets/p1", body,
                            version=version), 400)
    if field:
        assert message.startswith("Invalid input for field/attribute %s."
                                  % field)


def test_unknown_query_parameters_are_400_from_2_75(call):
    assert call("GET", "/os-quota-sets/p1?bogus=1",
                version="2.74").status_int == 200
    message = _message(call("GET", "/os-quota-sets/p1?bogus=1",
                            version="2.75"), 400)
    assert message == (
        "Additional properties are not allowed ('bogus' was unexpected)")


@pytest.mark.parametrize("method, path, body, rule", [
    ("GET", "/os-quota-sets/bob-project", None, "show"),
    ("GET", "/os-quota-sets/bob-project/detail", None, "detail"),
    ("PUT", "/os-quota-sets/alice-project",
     {"quota_set": {"instances": 1}}, "update"),
    ("DELETE", "/os-quota-sets/alice-project", None, "delete"),
])
def test_rules(call, method, path, body, rule):
    """A project's users read its limits; only admins change them."""
    assert _message(call(method, path, body, user="alice"), 403) == (
        "Policy doesn't allow os_compute_api:os-quota-sets:%s to be "
        "performed." % rule)


def test_quota_class_default_is_every_projects_default(call):
    res = call("GET", "/os-quota-class-sets/default")
    assert res.status_int == 200
    without_groups = {k: v for k, v in DEFAULTS.items()
                      if not k.startswith("server_group")}
    assert res.json == {"quota_class_set": dict(without_groups,
                                                id="default")}
    res = call("PUT", "/os-quota-class-sets/default",
               {"quota_class_set": {"instances": 7, "server_groups": 3}})
    assert res.status_int == 200
    assert res.json == {"quota_class_set": dict(without_groups, instances=7)}
    assert call("GET", "/os-quota-sets/p1/defaults").json["quota_set"][
        "instances"] == 7
    assert call("GET", "/os-quota-sets/p1").json["quota_set"][
        "server_groups"] == 3
    assert call("GET", "/limits", user="alice").json["limits"]["absolute"][
        "maxServerGroups"] == 3
    # A project's own limit wins over the class.
    call("PUT", "/os-quota-sets/p1", {"quota_set": {"instances": 2}})
    assert call("GET", "/os-quota-sets/p1").json["quota_set"][
        "instances"] == 2
    # Another class is kept and shown, over [quota], and changes nothing.
    call("PUT", "/os-quota-class-sets/gold", {"quota_class_set": {"ram": 1}})
    gold = call("GET", "/os-quota-class-sets/gold").json["quota_class_set"]
    assert (gold["ram"], gold["instances"]) == (1, 10)
    assert call("GET", "/os-quota-sets/p2").json["quota_set"]["ram"] == 51200


@pytest.mark.parametrize("version, gone", [
    ("2.49", {"server_groups", "server_group_members"}),
    ("2.50", NETWORK), ("2.57", NETWORK | PERSONALITY)])
def test_quota_class_keys_by_microversion(call, version, gone):
    body = call("GET", "/os-quota-class-sets/default",
                version=version).json["quota_class_set"]
    assert set(body) == set(DEFAULTS) - gone | {"id"}
    res = call("PUT", "/os-quota-class-sets/default",
               {"quota_class_set": {"cores": 1}}, version=version)
    assert set(res.json["quota_class_set"]) == set(DEFAULTS) - gone


def test_quota_class_errors(call):
    assert _message(call("PUT", "/os-quota-class-sets/default", {
        "quota_class_set": {"floating_ips": 1}}, version="2.50"),
        400).endswith("('floating_ips' was unexpected)")
    res = call("PUT", "/os-quota-class-sets/" + "x" * 256,
               {"quota_class_set": {"cores": 1}})
    assert _message(res, 400) == (
        "quota_class_name has 256 characters, more than 255.")
    for method, body, rule in (
            ("GET", None, "show"),
            ("PUT", {"quota_class_set": {"cores": 1}}, "update")):
        assert _message(call(method, "/os-quota-class-sets/default", body,
                             user="alice"), 403) == (
            "Policy doesn't allow os_compute_api:os-quota-class-sets:%s to "
            "be performed." % rule)

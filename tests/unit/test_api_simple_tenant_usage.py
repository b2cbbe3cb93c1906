"""simple_tenant_usage through the compute router: nova's shapes, 400s, 2.40 links, 2.75 strict queries."""

import re
from urllib import parse

import pytest

from minova_tw.api.openstack.compute import APIRouterV21
from tests.unit.compute_router import PROJECT, call_as

#: nova's JSON of a naive datetime.
NOVA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$")
SINCE = "start=2020-01-01T00:00:00"


@pytest.fixture
def call(conf, override):
    """``call(method, path, admin=False, version="2.1")``, with two ACTIVE
    servers of ``project-a`` (servers are ACTIVE at once)."""
    override("build_time", 0, "minova")
    router = APIRouterV21(conf)
    for name in ("one", "two"):
        res = call_as(router, "POST", "/servers", {"server": {
            "name": name, "flavorRef": "1",
            "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}})
        assert res.status_int == 202, res.text

    def request(method, path, admin=False, version="2.1"):
        return call_as(router, method, path, admin=admin, version=version)
    return request


def _fault(res, code):
    assert res.status_int == code, res.text
    (body,) = res.json.values()
    return body["message"]


def test_index_for_admins(call):
    assert _fault(call("GET", "/os-simple-tenant-usage"), 403) == (
        "Policy doesn't allow os_compute_api:os-simple-tenant-usage:list "
        "to be performed.")
    res = call("GET", "/os-simple-tenant-usage?%s" % SINCE, admin=True)
    (summary,) = res.json["tenant_usages"]
    assert sorted(summary) == [
        "start", "stop", "tenant_id", "total_hours", "total_local_gb_usage",
        "total_memory_mb_usage", "total_vcpus_usage"]
    assert summary["tenant_id"] == PROJECT
    assert summary["start"] == "2020-01-01T00:00:00.000000"
    assert NOVA_TIME.match(summary["stop"])
    res = call("GET", "/os-simple-tenant-usage?detailed=1&%s" % SINCE,
               admin=True)
    servers = res.json["tenant_usages"][0]["server_usages"]
    assert [s["name"] for s in servers] and sorted(servers[0]) == [
        "ended_at", "flavor", "hours", "instance_id", "local_gb",
        "memory_mb", "name", "started_at", "state", "tenant_id", "uptime",
        "vcpus"]
    assert servers[0]["state"] == "active"
    assert NOVA_TIME.match(servers[0]["started_at"])


def test_bad_dates_are_400(call):
    path = "/os-simple-tenant-usage/%s?" % PROJECT
    assert _fault(call("GET", path + "start=yesterday"), 400) == (
        "Invalid datetime string: Datetime is in invalid format")
    assert _fault(call("GET", path + "end=2020-01-01T00:00:00"), 400) == (
        "Invalid start time. The start time cannot occur after the end "
        "time.")


def test_show_for_the_project_and_admins(call):
    path = "/os-simple-tenant-usage/%s?%s" % (PROJECT, SINCE)
    usage = call("GET", path).json["tenant_usage"]
    assert usage["tenant_id"] == PROJECT
    assert [s["flavor"] for s in usage["server_usages"]] == ["m1.tiny"] * 2
    assert call("GET", path, admin=True).json["tenant_usage"][
        "tenant_id"] == PROJECT
    assert _fault(call("GET", "/os-simple-tenant-usage/project-b"), 403) == (
        "Policy doesn't allow os_compute_api:os-simple-tenant-usage:show "
        "to be performed.")
    assert call("GET", "/os-simple-tenant-usage/project-b",
                admin=True).json == {"tenant_usage": {}}


def test_paging_links_from_2_40(call):
    path = "/os-simple-tenant-usage/%s?%s&limit=1" % (PROJECT, SINCE)
    assert "tenant_usage_links" not in call("GET", path).json
    body = call("GET", path, version="2.40").json
    (first,) = body["tenant_usage"]["server_usages"]
    (link,) = body["tenant_usage_links"]
    assert link["rel"] == "next"
    url = parse.urlparse(link["href"])
    assert url.path.endswith("/os-simple-tenant-usage/%s" % PROJECT)
    assert parse.parse_qs(url.query) == {
        "limit": ["1"], "marker": [first["instance_id"]],
        "start": ["2020-01-01T00:00:00"]}
    res = call("GET", "/os-simple-tenant-usage?%s&limit=1" % SINCE,
               admin=True, version="2.40")
    assert res.json["tenant_usages_links"][0]["rel"] == "next"
    nxt = call("GET", "%s&marker=%s" % (path, first["instance_id"]),
               version="2.40").json
    (second,) = nxt["tenant_usage"]["server_usages"]
    assert second["instance_id"] != first["instance_id"]
    assert "marker [nope] not found" in _fault(
        call("GET", path + "&marker=nope", version="2.40"), 400)


def test_unknown_query_parameters_are_400_from_2_75(call):
    path = "/os-simple-tenant-usage/%s?%s&foo=1" % (PROJECT, SINCE)
    assert call("GET", path, version="2.74").status_int == 200
    assert call("GET", path, version="2.75").status_int == 400

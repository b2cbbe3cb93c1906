"""minova_tw.api.openstack.compute.hypervisors through the compute router: shapes by microversion, paging, pattern, servers, the routes 2.53 and 2.88 removed."""

from tests.unit import compute_router

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
MISSING = "0f8b3e55-3bd4-4a6d-8d2b-2bbfd2bd6e4c"


def get(admin_api, path, version="2.1"):
    return admin_api("GET", path, version=version)


def test_list_and_detail_by_microversion(admin_api, server):
    listed = get(admin_api, "/os-hypervisors").json["hypervisors"]
    assert listed == [
        {"id": 1, "hypervisor_hostname": "compute-1", "state": "up",
         "status": "enabled"},
        {"id": 2, "hypervisor_hostname": "compute-2", "state": "up",
         "status": "enabled"}]
    old = get(admin_api, "/os-hypervisors/detail").json["hypervisors"][0]
    assert old["running_vms"] == 1 and old["vcpus_used"] == 1
    assert isinstance(old["cpu_info"], str)
    assert old["service"] == {"id": 3, "host": "compute-1",
                              "disabled_reason": None}
    assert isinstance(get(admin_api, "/os-hypervisors/detail", "2.28").json[
        "hypervisors"][0]["cpu_info"], dict)
    new = get(admin_api, "/os-hypervisors/detail", "2.88").json["hypervisors"][0]
    assert "running_vms" not in new and "cpu_info" not in new
    assert " up " in new["uptime"] and len(new["id"]) == 36
    assert len(new["service"]["id"]) == 36


def test_paging_pattern_and_servers(admin_api, server):
    page = get(admin_api, "/os-hypervisors?limit=1", "2.33").json
    assert [h["id"] for h in page["hypervisors"]] == [1]
    assert "marker=1" in page["hypervisors_links"][0]["href"]
    assert [h["id"] for h in get(admin_api, "/os-hypervisors?marker=1",
                                   "2.33").json["hypervisors"]] == [2]
    compute_router.fault(get(admin_api, "/os-hypervisors?marker=9", "2.33"), 400,
           "marker [9] not found")
    found = get(admin_api, "/os-hypervisors?hypervisor_hostname_pattern=compute-1"
                  "&with_servers=true", "2.53").json["hypervisors"]
    assert [s["uuid"] for s in found[0]["servers"]] == [server]
    empty = get(admin_api, "/os-hypervisors?hypervisor_hostname_pattern=compute-2"
                  "&with_servers=1", "2.75").json["hypervisors"]
    assert empty[0]["servers"] == []
    compute_router.fault(get(admin_api, "/os-hypervisors?hypervisor_hostname_pattern=x&limit=1",
                 "2.53"), 400,
           "Paging over hypervisors with the hypervisor_hostname_pattern "
           "query parameter is not supported.")
    compute_router.fault(get(admin_api, "/os-hypervisors?hypervisor_hostname_pattern=x", "2.53"),
           404, "No hypervisor matching 'x' could be found.")
    assert get(admin_api, "/os-hypervisors?foo=1", "2.53").status_int == 400
    # The routes 2.53 replaced.
    searched = get(admin_api, "/os-hypervisors/compute-2/search").json
    assert [h["id"] for h in searched["hypervisors"]] == [2]
    on_1 = get(admin_api, "/os-hypervisors/compute-1/servers").json["hypervisors"]
    assert on_1[0]["servers"][0]["uuid"] == server
    assert "servers" not in get(admin_api, 
        "/os-hypervisors/compute-2/servers").json["hypervisors"][0]
    assert get(admin_api, "/os-hypervisors/compute-2/search", "2.53").status_int == 404


def test_show_uptime_statistics(admin_api, server):
    shown = get(admin_api, "/os-hypervisors/1").json["hypervisor"]
    assert shown["hypervisor_hostname"] == "compute-1"
    compute_router.fault(get(admin_api, "/os-hypervisors/x"), 404,
           "Hypervisor with ID 'x' could not be found.")
    compute_router.fault(get(admin_api, "/os-hypervisors/1", "2.53"), 400, "Invalid uuid 1")
    compute_router.fault(get(admin_api, "/os-hypervisors/%s" % MISSING, "2.53"), 404,
           "Hypervisor with ID '%s' could not be found." % MISSING)
    uuid = get(admin_api, "/os-hypervisors", "2.53").json["hypervisors"][0]["id"]
    shown = get(admin_api, "/os-hypervisors/%s?with_servers=true" % uuid,
                  "2.53").json["hypervisor"]
    assert [s["uuid"] for s in shown["servers"]] == [server]
    uptime = get(admin_api, "/os-hypervisors/2/uptime").json["hypervisor"]
    assert set(uptime) == {"id", "hypervisor_hostname", "state", "status",
                           "uptime"}
    assert get(admin_api, "/os-hypervisors/%s/uptime" % uuid, "2.88").status_int == (
        404)
    stats = get(admin_api, "/os-hypervisors/statistics").json["hypervisor_statistics"]
    assert stats["count"] == 2 and stats["running_vms"] == 1
    assert get(admin_api, "/os-hypervisors/statistics", "2.88").status_int == 404


def test_a_disabled_host_shows_disabled(admin_api, api):
    res = api("PUT", "/os-services/disable", {
        "host": "compute-2", "binary": "nova-compute"}, admin=True)
    assert res.status_int == 200, res.text
    assert get(admin_api, "/os-hypervisors").json["hypervisors"][1]["status"] == (
        "disabled")

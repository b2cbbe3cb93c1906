"""minova_tw.api.openstack.compute.aggregates through the compute router: CRUD, host actions, metadata, zones and nova's 409s."""

from tests.unit import compute_router


def _action(admin_api, number, name, **args):
    return admin_api("POST", "/os-aggregates/%d/action" % number, {name: args})


def test_crud_and_hosts(admin_api):
    res = admin_api("POST", "/os-aggregates", {"aggregate": {
        "name": "agg", "availability_zone": "az1"}}, version="2.41")
    assert res.status_int == 200, res.text
    created = res.json["aggregate"]
    assert created["name"] == "agg" and created["availability_zone"] == "az1"
    assert "hosts" not in created and len(created["uuid"]) == 36
    number = created["id"]
    compute_router.fault(admin_api("POST", "/os-aggregates", {"aggregate": {"name": "agg"}}),
           409, "Aggregate agg already exists.")
    shown = _action(admin_api, number, "add_host", host="compute-2").json
    assert shown["aggregate"]["hosts"] == ["compute-2"]
    compute_router.fault(_action(admin_api, number, "add_host", host="compute-2"), 409,
           "Aggregate %d already has host compute-2." % number)
    compute_router.fault(_action(admin_api, number, "add_host", host="compute-9"), 404,
           "Compute host compute-9 could not be found.")
    res = _action(admin_api, number, "set_metadata",
                  metadata={"ssd": "true", "x": None})
    assert res.json["aggregate"]["metadata"] == {
        "availability_zone": "az1", "ssd": "true"}
    # compute-2 is in az1 now: another zone's aggregate may not take it.
    other = admin_api("POST", "/os-aggregates", {"aggregate": {
        "name": "other", "availability_zone": "az2"}}).json["aggregate"]["id"]
    compute_router.fault(_action(admin_api, other, "add_host", host="compute-2"), 409,
           "Cannot add host to aggregate %d. Reason: One or more hosts "
           "already in availability zone(s) ['az1']." % other)
    listed = admin_api("GET", "/os-aggregates").json["aggregates"]
    assert [a["name"] for a in listed] == ["agg", "other"]
    res = admin_api("PUT", "/os-aggregates/%d" % number,
                {"aggregate": {"name": "renamed"}})
    assert res.json["aggregate"]["name"] == "renamed"
    compute_router.fault(admin_api("DELETE", "/os-aggregates/%d" % number), 400,
           "Cannot remove host from aggregate %d. Reason: Host aggregate "
           "is not empty." % number)
    compute_router.fault(_action(admin_api, number, "remove_host", host="compute-1"), 404,
           "Cannot remove host compute-1 in aggregate %d" % number)
    assert _action(admin_api, number, "remove_host",
                   host="compute-2").json["aggregate"]["hosts"] == []
    assert admin_api("DELETE", "/os-aggregates/%d" % number).status_int == 200
    compute_router.fault(admin_api("GET", "/os-aggregates/%d" % number), 404,
           "Aggregate %d could not be found." % number)
    compute_router.fault(admin_api("GET", "/os-aggregates/x"), 400,
           "Invalid input received: id must be an integer")
    assert admin_api("POST", "/os-aggregates", {"aggregate": {
        "name": "a", "availability_zone": "no:colon"}}).status_int == 400


def test_a_host_with_servers_keeps_its_zone(admin_api, api):
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}})
    assert res.status_int == 202, res.text
    number = admin_api("POST", "/os-aggregates", {"aggregate": {
        "name": "z", "availability_zone": "az1"}}).json["aggregate"]["id"]
    res = _action(admin_api, number, "add_host", host="compute-1")
    assert res.status_int == 409
    assert "would change from 'None' to 'az1'" in res.text

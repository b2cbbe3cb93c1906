"""minova_tw.api.openstack.compute.services through the compute router: shapes by microversion, the PUTs before and from 2.53, DELETE's checks."""

from tests.unit import compute_router

MISSING = "0f8b3e55-3bd4-4a6d-8d2b-2bbfd2bd6e4c"


def _compute_2(admin_api, version="2.53"):
    res = admin_api("GET", "/os-services?host=compute-2", version=version)
    return res.json["services"][0]


def test_list_shapes_by_microversion(admin_api):
    old = admin_api("GET", "/os-services").json["services"]
    assert [(s["id"], s["binary"], s["zone"]) for s in old] == [
        (1, "nova-conductor", "internal"), (2, "nova-scheduler", "internal"),
        (3, "nova-compute", "nova"), (4, "nova-compute", "nova")]
    assert set(old[0]) == {"binary", "host", "id", "zone", "status", "state",
                           "updated_at", "disabled_reason"}
    assert old[2]["status"] == "enabled" and old[2]["state"] == "up"
    assert old[2]["disabled_reason"] is None
    assert "forced_down" in admin_api("GET", "/os-services",
                                  version="2.11").json["services"][0]
    new = admin_api("GET", "/os-services", version="2.53").json["services"]
    assert len(new[0]["id"]) == 36 and new[0]["forced_down"] is False
    only = admin_api("GET", "/os-services?binary=nova-compute&host=compute-1")
    assert [s["id"] for s in only.json["services"]] == [3]
    # Unknown filters are ignored before 2.75, a 400 from then on.
    assert admin_api("GET", "/os-services?foo=1").status_int == 200
    assert admin_api("GET", "/os-services?foo=1",
                 version="2.75").status_int == 400


def test_put_by_id_from_253(admin_api):
    target = _compute_2(admin_api)["id"]
    res = admin_api("PUT", "/os-services/%s" % target,
                {"status": "disabled", "disabled_reason": "maintenance"},
                version="2.53")
    assert res.status_int == 200, res.text
    service = res.json["service"]
    assert (service["status"], service["disabled_reason"],
            service["forced_down"], service["id"]) == (
        "disabled", "maintenance", False, target)
    res = admin_api("PUT", "/os-services/%s" % target, {"forced_down": "yes"},
                version="2.53")
    assert res.json["service"]["state"] == "down"
    assert _compute_2(admin_api)["state"] == "down"
    compute_router.fault(admin_api("PUT", "/os-services/%s" % target,
                 {"status": "enabled", "disabled_reason": "x"},
                 version="2.53"), 400,
           "Specifying 'disabled_reason' with status 'enabled' is invalid.")
    compute_router.fault(admin_api("PUT", "/os-services/%s" % target, {}, version="2.53"),
           400, "No updates were requested. Fields 'status' or "
                "'forced_down' should be specified.")
    compute_router.fault(admin_api("PUT", "/os-services/3", {"status": "enabled"},
                 version="2.53"), 400, "Invalid uuid 3")
    compute_router.fault(admin_api("PUT", "/os-services/%s" % MISSING, {"status": "enabled"},
                 version="2.53"), 404,
           "Service %s could not be found." % MISSING)
    assert admin_api("PUT", "/os-services/%s" % target, {"status": "paused"},
                 version="2.53").status_int == 400
    conductor = admin_api("GET", "/os-services?binary=nova-conductor",
                      version="2.53").json["services"][0]["id"]
    compute_router.fault(admin_api("PUT", "/os-services/%s" % conductor,
                 {"status": "disabled"}, version="2.53"), 400,
           "Updating a nova-conductor service is not supported. Only "
           "nova-compute services can be updated.")


def test_put_actions_before_253(admin_api):
    body = {"host": "compute-2", "binary": "nova-compute"}
    res = admin_api("PUT", "/os-services/disable", body)
    assert res.json == {"service": dict(body, status="disabled")}
    res = admin_api("PUT", "/os-services/disable-log-reason",
                dict(body, disabled_reason="why"))
    assert res.json == {"service": dict(body, status="disabled",
                                        disabled_reason="why")}
    assert _compute_2(admin_api)["disabled_reason"] == "why"
    compute_router.fault(admin_api("PUT", "/os-services/disable-log-reason", body), 400,
           "Missing disabled reason field")
    assert admin_api("PUT", "/os-services/enable", body).json == {
        "service": dict(body, status="enabled")}
    assert _compute_2(admin_api)["status"] == "enabled"
    # force-down is 2.11's; before it, an unknown action.
    compute_router.fault(admin_api("PUT", "/os-services/force-down",
                 dict(body, forced_down=True), version="2.10"), 400,
           "Additional properties are not allowed ('forced_down' was "
           "unexpected)")
    compute_router.fault(admin_api("PUT", "/os-services/force-down", body, version="2.10"),
           404, "Unknown action")
    res = admin_api("PUT", "/os-services/force-down",
                dict(body, forced_down=True), version="2.11")
    assert res.json == {"service": dict(body, forced_down=True)}
    assert _compute_2(admin_api)["forced_down"] is True
    compute_router.fault(admin_api("PUT", "/os-services/force-down", body, version="2.11"),
           400, "Missing forced_down field")
    compute_router.fault(admin_api("PUT", "/os-services/disable",
                 {"host": "compute-9", "binary": "nova-compute"}), 404,
           "Could not find binary nova-compute on host compute-9.")
    compute_router.fault(admin_api("PUT", "/os-services/disable",
                 {"host": "compute-1", "binary": "nova-scheduler"}), 400,
           "Updating a nova-scheduler service is not supported. Only "
           "nova-compute services can be updated.")


def test_delete(admin_api, api):
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}})
    assert res.status_int == 202, res.text
    compute_router.fault(admin_api("DELETE", "/os-services/3"), 409,
           "Unable to delete compute service that is hosting instances. "
           "Migrate or delete the instances first.")
    compute_router.fault(admin_api("DELETE", "/os-services/x"), 400,
           "Invalid input received: id must be an integer")
    compute_router.fault(admin_api("DELETE", "/os-services/3", version="2.53"), 400,
           "Invalid uuid 3")
    compute_router.fault(admin_api("DELETE", "/os-services/%s" % MISSING, version="2.53"),
           404, "Service %s not found." % MISSING)
    target = _compute_2(admin_api)["id"]
    assert admin_api("DELETE", "/os-services/%s" % target,
                 version="2.53").status_int == 204
    assert admin_api("GET", "/os-services?host=compute-2").json == {
        "services": []}
    compute_router.fault(admin_api("DELETE", "/os-services/4"), 404, "Service 4 not found.")


def test_a_member_may_not(api):
    compute_router.fault(api("GET", "/os-services"), 403,
           "Policy doesn't allow os_compute_api:os-services:list to be "
           "performed.")

"""/limits and /os-availability-zone through a real minova."""

import pytest

from tests.functional.compute import fault


def _absolute(client, path="/limits"):
    body = client.ok("GET", path)
    assert body["limits"]["rate"] == []
    return body["limits"]["absolute"]


def test_limits_from_quota_with_real_usage(start_compute):
    client = start_compute(quota={"instances": 7, "cores": 9})()
    client.boot(flavor="3", wait=False)
    absolute = _absolute(client)
    assert absolute == {
        "maxTotalInstances": 7, "maxTotalCores": 9, "maxTotalRAMSize": 51200,
        "maxTotalKeypairs": 100, "maxServerMeta": 128, "maxImageMeta": 128,
        "maxPersonality": 5, "maxPersonalitySize": 10240,
        "maxTotalFloatingIps": -1, "maxSecurityGroups": -1,
        "maxSecurityGroupRules": -1, "maxServerGroups": 10,
        "maxServerGroupMembers": 10, "totalInstancesUsed": 1,
        "totalCoresUsed": 2, "totalRAMUsed": 4096,
        "totalFloatingIpsUsed": 0, "totalSecurityGroupsUsed": 0,
        "totalServerGroupsUsed": 0}


@pytest.mark.parametrize("version, gone", [
    ("2.35", set()),
    ("2.36", {"maxTotalFloatingIps", "maxSecurityGroups",
              "maxSecurityGroupRules", "totalFloatingIpsUsed",
              "totalSecurityGroupsUsed"}),
    ("2.39", {"maxImageMeta"}),
    ("2.57", {"maxPersonality", "maxPersonalitySize"}),
])
def test_keys_leave_by_microversion(compute, version, gone):
    keys = set(_absolute(compute(version=version)))
    assert not gone & keys
    assert "maxTotalInstances" in keys


def test_other_projects_limits_are_admin_only(compute):
    compute("alice:p1").boot(wait=False)
    assert _absolute(compute("admin:admin"), "/limits?tenant_id=p1")[
        "totalInstancesUsed"] == 1
    fault(compute("bob:p2").get("/limits?tenant_id=p1"), 403)
    fault(compute(version="2.75").get("/limits?bogus=1"), 400)


def test_availability_zones(compute):
    assert compute().ok("GET", "/os-availability-zone") == {
        "availabilityZoneInfo": [{"zoneName": "nova",
                                  "zoneState": {"available": True},
                                  "hosts": None}]}
    detail = compute("admin:admin").ok("GET", "/os-availability-zone/detail")
    zones = {z["zoneName"]: z for z in detail["availabilityZoneInfo"]}
    assert set(zones) == {"nova", "internal"}
    hosts = zones["nova"]["hosts"]
    assert set(hosts) == {"compute-1", "compute-2"}
    assert all(services["nova-compute"]["available"] is True
               for services in hosts.values())
    assert set(zones["internal"]["hosts"]) == {"compute-1"}
    fault(compute().get("/os-availability-zone/detail"), 403)

"""minova_tw.compute.quotas and availability_zones: /limits with real usage, zones."""

import pytest

from minova_tw.compute import exception


def test_limits_with_usage(compute, ctx, other_ctx, admin_ctx):
    limits = compute.quotas.get_limits(ctx)
    assert limits == {
        "maxTotalInstances": 10, "maxTotalCores": 20,
        "maxTotalRAMSize": 51200, "maxTotalKeypairs": 100,
        "maxServerMeta": 128, "maxImageMeta": 128, "maxPersonality": 5,
        "maxPersonalitySize": 10240, "maxTotalFloatingIps": -1,
        "maxSecurityGroups": -1, "maxSecurityGroupRules": -1,
        "maxServerGroups": 10, "maxServerGroupMembers": 10,
        "totalInstancesUsed": 0, "totalCoresUsed": 0, "totalRAMUsed": 0,
        "totalFloatingIpsUsed": 0, "totalSecurityGroupsUsed": 0,
        "totalServerGroupsUsed": 0}
    compute.servers.create(ctx, "a", "3", max_count=2)
    doomed = compute.servers.create(ctx, "b", "1")[0]
    compute.servers.create(other_ctx, "c", "5")
    compute.servers.delete(ctx, doomed.uuid)
    used = compute.quotas.get_limits(ctx)
    assert (used["totalInstancesUsed"], used["totalCoresUsed"],
            used["totalRAMUsed"]) == (2, 4, 8192)
    theirs = compute.quotas.get_limits(admin_ctx, project_id="project-b")
    assert (theirs["totalInstancesUsed"], theirs["totalCoresUsed"]) == (1, 8)
    with pytest.raises(exception.Forbidden):
        compute.quotas.get_limits(ctx, project_id="project-b")


def test_availability_zones(compute, ctx, admin_ctx, clock):
    assert compute.availability_zones.list(ctx) == [
        {"zoneName": "nova", "zoneState": {"available": True},
         "hosts": None}]
    with pytest.raises(exception.Forbidden):
        compute.availability_zones.list(ctx, detail=True)
    zones = compute.availability_zones.list(admin_ctx, detail=True)
    assert [z["zoneName"] for z in zones] == ["nova", "internal"]
    service = {"nova-compute": {
        "available": True, "active": True, "updated_at": clock.now}}
    assert zones[0]["hosts"] == {"compute-1": service, "compute-2": service}
    assert list(zones[1]["hosts"]) == ["compute-1"]
    assert set(zones[1]["hosts"]["compute-1"]) == {"nova-conductor",
                                                   "nova-scheduler"}

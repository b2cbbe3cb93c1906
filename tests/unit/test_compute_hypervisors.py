"""minova_tw.compute.hypervisors: one hypervisor per fake host, its use summed from the live servers' flavors."""

import pytest

from minova_tw.compute import exception, hypervisors

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def test_usage_follows_the_servers(compute, ctx, admin_ctx, clock):
    flavor = compute.flavors.get(ctx, "2")
    created = compute.servers.create(ctx, "vm", "2", IMAGE, min_count=3,
                                     max_count=3)
    # Building servers are the hosts' workload until they are built.
    assert compute.hypervisors.statistics(admin_ctx)["current_workload"] == 3
    clock.advance(5)
    found, _ = compute.hypervisors.list(admin_ctx, with_servers=True)
    one, two = found
    assert (one.id, one.hypervisor_hostname, two.id) == (1, "compute-1", 2)
    assert one.running_vms == 2 and two.running_vms == 1
    assert one.vcpus_used == 2 * flavor.vcpus
    assert one.memory_mb_used == 2 * flavor.memory_mb
    assert one.local_gb_used == 2 * (flavor.root_gb + flavor.ephemeral_gb)
    assert one.free_ram_mb == hypervisors.MEMORY_MB - one.memory_mb_used
    assert one.current_workload == 0
    assert [uuid for _, uuid in one.servers] == [created[0].uuid,
                                                 created[2].uuid]
    stats = compute.hypervisors.statistics(admin_ctx)
    assert stats["count"] == 2 and stats["running_vms"] == 3
    assert stats["vcpus"] == 2 * hypervisors.VCPUS
    compute.servers.delete(ctx, created[0].uuid)
    clock.advance(5)
    assert compute.hypervisors.statistics(admin_ctx)["running_vms"] == 2


def test_pattern_and_deleted_service(compute, admin_ctx):
    found, _ = compute.hypervisors.list(admin_ctx, pattern="-2")
    assert [h.hypervisor_hostname for h in found] == ["compute-2"]
    with pytest.raises(exception.NotFound) as caught:
        compute.hypervisors.list(admin_ctx, pattern="nope")
    assert caught.value.format_message() == (
        "No hypervisor matching 'nope' could be found.")
    compute.services.delete(admin_ctx, "4", by_uuid=False)
    assert [h.host for h in compute.hypervisors.list(admin_ctx)[0]] == [
        "compute-1"]


def test_only_an_admin(compute, ctx):
    with pytest.raises(exception.PolicyNotAuthorized):
        compute.hypervisors.list(ctx)
    with pytest.raises(exception.PolicyNotAuthorized):
        compute.hypervisors.statistics(ctx)

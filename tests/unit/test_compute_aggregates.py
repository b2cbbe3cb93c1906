"""minova_tw.compute.aggregates: zones from aggregates, where servers go, what the zone listing shows."""

import pytest

from minova_tw.compute import exception

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def test_a_zone_aggregate_places_and_lists(compute, ctx, admin_ctx):
    aggregate = compute.aggregates.create(admin_ctx, "fast", "az1")
    compute.aggregates.add_host(admin_ctx, aggregate.id, "compute-2")
    server = compute.servers.create(ctx, "vm", "1", IMAGE,
                                    availability_zone="az1")[0]
    assert (server.host, server.availability_zone) == ("compute-2", "az1")
    other = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    assert other.availability_zone in ("nova", "az1")
    assert compute.servers.create(ctx, "vm", "1", IMAGE,
                                  availability_zone="nova")[0].host == (
        "compute-1")
    with pytest.raises(exception.InvalidAvailabilityZone):
        compute.servers.create(ctx, "vm", "1", IMAGE,
                               availability_zone="nowhere")
    zones = compute.availability_zones.list(admin_ctx, detail=True)
    assert [(z["zoneName"], sorted(z["hosts"])) for z in zones] == [
        ("nova", ["compute-1"]), ("az1", ["compute-2"]),
        ("internal", ["compute-1"])]
    assert [z["zoneName"] for z in compute.availability_zones.list(ctx)] == [
        "nova", "az1"]


def test_names_are_unique_and_a_host_is_added_once(compute, admin_ctx):
    aggregate = compute.aggregates.create(admin_ctx, "a")
    with pytest.raises(exception.AggregateNameExists):
        compute.aggregates.create(admin_ctx, "a")
    compute.aggregates.add_host(admin_ctx, aggregate.id, "compute-1")
    with pytest.raises(exception.AggregateHostExists):
        compute.aggregates.add_host(admin_ctx, aggregate.id, "compute-1")
    with pytest.raises(exception.AggregateNotFound):
        compute.aggregates.get(admin_ctx, "99")

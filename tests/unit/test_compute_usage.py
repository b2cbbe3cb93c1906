"""minova_tw.compute.usage: nova's hours arithmetic over a window, deleted servers, paging, who may see what."""

import datetime

import pytest

from minova_tw.compute import exception, usage
from tests.unit.conftest import START

HOUR = datetime.timedelta(hours=1)
LAUNCHED = START + datetime.timedelta(seconds=2)


@pytest.fixture
def fleet(compute, ctx, other_ctx, clock):
    """project-a's m1.tiny "a" lived one hour and was deleted;
    project-b's m1.medium "b" has run for two hours (launched 2 s after
    START, the build time); now is two hours after that."""
    a = compute.servers.create(ctx, "a", "1")[0].uuid
    b = compute.servers.create(other_ctx, "b", "3")[0].uuid
    clock.advance(2 + 3600)
    compute.servers.delete(ctx, a)
    clock.advance(3600)
    return a, b


def test_hours_and_totals(compute, admin_ctx, fleet, clock):
    a, b = fleet
    summaries, servers = compute.usage.usages(
        admin_ctx, START, START + 5 * HOUR, detailed=True)
    assert [s["tenant_id"] for s in summaries] == ["project-a", "project-b"]
    tiny, medium = summaries
    assert tiny["start"] == START and tiny["stop"] == clock.now
    assert (tiny["total_hours"], tiny["total_vcpus_usage"],
            tiny["total_memory_mb_usage"],
            tiny["total_local_gb_usage"]) == (1.0, 1.0, 512.0, 1.0)
    assert tiny["server_usages"] == [{
        "hours": 1.0, "flavor": "m1.tiny", "instance_id": a, "name": "a",
        "tenant_id": "project-a", "memory_mb": 512, "local_gb": 1,
        "vcpus": 1, "started_at": LAUNCHED, "ended_at": LAUNCHED + HOUR,
        "state": "terminated", "uptime": 3600}]
    assert (medium["total_hours"], medium["total_vcpus_usage"],
            medium["total_memory_mb_usage"],
            medium["total_local_gb_usage"]) == (2.0, 4.0, 8192.0, 80.0)
    (running,) = medium["server_usages"]
    assert (running["state"], running["ended_at"], running["uptime"]) == (
        "active", None, 7200)
    assert [s["instance_id"] for s in servers] == [a, b]
    # half an hour of the window holds half an hour of each
    summaries, _ = compute.usage.usages(
        admin_ctx, LAUNCHED + HOUR / 2, LAUNCHED + HOUR, detailed=False)
    assert [(s["total_hours"], "server_usages" in s)
            for s in summaries] == [(0.5, False), (0.5, False)]
    # after "a" ended, only "b"; before anything launched, nothing
    summaries, _ = compute.usage.usages(admin_ctx, LAUNCHED + 1.5 * HOUR,
                                        None)
    assert [s["tenant_id"] for s in summaries] == ["project-b"]
    assert compute.usage.usages(admin_ctx, START,
                                START + datetime.timedelta(seconds=1)) == (
        [], [])


def test_paging_in_nova_order(compute, admin_ctx, fleet):
    a, b = fleet
    _, page = compute.usage.usages(admin_ctx, START, None, limit=1)
    assert [s["instance_id"] for s in page] == [a]
    _, page = compute.usage.usages(admin_ctx, START, None, marker=a)
    assert [s["instance_id"] for s in page] == [b]
    with pytest.raises(exception.MarkerNotFound):
        compute.usage.usages(admin_ctx, START, None, marker="nope")


def test_who_may_see_what(compute, ctx, admin_ctx, fleet):
    with pytest.raises(exception.PolicyNotAuthorized,
                       match="os-simple-tenant-usage:list"):
        compute.usage.usages(ctx, START, None)
    with pytest.raises(exception.PolicyNotAuthorized,
                       match="os-simple-tenant-usage:show"):
        compute.usage.usages(ctx, START, None, project_id="project-b")
    (own,), _ = compute.usage.usages(ctx, START, None,
                                     project_id="project-a")
    assert own["tenant_id"] == "project-a"
    (other,), _ = compute.usage.usages(admin_ctx, START, None,
                                       project_id="project-b")
    assert other["tenant_id"] == "project-b"


def test_bad_windows(compute, admin_ctx, clock):
    with pytest.raises(exception.Invalid, match="Invalid start time"):
        compute.usage.usages(admin_ctx, START, START)
    with pytest.raises(exception.Invalid, match="Invalid start time"):
        compute.usage.usages(admin_ctx, None, START)
    # neither bound: nova's two reads of the clock make a valid window
    assert compute.usage.usages(admin_ctx) == ([], [])


@pytest.mark.parametrize("text,parsed", [
    ("2024-05-01T12:00:00", START),
    ("2024-05-01T12:00:00.5", START + datetime.timedelta(microseconds=5e5)),
    ("2024-05-01 12:00:00.000001",
     START + datetime.timedelta(microseconds=1)),
    ("", None),
    (None, None),
])
def test_parse_time_takes_novas_formats(text, parsed):
    assert usage.parse_time(text) == parsed


def test_parse_time_refuses_others():
    with pytest.raises(exception.InvalidStrTime,
                       match="^Invalid datetime string: Datetime is in "
                       "invalid format$"):
        usage.parse_time("2024-05-01")

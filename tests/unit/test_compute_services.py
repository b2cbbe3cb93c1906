"""minova_tw.compute.services: the fleet's services, their derived ids, disable / force down / delete, and what the scheduler makes of them."""

import pytest

from minova_tw.compute import exception, services
from minova_tw.db import engine as db_engine

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def _listed(compute, admin_ctx, **filters):
    return compute.services.list(admin_ctx, **filters)[0]


def _uuid(compute, admin_ctx, host, binary="nova-compute"):
    return _listed(compute, admin_ctx, host=host, binary=binary)[0].uuid


def _ask(conf, question, host):
    return db_engine.get_database(conf).run(
        lambda session: question(session, conf, host), write=False)


def test_every_host_runs_compute_and_the_controller_the_control_services(
        compute, admin_ctx, conf):
    found = _listed(compute, admin_ctx)
    assert [(s.id, s.host, s.binary, s.zone) for s in found] == [
        (1, "compute-1", "nova-conductor", "internal"),
        (2, "compute-1", "nova-scheduler", "internal"),
        (3, "compute-1", "nova-compute", "nova"),
        (4, "compute-2", "nova-compute", "nova"),
    ]
    assert all(s.up and not s.disabled and s.disabled_reason is None
               for s in found)
    # The ids are derived: the same from another API object (worker).
    again = _listed(type(compute)(conf), admin_ctx)
    assert [s.uuid for s in again] == [s.uuid for s in found]
    assert len({s.uuid for s in found}) == 4
    assert [s.binary for s in _listed(compute, admin_ctx,
                                      host="compute-1")] == [
        "nova-conductor", "nova-scheduler", "nova-compute"]
    assert [s.host for s in _listed(compute, admin_ctx,
                                    binary="nova-compute")] == [
        "compute-1", "compute-2"]


def test_only_an_admin_lists(compute, ctx):
    with pytest.raises(exception.PolicyNotAuthorized):
        compute.services.list(ctx)


def test_disable_enable_and_force_down(compute, admin_ctx, conf, clock):
    target = _uuid(compute, admin_ctx, "compute-2")
    service, now = compute.services.update(
        admin_ctx, target, status="disabled", disabled_reason="maint")
    assert (service.disabled, service.disabled_reason, now) == (
        True, "maint", clock.now)
    assert not _ask(conf, services.is_enabled, "compute-2")
    assert _ask(conf, services.is_up, "compute-2")
    service, _ = compute.services.update(admin_ctx, target, forced_down=True)
    assert service.disabled and service.forced_down and not service.up
    assert not _ask(conf, services.is_up, "compute-2")
    with pytest.raises(exception.Invalid) as caught:
        compute.services.update(admin_ctx, target, status="enabled",
                                disabled_reason="x")
    assert caught.value.format_message() == (
        "Specifying 'disabled_reason' with status 'enabled' is invalid.")
    service, _ = compute.services.update(admin_ctx, target, status="enabled",
                                         forced_down=False)
    assert not service.disabled and service.disabled_reason is None
    assert _ask(conf, services.is_enabled, "compute-2")
    assert _ask(conf, services.is_up, "compute-2")
    with pytest.raises(exception.Invalid) as caught:
        compute.services.update(admin_ctx, target)
    assert "No updates were requested" in caught.value.format_message()


def test_only_compute_services_change(compute, admin_ctx):
    conductor = _uuid(compute, admin_ctx, "compute-1", "nova-conductor")
    with pytest.raises(exception.ServiceUpdateNotSupported) as caught:
        compute.services.update(admin_ctx, conductor, status="disabled")
    assert caught.value.format_message() == (
        "Updating a nova-conductor service is not supported. Only "
        "nova-compute services can be updated.")
    with pytest.raises(exception.ServiceUpdateNotSupported):
        compute.services.update_by_host(admin_ctx, "compute-1",
                                        "nova-scheduler", disabled=True)
    with pytest.raises(exception.HostBinaryNotFound) as caught:
        compute.services.update_by_host(admin_ctx, "compute-9",
                                        "nova-compute", disabled=True)
    assert caught.value.format_message() == (
        "Could not find binary nova-compute on host compute-9.")
    with pytest.raises(exception.ServiceNotFound):
        compute.services.update(admin_ctx,
                                "0f8b3e55-3bd4-4a6d-8d2b-2bbfd2bd6e4c",
                                status="disabled")


def test_new_servers_avoid_disabled_and_down_hosts(compute, ctx, admin_ctx):
    compute.services.update_by_host(admin_ctx, "compute-1", "nova-compute",
                                    disabled=True, disabled_reason="x")
    placed = compute.servers.create(ctx, "vm", "1", IMAGE, min_count=2,
                                    max_count=2)
    assert [s.host for s in placed] == ["compute-2", "compute-2"]
    compute.services.update_by_host(admin_ctx, "compute-2", "nova-compute",
                                    forced_down=True)
    failed = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    assert failed.host is None  # it ends in ERROR with NoValidHost
    # A requested host that is disabled is no valid host either.
    compute.services.update_by_host(admin_ctx, "compute-2", "nova-compute",
                                    forced_down=False)
    assert compute.servers.create(admin_ctx, "vm", "1", IMAGE,
                                  host="compute-1")[0].host is None
    compute.services.update_by_host(admin_ctx, "compute-1", "nova-compute",
                                    disabled=False, disabled_reason=None)
    assert compute.servers.create(admin_ctx, "vm", "1", IMAGE,
                                  host="compute-1")[0].host == "compute-1"


def test_delete_refuses_a_host_with_servers(compute, ctx, admin_ctx, conf):
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    assert server.host == "compute-1"
    target = _uuid(compute, admin_ctx, "compute-1")
    with pytest.raises(exception.ServiceHostsInstances) as caught:
        compute.services.delete(admin_ctx, target, by_uuid=True)
    assert caught.value.code == 409
    compute.services.delete(admin_ctx, "4", by_uuid=False)
    assert [s.id for s in _listed(compute, admin_ctx)] == [1, 2, 3]
    assert not _ask(conf, services.is_up, "compute-2")
    assert not _ask(conf, services.is_enabled, "compute-2")
    assert compute.servers.create(ctx, "vm", "1", IMAGE)[0].host == (
        "compute-1")
    with pytest.raises(exception.ServiceNotFound):
        compute.services.delete(admin_ctx, "4", by_uuid=False)
    # A control service has no servers to check.
    compute.services.delete(admin_ctx, "2", by_uuid=False)
    assert [s.binary for s in _listed(compute, admin_ctx)] == [
        "nova-conductor", "nova-compute"]

"""Shelving, deferred delete, resetState, injectNetworkInfo and createBackup in compute.actions and compute.servers."""

import datetime

import pytest
import sqlalchemy as sa

from minova_tw.compute import exception, quotas, states
from minova_tw.db import engine as db_engine
from minova_tw.db import models

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
ZONE = "nova"
EPOCH = datetime.datetime(2000, 1, 1)


@pytest.fixture
def boot(compute, ctx, clock):
    """An ACTIVE server of ``ctx`` (m1.tiny); its uuid."""
    def boot(context=None, **kwargs):
        server = compute.servers.create(context or ctx, "vm", "1", IMAGE,
                                        **kwargs)[0]
        clock.advance(2)
        return server.uuid
    return boot


def _status(compute, ctx, uuid):
    server = compute.servers.get(ctx, uuid)
    return states.status(server.vm_state, server.task_state)


def _listed(compute, ctx, uuid):
    [server] = compute.servers.list(ctx, filters={"uuid": uuid})
    return server


def _actions(compute, ctx, uuid):
    return [a.action for a in compute.instance_actions.list(ctx, uuid)]


@pytest.fixture
def shelved(compute, ctx, clock, boot, override):
    """A SHELVED server of ``ctx`` that is never offloaded on its own."""
    override("shelved_offload_time", -1, None)
    uuid = boot()
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    return uuid


def test_shelve_offloads_at_once_by_default(compute, ctx, clock, boot):
    uuid = boot()
    assert compute.servers.get(ctx, uuid).host == "compute-1"
    compute.server_actions.shelve(ctx, uuid)
    server = compute.servers.get(ctx, uuid)
    assert (server.vm_state, server.task_state) == (states.ACTIVE,
                                                     states.SHELVING)
    clock.advance(1)
    server = compute.servers.get(ctx, uuid)
    assert states.status(server.vm_state, server.task_state) == \
        "SHELVED_OFFLOADED"
    assert server.host is None and server.power_state == states.SHUTDOWN
    assert _listed(compute, ctx, uuid).host is None
    assert compute.servers.list(ctx, filters={"host": "compute-1"}) == []
    assert _actions(compute, ctx, uuid)[0] == "shelve"


def test_a_shelved_server_is_offloaded_after_shelved_offload_time(
        compute, ctx, clock, boot, override):
    override("shelved_offload_time", 5, None)
    uuid = boot()
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    assert _status(compute, ctx, uuid) == "SHELVED"
    assert compute.servers.get(ctx, uuid).host == "compute-1"
    assert _listed(compute, ctx, uuid).host == "compute-1"
    # A writer in between stores the first step; the second still comes.
    compute.servers.update(ctx, uuid, name="renamed")
    clock.advance(4.5)
    assert _status(compute, ctx, uuid) == "SHELVED"
    clock.advance(0.5)
    assert _status(compute, ctx, uuid) == "SHELVED_OFFLOADED"
    listed = _listed(compute, ctx, uuid)
    assert (listed.vm_state, listed.host) == (states.SHELVED_OFFLOADED, None)
    assert compute.servers.list(
        ctx, filters={"status": "SHELVED_OFFLOADED"})[0].uuid == uuid


def test_a_negative_offload_time_keeps_it_until_shelve_offload(
        compute, ctx, admin_ctx, clock, shelved):
    uuid = shelved
    clock.advance(3600)
    assert _status(compute, ctx, uuid) == "SHELVED"
    compute.server_actions.shelve_offload(admin_ctx, uuid)
    clock.advance(1)
    assert _status(compute, ctx, uuid) == "SHELVED_OFFLOADED"
    assert compute.servers.get(ctx, uuid).host is None
    assert _actions(compute, ctx, uuid)[0] == "shelveOffload"


def test_shelve_offload_needs_an_admin_and_a_shelved_server(
        compute, ctx, admin_ctx, clock, boot):
    uuid = boot()
    with pytest.raises(exception.Forbidden):
        compute.server_actions.shelve_offload(ctx, uuid)
    with pytest.raises(exception.InstanceInvalidState, match=(
            "Cannot 'shelveOffload' instance %s while it is in vm_state "
            "active" % uuid)):
        compute.server_actions.shelve_offload(admin_ctx, uuid)


@pytest.mark.parametrize("setup", ["unshelve", "shelve"])
def test_shelve_guards_are_novas(compute, ctx, clock, boot, setup):
    uuid = boot()
    if setup == "unshelve":
        with pytest.raises(exception.InstanceInvalidState, match=(
                "Cannot 'unshelve' instance %s while it is in vm_state "
                "active" % uuid)):
            compute.server_actions.unshelve(ctx, uuid)
    else:
        compute.server_actions.shelve(ctx, uuid)
        with pytest.raises(exception.InstanceInvalidState,
                           match="in task_state shelving"):
            compute.server_actions.shelve(ctx, uuid)
        clock.advance(1)
        with pytest.raises(exception.InstanceInvalidState, match=(
                "Cannot 'shelve' instance %s while it is in vm_state "
                "shelved_offloaded" % uuid)):
            compute.server_actions.shelve(ctx, uuid)


def test_unshelve_puts_an_offloaded_server_on_the_least_loaded_host(
        compute, ctx, clock, boot):
    uuid = boot()
    assert compute.servers.get(ctx, uuid).host == "compute-1"
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    others = [boot() for _ in range(3)]
    assert [compute.servers.get(ctx, u).host for u in others] == [
        "compute-1", "compute-2", "compute-1"]
    compute.server_actions.unshelve(ctx, uuid)
    server = compute.servers.get(ctx, uuid)
    assert (server.task_state, server.host) == (states.UNSHELVING,
                                                 "compute-2")
    clock.advance(1)
    server = compute.servers.get(ctx, uuid)
    assert states.status(server.vm_state, server.task_state) == "ACTIVE"
    assert (server.power_state, server.host) == (states.RUNNING,
                                                 "compute-2")
    assert _actions(compute, ctx, uuid)[0] == "unshelve"


def test_unshelve_of_a_shelved_server_keeps_its_host(compute, ctx, clock,
                                                     shelved):
    uuid = shelved
    compute.server_actions.unshelve(ctx, uuid)
    clock.advance(1)
    server = compute.servers.get(ctx, uuid)
    assert (server.vm_state, server.host) == (states.ACTIVE, "compute-1")


def test_a_zone_or_host_is_for_an_offloaded_server_only(
        compute, ctx, admin_ctx, shelved):
    uuid = shelved
    message = ('Specifying an availability zone or a host when unshelving '
               'server "%s" with status "shelved" is not supported' % uuid)
    with pytest.raises(exception.UnshelveInstanceInvalidState,
                       match=message):
        compute.server_actions.unshelve(ctx, uuid, availability_zone=ZONE)
    with pytest.raises(exception.UnshelveInstanceInvalidState):
        compute.server_actions.unshelve(admin_ctx, uuid, host="compute-2")


def test_unshelve_to_a_host_and_zone_rules(compute, ctx, admin_ctx, clock,
                                           boot):
    uuid = boot()
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    with pytest.raises(exception.Invalid,
                       match="The requested availability zone is not "
                             "available"):
        compute.server_actions.unshelve(ctx, uuid, availability_zone="az9")
    with pytest.raises(exception.Forbidden):
        compute.server_actions.unshelve(ctx, uuid, host="compute-2")
    with pytest.raises(exception.ComputeHostNotFound):
        compute.server_actions.unshelve(admin_ctx, uuid, host="compute-9")
    compute.server_actions.unshelve(admin_ctx, uuid, host="compute-2",
                                    availability_zone=ZONE)
    clock.advance(1)
    server = compute.servers.get(ctx, uuid)
    assert (server.host, server.pinned_availability_zone) == ("compute-2",
                                                              ZONE)
    # A null zone unpins it.
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    compute.server_actions.unshelve(ctx, uuid, availability_zone=None)
    clock.advance(1)
    assert compute.servers.get(ctx, uuid).pinned_availability_zone is None


def test_unshelve_to_a_host_outside_the_pinned_zone_is_409(
        compute, ctx, admin_ctx, clock, boot, conf):
    uuid = boot(availability_zone=ZONE)
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    compute.servers.update(ctx, uuid, pinned_availability_zone=None)
    # Pinned to a zone that is not the hosts' (an operator renamed it).
    db_engine.get_database(conf).run(lambda s: s.execute(
        quotas.I.__table__.update().values(
            pinned_availability_zone="old-zone")), write=True)
    with pytest.raises(exception.UnshelveHostNotInAZ, match=(
            'Host "compute-2" is not in the availability zone '
            '"old-zone".')):
        compute.server_actions.unshelve(admin_ctx, uuid, host="compute-2")


def test_unshelve_honours_the_anti_affinity_group(compute, ctx, clock,
                                                  override):
    override("fake_hosts", 1, "minova")
    group = compute.server_groups.create(ctx, "g", "anti-affinity")
    [first] = compute.servers.create(
        ctx, "a", "1", IMAGE, scheduler_hints={"group": group.uuid})
    clock.advance(2)
    compute.server_actions.shelve(ctx, first.uuid)
    clock.advance(1)
    [second] = compute.servers.create(
        ctx, "b", "1", IMAGE, scheduler_hints={"group": group.uuid})
    clock.advance(2)
    assert _status(compute, ctx, second.uuid) == "ACTIVE"
    compute.server_actions.unshelve(ctx, first.uuid)
    clock.advance(1)
    assert _status(compute, ctx, first.uuid) == "SHELVED_OFFLOADED"
    [action] = [a for a in compute.instance_actions.list(ctx, first.uuid)
                if a.action == "unshelve"]
    assert action.message == "Error"


def test_a_volume_backed_server_offloads_at_once(compute, ctx, clock,
                                                 override):
    override("shelved_offload_time", -1, None)
    [server] = compute.servers.create(ctx, "vm", "1", "")
    clock.advance(2)
    compute.server_actions.shelve(ctx, server.uuid)
    clock.advance(1)
    assert _status(compute, ctx, server.uuid) == "SHELVED_OFFLOADED"


# -- deferred delete ---------------------------------------------------------

@pytest.fixture
def soft_delete(override):
    override("reclaim_instance_interval", 60, None)


def test_delete_soft_deletes_and_restore_brings_it_back(
        compute, ctx, admin_ctx, clock, boot, soft_delete, conf):
    uuid = boot()
    compute.servers.delete(ctx, uuid)
    server = compute.servers.get(ctx, uuid)
    assert states.status(server.vm_state, server.task_state) == \
        "SOFT_DELETED"
    assert server.deleted_at is not None
    # Listed as nova lists it: with the deleted servers only.
    assert compute.servers.list(ctx, filters={"uuid": uuid}) == []
    [listed] = compute.servers.list(admin_ctx, filters={
        "uuid": uuid, "deleted": True, "all_tenants": True})
    assert listed.vm_state == states.SOFT_DELETED
    assert compute.servers.list(admin_ctx, filters={
        "uuid": uuid, "deleted": False, "all_tenants": True}) == []
    assert [s.uuid for s in compute.servers.list(ctx, filters={
        "uuid": uuid, "changes-since": EPOCH})] == [uuid]
    usage = db_engine.get_database(conf).run(
        lambda s: quotas.usage(s, ctx.project_id), write=False)
    assert usage == {"instances": 0, "cores": 0, "ram": 0}
    clock.advance(30)
    compute.servers.restore(ctx, uuid)
    server = compute.servers.get(ctx, uuid)
    assert (server.vm_state, server.power_state, server.deleted_at) == (
        states.ACTIVE, states.RUNNING, None)
    clock.advance(60)
    assert _status(compute, ctx, uuid) == "ACTIVE"
    assert _actions(compute, ctx, uuid)[:2] == ["restore", "delete"]


def test_a_soft_deleted_server_is_reclaimed_after_the_interval(
        compute, ctx, clock, boot, soft_delete, conf):
    uuid = boot()
    address = compute.servers.get(ctx, uuid).fixed_ips[0].address
    compute.servers.delete(ctx, uuid)
    clock.advance(59)
    assert _status(compute, ctx, uuid) == "SOFT_DELETED"
    clock.advance(1)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.get(ctx, uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.restore(ctx, uuid)
    assert compute.servers.list(ctx, filters={"uuid": uuid}) == []
    # The next create reclaims it for real: its address is free again.
    [new] = compute.servers.create(ctx, "vm", "1", IMAGE,
                                   networks=[{"fixed_ip": address}])
    assert new.fixed_ips[0].address == address
    deleted = compute.servers.list(ctx, filters={"uuid": uuid,
                                                 "changes-since": EPOCH})
    assert deleted[0].deleted != 0


@pytest.mark.parametrize("again", ["force_delete", "delete"])
def test_a_soft_deleted_server_is_deleted_at_once_when_asked_again(
        compute, ctx, boot, soft_delete, again):
    uuid = boot()
    compute.servers.delete(ctx, uuid)
    getattr(compute.servers, again)(ctx, uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.get(ctx, uuid)


def test_a_server_that_never_launched_is_deleted_at_once(
        compute, ctx, soft_delete):
    [server] = compute.servers.create(ctx, "vm", "1", IMAGE)
    compute.servers.delete(ctx, server.uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.get(ctx, server.uuid)


def test_restore_needs_a_soft_deleted_server_and_room_in_the_quota(
        compute, ctx, clock, boot, soft_delete, override):
    uuid = boot()
    with pytest.raises(exception.InstanceInvalidState, match=(
            "Cannot 'restore' instance %s while it is in vm_state active"
            % uuid)):
        compute.servers.restore(ctx, uuid)
    compute.servers.delete(ctx, uuid)
    override("instances", 1, "quota")
    boot()
    with pytest.raises(exception.TooManyInstances):
        compute.servers.restore(ctx, uuid)
    assert _status(compute, ctx, uuid) == "SOFT_DELETED"


def test_force_delete_and_restore_are_policed(compute, ctx, other_ctx, boot,
                                              soft_delete):
    uuid = boot()
    compute.servers.delete(ctx, uuid)
    for call in (compute.servers.restore, compute.servers.force_delete):
        with pytest.raises(exception.InstanceNotFound):
            call(other_ctx, uuid)


def test_a_locked_server_is_not_force_deleted(compute, ctx, admin_ctx,
                                              boot):
    uuid = boot()
    compute.server_actions.lock(ctx, uuid)
    with pytest.raises(exception.InstanceIsLocked):
        compute.servers.force_delete(ctx, uuid)
    compute.servers.force_delete(admin_ctx, uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.get(ctx, uuid)


# -- admin actions, backups --------------------------------------------------

@pytest.mark.parametrize("state, status", [("error", "ERROR"),
                                           ("active", "ACTIVE")])
def test_reset_state_sets_the_vm_state_and_drops_the_task(
        compute, ctx, admin_ctx, clock, boot, state, status):
    uuid = boot()
    compute.server_actions.stop(ctx, uuid)
    compute.server_actions.reset_state(admin_ctx, uuid, state)
    server = compute.servers.get(ctx, uuid)
    assert (server.vm_state, server.task_state) == (state, None)
    clock.advance(5)
    assert _status(compute, ctx, uuid) == status
    assert _actions(compute, ctx, uuid)[0] == "resetState"
    with pytest.raises(exception.Forbidden):
        compute.server_actions.reset_state(ctx, uuid, "active")


def test_inject_network_info_is_an_admins_and_stops_at_a_lock(
        compute, ctx, admin_ctx, boot):
    uuid = boot()
    before = compute.servers.get(ctx, uuid)
    with pytest.raises(exception.Forbidden):
        compute.server_actions.inject_network_info(ctx, uuid)
    compute.server_actions.inject_network_info(admin_ctx, uuid)
    after = compute.servers.get(ctx, uuid)
    assert (after.vm_state, after.task_state, after.updated_at) == (
        before.vm_state, before.task_state, before.updated_at)


def test_create_backup_images_the_server(compute, ctx, clock, boot):
    uuid = boot()
    image_id = compute.server_actions.create_backup(ctx, uuid, "b", "daily",
                                                    2)
    assert len(image_id) == 36
    assert compute.servers.get(ctx, uuid).task_state == states.IMAGE_BACKUP
    with pytest.raises(exception.InstanceInvalidState,
                       match="in task_state image_backup"):
        compute.server_actions.create_backup(ctx, uuid, "b", "daily", 2)
    clock.advance(1)
    assert _status(compute, ctx, uuid) == "ACTIVE"
    assert _actions(compute, ctx, uuid)[0] == "createBackup"


def _images(conf, uuid):
    rows = db_engine.get_database(conf).run(lambda s: s.execute(
        sa.select(models.Image.uuid, models.Image.image_type,
                  models.Image.backup_type)
        .where(models.Image.instance_uuid == uuid)
        .order_by(models.Image.id)).all(), write=False)
    return [tuple(row) for row in rows]


def test_backups_rotate_by_server_and_type(compute, ctx, clock, boot, conf):
    uuid, other = boot(), boot()
    snapshot = compute.server_actions.create_image(ctx, uuid, "snap")
    clock.advance(1)

    def backup(server, backup_type, rotation):
        made = compute.server_actions.create_backup(
            ctx, server, "b", backup_type, rotation)
        clock.advance(1)
        return made

    daily = [backup(uuid, "daily", 2) for _ in range(3)]
    weekly = backup(uuid, "weekly", 1)
    elsewhere = backup(other, "daily", 1)
    assert _images(conf, uuid) == [
        (snapshot, "snapshot", None), (daily[1], "backup", "daily"),
        (daily[2], "backup", "daily"), (weekly, "backup", "weekly")]
    # Rotation 0 keeps none of that type, not even the new backup.
    backup(uuid, "daily", 0)
    assert _images(conf, uuid) == [(snapshot, "snapshot", None),
                                   (weekly, "backup", "weekly")]
    assert _images(conf, other) == [(elsewhere, "backup", "daily")]


def test_a_volume_backed_server_has_no_backup(compute, ctx, clock):
    [server] = compute.servers.create(ctx, "vm", "1", "")
    clock.advance(2)
    with pytest.raises(exception.Invalid, match="Backup is not supported "
                       "for volume-backed instances."):
        compute.server_actions.create_backup(ctx, server.uuid, "b", "daily",
                                             0)


def test_unshelve_into_an_aggregates_zone(compute, ctx, admin_ctx, clock,
                                          boot):
    """A zone an aggregate makes is one to unshelve into: the server goes
    to its host, takes its zone and is pinned there; a host outside the
    pinned zone is refused."""
    aggregate = compute.aggregates.create(admin_ctx, "fast", "az1")
    compute.aggregates.add_host(admin_ctx, aggregate.id, "compute-2")
    uuid = boot()
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    compute.server_actions.unshelve(ctx, uuid, availability_zone="az1")
    clock.advance(1)
    server = compute.servers.get(admin_ctx, uuid)
    assert (server.host, server.availability_zone,
            server.pinned_availability_zone) == ("compute-2", "az1", "az1")
    compute.server_actions.shelve(ctx, uuid)
    clock.advance(1)
    with pytest.raises(exception.UnshelveHostNotInAZ, match=(
            'Host "compute-1" is not in the availability zone "az1".')):
        compute.server_actions.unshelve(admin_ctx, uuid, host="compute-1")
    compute.server_actions.unshelve(admin_ctx, uuid, host="compute-1",
                                    availability_zone=None)
    clock.advance(1)
    server = compute.servers.get(admin_ctx, uuid)
    assert (server.host, server.availability_zone,
            server.pinned_availability_zone) == ("compute-1", "nova", None)

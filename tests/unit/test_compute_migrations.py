"""minova_tw.compute.migrations and the moves in actions: migrate, resize, live migration, their records, on every database."""

import pytest
import sqlalchemy as sa

from minova_tw.compute import exception, states
from minova_tw.db import engine as db_engine
from minova_tw.db import models

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
ACTION_TIME = 1


@pytest.fixture
def boot(compute, ctx, clock):
    """An ACTIVE server of ``ctx`` (m1.tiny) on compute-1 (the emptiest
    host when nothing else runs)."""
    def boot():
        server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
        clock.advance(2)
        return server.uuid
    return boot


def _server(compute, admin_ctx, uuid):
    server = compute.servers.get(admin_ctx, uuid)
    return states.status(server.vm_state, server.task_state), server.host


def _migrations(compute, admin_ctx, **filters):
    rows, show_hosts = compute.migrations.list(admin_ctx, filters)
    assert show_hosts
    return rows


def _actions(compute, admin_ctx, uuid):
    return [(row.action, row.message)
            for row in compute.instance_actions.list(admin_ctx, uuid)]


def _flavor_id(conf, flavorid):
    return db_engine.get_database(conf).run(lambda s: s.scalar(
        sa.select(models.Flavor.id).where(
            models.Flavor.flavorid == flavorid)), write=False)


def test_cold_migrate_then_confirm(compute, admin_ctx, clock, boot, conf):
    uuid = boot()
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-1")
    compute.server_actions.migrate(admin_ctx, uuid)
    assert _server(compute, admin_ctx, uuid)[0] == "RESIZE"
    [row] = _migrations(compute, admin_ctx)
    assert (row.status, row.migration_type, row.source_compute,
            row.dest_compute, row.source_node, row.dest_node,
            row.instance_uuid) == (
        "migrating", "migration", "compute-1", "compute-2", "compute-1",
        "compute-2", uuid)
    tiny = _flavor_id(conf, "1")
    assert row.old_instance_type_id == row.new_instance_type_id == tiny
    assert (row.user_id, row.project_id) == ("admin", "admin-project")
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("VERIFY_RESIZE",
                                                 "compute-2")
    [row] = _migrations(compute, admin_ctx)
    assert row.status == "finished" and row.updated_at == clock.now
    compute.server_actions.confirm_resize(admin_ctx, uuid)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-2")
    assert _migrations(compute, admin_ctx)[0].status == "confirmed"
    assert _actions(compute, admin_ctx, uuid) == [
        ("confirmResize", None), ("migrate", None), ("create", None)]


def test_cold_migrate_to_a_host_then_revert(compute, admin_ctx, clock, boot,
                                            override):
    override("fake_hosts", 3, "minova")
    uuid = boot()
    compute.server_actions.migrate(admin_ctx, uuid, "compute-3")
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("VERIFY_RESIZE",
                                                 "compute-3")
    compute.server_actions.revert_resize(admin_ctx, uuid)
    assert _server(compute, admin_ctx, uuid) == ("REVERT_RESIZE",
                                                 "compute-1")
    assert _migrations(compute, admin_ctx)[0].status == "reverting"
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-1")
    assert _migrations(compute, admin_ctx)[0].status == "reverted"


def test_resize_records_a_resize_migration(compute, ctx, admin_ctx, clock,
                                           boot, conf):
    uuid = boot()
    compute.server_actions.resize(ctx, uuid, "2")
    [row] = _migrations(compute, admin_ctx)
    assert (row.migration_type, row.dest_compute, row.old_instance_type_id,
            row.new_instance_type_id, row.user_id) == (
        "resize", "compute-2", _flavor_id(conf, "1"), _flavor_id(conf, "2"),
        "user-a")
    clock.advance(ACTION_TIME)
    compute.server_actions.confirm_resize(ctx, uuid)
    assert _migrations(compute, admin_ctx)[0].status == "confirmed"


def test_resize_on_the_only_host_stays_there(compute, ctx, admin_ctx, clock,
                                             boot, override):
    override("fake_hosts", 1, "minova")
    uuid = boot()
    compute.server_actions.resize(ctx, uuid, "2")
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("VERIFY_RESIZE",
                                                 "compute-1")


def test_migrate_refusals(compute, ctx, admin_ctx, boot):
    uuid = boot()
    with pytest.raises(exception.Forbidden):
        compute.server_actions.migrate(ctx, uuid)
    with pytest.raises(exception.CannotMigrateToSameHost):
        compute.server_actions.migrate(admin_ctx, uuid, "compute-1")
    with pytest.raises(exception.ComputeHostNotFound,
                       match="Compute host nowhere could not be found."):
        compute.server_actions.migrate(admin_ctx, uuid, "nowhere")
    with pytest.raises(exception.InstanceNotFound):
        compute.server_actions.migrate(admin_ctx, "no-such-server")
    compute.server_actions.stop(admin_ctx, uuid)
    with pytest.raises(exception.InstanceInvalidState,
                       match="Cannot 'migrate' instance"):
        compute.server_actions.migrate(admin_ctx, uuid)
    assert _migrations(compute, admin_ctx) == []


def test_migrate_with_no_other_host_fails_after_the_fact(
        compute, admin_ctx, boot, override):
    override("fake_hosts", 1, "minova")
    uuid = boot()
    compute.server_actions.migrate(admin_ctx, uuid)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-1")
    [row] = _migrations(compute, admin_ctx)
    assert (row.status, row.dest_compute) == ("error", None)
    assert _actions(compute, admin_ctx, uuid)[0] == ("migrate", "Error")


def test_live_migration_runs_then_completes(compute, admin_ctx, clock,
                                            boot):
    uuid = boot()
    compute.server_actions.live_migrate(admin_ctx, uuid)
    assert _server(compute, admin_ctx, uuid)[0] == "MIGRATING"
    rows, _ = compute.migrations.in_progress(admin_ctx, uuid)
    [row] = rows
    assert (row.status, row.migration_type, row.dest_compute) == (
        "running", "live-migration", "compute-2")
    assert compute.migrations.get_in_progress(
        admin_ctx, uuid, str(row.id)).uuid == row.uuid
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-2")
    assert compute.migrations.in_progress(admin_ctx, uuid)[0] == []
    with pytest.raises(exception.NotFound, match="is not in progress"):
        compute.migrations.get_in_progress(admin_ctx, uuid, row.id)
    assert _migrations(compute, admin_ctx)[0].status == "completed"
    assert _actions(compute, admin_ctx, uuid)[0] == ("live-migration", None)


def test_live_migrating_a_paused_server_keeps_it_paused(
        compute, admin_ctx, clock, boot):
    uuid = boot()
    compute.server_actions.pause(admin_ctx, uuid)
    clock.advance(ACTION_TIME)
    compute.server_actions.live_migrate(admin_ctx, uuid, "compute-2")
    assert _server(compute, admin_ctx, uuid)[0] == "MIGRATING"
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("PAUSED", "compute-2")


def test_live_migration_refusals(compute, ctx, admin_ctx, boot, override):
    uuid = boot()
    with pytest.raises(exception.Forbidden):
        compute.server_actions.live_migrate(ctx, uuid)
    with pytest.raises(exception.ComputeHostNotFound):
        compute.server_actions.live_migrate(admin_ctx, uuid, "nowhere")
    with pytest.raises(exception.UnableToMigrateToSelf,
                       match=r"to current host \(compute-1\)"):
        compute.server_actions.live_migrate(admin_ctx, uuid, "compute-1",
                                            checks_async=False)
    override("fake_hosts", 1, "minova")
    with pytest.raises(exception.NoValidHost, match="No valid host"):
        compute.server_actions.live_migrate(admin_ctx, uuid,
                                            checks_async=False)
    assert _migrations(compute, admin_ctx) == []
    compute.server_actions.live_migrate(admin_ctx, uuid)
    [row] = _migrations(compute, admin_ctx)
    assert row.status == "error"
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-1")
    assert _actions(compute, admin_ctx, uuid)[0] == ("live-migration",
                                                     "Error")


def test_abort_a_live_migration(compute, ctx, admin_ctx, clock, boot):
    uuid = boot()
    compute.server_actions.live_migrate(admin_ctx, uuid)
    [row] = _migrations(compute, admin_ctx)
    with pytest.raises(exception.Forbidden):
        compute.migrations.abort(ctx, uuid, row.id)
    with pytest.raises(exception.MigrationNotFoundForInstance):
        compute.migrations.abort(admin_ctx, uuid, "12345")
    compute.migrations.abort(admin_ctx, uuid, str(row.id))
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-1")
    assert _migrations(compute, admin_ctx)[0].status == "cancelled"
    assert _actions(compute, admin_ctx, uuid)[:2] == [
        ("live_migration_cancel", None), ("live-migration", "Error")]
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-1")
    with pytest.raises(exception.InstanceInvalidState,
                       match="Cannot 'abort live migration'"):
        compute.migrations.abort(admin_ctx, uuid, row.id)


def test_abort_needs_a_running_migration(compute, admin_ctx, boot, conf):
    uuid = boot()
    compute.server_actions.live_migrate(admin_ctx, uuid)
    [row] = _migrations(compute, admin_ctx)
    db_engine.get_database(conf).run(lambda s: s.execute(
        sa.update(models.Migration).values(status="queued",
                                           due_at=None)), write=True)
    with pytest.raises(exception.InvalidMigrationState,
                       match="is queued. Cannot abort live migration"):
        compute.migrations.abort(admin_ctx, uuid, row.id)
    compute.migrations.abort(admin_ctx, uuid, row.id, queued_too=True)
    assert _migrations(compute, admin_ctx)[0].status == "cancelled"


def test_force_complete(compute, ctx, admin_ctx, boot):
    uuid = boot()
    compute.server_actions.live_migrate(admin_ctx, uuid)
    [row] = _migrations(compute, admin_ctx)
    with pytest.raises(exception.Forbidden):
        compute.migrations.force_complete(ctx, uuid, row.id)
    compute.migrations.force_complete(admin_ctx, uuid, row.id)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-2")
    assert _migrations(compute, admin_ctx)[0].status == "completed"
    assert _actions(compute, admin_ctx, uuid)[:2] == [
        ("live_migration_force_complete", None), ("live-migration", None)]
    with pytest.raises(exception.InstanceInvalidState,
                       match="Cannot 'force_complete'"):
        compute.migrations.force_complete(admin_ctx, uuid, row.id)


def test_list_filters_and_paging(compute, ctx, admin_ctx, clock, boot,
                                 override):
    override("fake_hosts", 3, "minova")
    first, second = boot(), boot()
    compute.server_actions.migrate(admin_ctx, first, "compute-3")
    clock.advance(0.5)
    compute.server_actions.live_migrate(admin_ctx, second, "compute-3")
    by = lambda **f: [r.instance_uuid for r in  # noqa: E731
                      _migrations(compute, admin_ctx, **f)]
    assert by() == [first, second]
    assert by(status="running") == [second]
    assert by(host="compute-3") == [first, second]
    assert by(host="compute-2") == [second]
    assert by(source_compute="compute-1") == [first]
    assert by(migration_type="live-migration") == [second]
    assert by(instance_uuid=first) == [first]
    assert by(user_id="admin") == [first, second]
    assert by(project_id="admin-project") == [first, second]
    assert by(hidden="1") == [] and by(hidden="0") == [first, second]
    rows, _ = compute.migrations.list(admin_ctx, {}, paged=True, limit=1)
    assert [r.instance_uuid for r in rows] == [second]
    rows, _ = compute.migrations.list(admin_ctx, {}, paged=True,
                                      marker=rows[0].uuid)
    assert [r.instance_uuid for r in rows] == [first]
    with pytest.raises(exception.MarkerNotFound):
        compute.migrations.list(admin_ctx, {}, paged=True, marker="nope")
    rows, _ = compute.migrations.list(
        admin_ctx, {}, paged=True, changes_since=clock.now)
    assert [r.instance_uuid for r in rows] == [second]
    rows, _ = compute.migrations.list(
        admin_ctx, {}, paged=True, changes_before=clock.now)
    assert len(rows) == 2
    with pytest.raises(exception.Forbidden):
        compute.migrations.list(ctx, {})
    with pytest.raises(exception.Forbidden):
        compute.migrations.list(ctx, {"project_id": "project-a"})


def _force_down(compute, admin_ctx, host="compute-1"):
    compute.services.update_by_host(admin_ctx, host, "nova-compute",
                                    forced_down=True)


def test_evacuate_from_a_down_host(compute, ctx, admin_ctx, clock, boot):
    uuid = boot()
    with pytest.raises(exception.ComputeServiceInUse,
                       match="Compute service of compute-1 is still in use."):
        compute.server_actions.evacuate(admin_ctx, uuid)
    _force_down(compute, admin_ctx)
    with pytest.raises(exception.Forbidden):
        compute.server_actions.evacuate(ctx, uuid)
    with pytest.raises(exception.NotFound,
                       match="Compute host nowhere not found."):
        compute.server_actions.evacuate(admin_ctx, uuid, "nowhere")
    with pytest.raises(exception.Invalid,
                       match="The target host can't be the same one."):
        compute.server_actions.evacuate(admin_ctx, uuid, "compute-1")
    compute.server_actions.evacuate(admin_ctx, uuid)
    assert _server(compute, admin_ctx, uuid) == ("REBUILD", "compute-2")
    [row] = _migrations(compute, admin_ctx)
    assert (row.migration_type, row.status, row.source_compute) == (
        "evacuation", "accepted", "compute-1")
    with pytest.raises(exception.InstanceInvalidState,
                       match="Cannot 'evacuate' instance"):
        compute.server_actions.evacuate(admin_ctx, uuid)
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, uuid) == ("ACTIVE", "compute-2")
    assert _migrations(compute, admin_ctx)[0].status == "done"
    assert _actions(compute, admin_ctx, uuid)[0] == ("evacuate", None)


def test_evacuate_stopped_or_to_stopped(compute, admin_ctx, clock, boot):
    stopped, running = boot(), boot()
    compute.server_actions.stop(admin_ctx, stopped)
    clock.advance(ACTION_TIME)
    _force_down(compute, admin_ctx, "compute-1")
    compute.server_actions.evacuate(admin_ctx, stopped)
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, stopped) == ("SHUTOFF", "compute-2")
    compute.services.update_by_host(admin_ctx, "compute-1", "nova-compute",
                                    forced_down=False)
    _force_down(compute, admin_ctx, "compute-2")
    compute.server_actions.evacuate(admin_ctx, running, stop=True)
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, running) == ("SHUTOFF", "compute-1")


def test_evacuate_with_no_host_left_is_an_error(compute, admin_ctx, boot,
                                                override):
    override("fake_hosts", 1, "minova")
    uuid = boot()
    _force_down(compute, admin_ctx)
    compute.server_actions.evacuate(admin_ctx, uuid)
    server = compute.servers.get(admin_ctx, uuid)
    assert (server.vm_state, server.task_state) == ("error", None)
    assert server.fault["message"].startswith("No valid host was found.")
    [row] = _migrations(compute, admin_ctx)
    assert (row.migration_type, row.status) == ("evacuation", "error")


def test_moves_go_only_to_hosts_that_take_servers(compute, admin_ctx, boot,
                                                  override):
    override("fake_hosts", 3, "minova")
    uuid = boot()
    compute.services.update_by_host(admin_ctx, "compute-2", "nova-compute",
                                    disabled=True)
    _force_down(compute, admin_ctx, "compute-3")
    with pytest.raises(exception.NoValidHost):
        compute.server_actions.live_migrate(admin_ctx, uuid,
                                            checks_async=False)
    compute.server_actions.migrate(admin_ctx, uuid, "compute-2")
    assert _migrations(compute, admin_ctx)[0].status == "error"


def test_moves_keep_to_the_server_group_policy(compute, ctx, admin_ctx,
                                               clock, override):
    override("fake_hosts", 3, "minova")
    apart = compute.server_groups.create(ctx, "apart", "anti-affinity")
    together = compute.server_groups.create(ctx, "together", "affinity")

    def boot(group):
        server = compute.servers.create(
            ctx, "vm", "1", IMAGE, scheduler_hints={"group": group.uuid})[0]
        clock.advance(2)
        return server.uuid

    first, second = boot(apart), boot(apart)
    assert _server(compute, admin_ctx, second)[1] == "compute-2"
    # compute-2 has the other member: only compute-3 is left.
    compute.server_actions.live_migrate(admin_ctx, first, "compute-2",
                                        checks_async=True)
    assert _migrations(compute, admin_ctx)[0].status == "error"
    compute.server_actions.live_migrate(admin_ctx, first)
    clock.advance(ACTION_TIME)
    assert _server(compute, admin_ctx, first) == ("ACTIVE", "compute-3")
    close = boot(together)
    compute.server_actions.migrate(admin_ctx, close)
    assert _migrations(compute, admin_ctx, instance_uuid=close)[0].status == (
        "error")


def test_moves_keep_a_pinned_server_in_its_zone(compute, ctx, admin_ctx,
                                                clock, boot, override):
    """A server booted into a zone moves only within it, though another
    host is emptier; an unpinned one takes its destination's zone, and
    back when its move is undone."""
    override("fake_hosts", 3, "minova")
    aggregate = compute.aggregates.create(admin_ctx, "fast", "az1")
    for host in ("compute-2", "compute-3"):
        compute.aggregates.add_host(admin_ctx, aggregate.id, host)
    pinned = compute.servers.create(ctx, "vm", "1", IMAGE,
                                    availability_zone="az1")[0].uuid
    clock.advance(2)
    assert _server(compute, admin_ctx, pinned) == ("ACTIVE", "compute-2")
    compute.server_actions.migrate(admin_ctx, pinned, "compute-1")
    assert _migrations(compute, admin_ctx)[0].status == "error"
    with pytest.raises(exception.NoValidHost):
        compute.server_actions.live_migrate(admin_ctx, pinned, "compute-1",
                                            checks_async=False)
    compute.server_actions.migrate(admin_ctx, pinned)
    clock.advance(ACTION_TIME)
    compute.server_actions.confirm_resize(admin_ctx, pinned)
    server = compute.servers.get(admin_ctx, pinned)
    assert (server.host, server.availability_zone) == ("compute-3", "az1")

    unpinned = boot()
    assert compute.servers.get(admin_ctx, unpinned).availability_zone == (
        "nova")
    compute.server_actions.live_migrate(admin_ctx, unpinned, "compute-2")
    server = compute.servers.get(admin_ctx, unpinned)
    assert (server.host, server.availability_zone) == ("compute-2", "az1")
    [row] = _migrations(compute, admin_ctx, instance_uuid=unpinned)
    compute.migrations.abort(admin_ctx, unpinned, row.id)
    server = compute.servers.get(admin_ctx, unpinned)
    assert (server.host, server.availability_zone) == ("compute-1", "nova")

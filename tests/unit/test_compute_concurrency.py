"""Limits that must hold across processes hold under concurrent requests, on every database.

Each test starts its requests at one barrier from threads with their own
pooled connections, so the database, not Python, decides who goes first:
quotas, the tag limit and server group members stay exact, addresses
never collide, anti-affinity members never share a host, a volume goes to
one server, a security group joins a server once and a group name is
made once per project, the guest's password is kept once, one of several
moves of a server starts and one of several ends of a live migration
wins, one of several deletes wins and the others find nothing, a fleet
service's first change is one row and its host is never deleted under a
booting server, an aggregate name and a host in an aggregate are taken
once, one of several unshelves (or restores) wins, restores hold the
server quota and never bring back a reclaimed server, a read never
waits for a write, and a create never waits for another server's row
lock.
"""

import sqlite3
import threading

import pytest
import sqlalchemy as sa
import webob

from minova_tw import context
from minova_tw.api.openstack.compute import APIRouterV21
from minova_tw.compute import exception
from minova_tw.db import engine as db_engine
from minova_tw.db import models
from tests.unit import compute_router

THREADS = 16
IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def _at_once(calls):
    """Run each of ``calls`` in its own thread, started together; return
    each one's result or the ComputeError it raised, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        barrier.wait(timeout=30)
        try:
            results[index] = call()
        except exception.ComputeError as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call))
               for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a request never finished"
    unexpected = [r for r in results if isinstance(r, Exception)
                  and not isinstance(r, exception.ComputeError)]
    assert not unexpected
    return results


def _count(conf, model, *where):
    return db_engine.get_database(conf).run(
        lambda s: s.scalar(sa.select(sa.func.count()).select_from(model)
                           .where(*where)), write=False)


def _live_servers(conf, project_id):
    return _count(conf, models.Instance,
                  models.Instance.project_id == project_id,
                  models.Instance.deleted == 0)


def test_server_quota_is_exact_under_concurrent_creates(compute, ctx, conf):
    results = _at_once([
        lambda: compute.servers.create(ctx, "vm", "1", IMAGE)
        for _ in range(THREADS)])
    created = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, exception.TooManyInstances)]
    assert (len(created), len(refused)) == (10, THREADS - 10)
    assert _live_servers(conf, ctx.project_id) == 10


def test_max_count_creates_share_the_quota_exactly(compute, ctx, conf):
    results = _at_once([
        lambda: compute.servers.create(ctx, "vm", "1", IMAGE, min_count=1,
                                       max_count=10)
        for _ in range(8)])
    assert sum(len(r) for r in results if isinstance(r, list)) == 10
    assert _live_servers(conf, ctx.project_id) == 10


def test_cores_quota_is_exact_under_concurrent_creates(compute, ctx, conf,
                                                       override):
    override("cores", 7, "quota")
    _at_once([lambda: compute.servers.create(ctx, "vm", "3", IMAGE)
              for _ in range(8)])  # m1.medium: 2 vCPUs each
    assert _live_servers(conf, ctx.project_id) == 3


def test_key_pair_quota_is_exact_under_concurrent_creates(compute, ctx, conf,
                                                          override):
    override("key_pairs", 10, "quota")
    results = _at_once([
        lambda i=i: compute.keypairs.create(ctx, "key-%d" % i)
        for i in range(THREADS)])
    assert sum(isinstance(r, exception.KeypairLimitExceeded)
               for r in results) == THREADS - 10
    assert _count(conf, models.KeyPair,
                  models.KeyPair.user_id == ctx.user_id) == 10


def test_server_group_quota_is_exact_under_concurrent_creates(
        compute, ctx, conf, override):
    override("server_groups", 3, "quota")
    results = _at_once([
        lambda: compute.server_groups.create(ctx, "g", "affinity")
        for _ in range(THREADS)])
    assert sum(isinstance(r, exception.ServerGroupLimitExceeded)
               for r in results) == THREADS - 3
    assert _count(conf, models.InstanceGroup) == 3


def _other_projects(make_context, user=None):
    """One context per thread, each in its own project (so only the
    group's lock, not a project's, orders their boots)."""
    return [make_context(user_id=user or "user-%d" % i,
                         project_id="project-%d" % i)
            for i in range(THREADS)]


def test_anti_affinity_never_shares_a_host_under_concurrent_boots(
        compute, ctx, conf, make_context):
    group = compute.server_groups.create(ctx, "g", "anti-affinity")
    hints = {"group": group.uuid}
    results = _at_once([
        lambda c=c: compute.servers.create(c, "vm", "1", IMAGE,
                                           scheduler_hints=hints)
        for c in _other_projects(make_context)])
    placed = [r[0].host for r in results if r[0].host is not None]
    assert sorted(placed) == ["compute-1", "compute-2"]
    assert len(compute.server_groups.get(ctx, group.uuid).members) == (
        THREADS)


def test_group_member_quota_is_exact_under_concurrent_boots(
        compute, ctx, conf, make_context, override):
    override("server_group_members", 3, "quota")
    group = compute.server_groups.create(ctx, "g", "soft-anti-affinity")
    hints = {"group": group.uuid}
    results = _at_once([
        lambda c=c: compute.servers.create(c, "vm", "1", IMAGE,
                                           scheduler_hints=hints)
        for c in _other_projects(make_context, user="user-a")])
    assert sum(isinstance(r, exception.ServerGroupMembersLimitExceeded)
               for r in results) == THREADS - 3
    assert len(compute.server_groups.get(ctx, group.uuid).members) == 3


def test_same_name_key_pair_has_one_winner(compute, ctx, conf):
    results = _at_once([lambda: compute.keypairs.create(ctx, "same")
                        for _ in range(8)])
    assert sum(isinstance(r, tuple) for r in results) == 1
    assert sum(isinstance(r, exception.KeyPairExists) for r in results) == 7


def test_metadata_items_quota_is_exact_under_concurrent_updates(
        compute, ctx, clock, conf, override):
    override("metadata_items", 5, "quota")
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    clock.advance(conf.minova.build_time)
    results = _at_once([
        lambda i=i: compute.servers.update_metadata(ctx, server.uuid,
                                                    {"key-%d" % i: "v"})
        for i in range(THREADS)])
    assert sum(isinstance(r, exception.MetadataLimitExceeded)
               for r in results) == THREADS - 5
    assert len(compute.servers.get_metadata(ctx, server.uuid)) == 5


def test_tag_limit_is_exact_under_concurrent_adds(compute, ctx, clock, conf):
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    clock.advance(conf.minova.build_time)
    compute.server_tags.replace(ctx, server.uuid,
                                ["old-%d" % i for i in range(45)])
    results = _at_once([
        lambda i=i: compute.server_tags.add(ctx, server.uuid, "new-%d" % i)
        for i in range(THREADS)])
    assert sum(isinstance(r, exception.TooManyTags)
               for r in results) == THREADS - 5
    assert len(compute.server_tags.list(ctx, server.uuid)) == 50


def test_a_security_group_is_added_once_under_concurrent_adds(compute, ctx):
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    web = compute.security_groups.create(ctx.project_id, "web")
    results = _at_once([
        lambda name=name: compute.server_security_groups.add(
            ctx, server.uuid, name)
        for name in [web.name, web.id] * (THREADS // 2)])
    assert results.count(None) == 1
    assert sum(isinstance(r, exception.SecurityGroupCannotBeApplied)
               for r in results) == THREADS - 1
    assert compute.servers.get(ctx, server.uuid).security_groups == [
        "default", "web"]


def test_a_security_group_name_has_one_winner(compute, ctx, conf):
    results = _at_once([
        lambda: compute.security_groups.create(ctx.project_id, "web")
        for _ in range(THREADS)])
    assert sum(isinstance(r, exception.SecurityGroupExists)
               for r in results) == THREADS - 1
    assert _count(conf, models.SecurityGroup) == 1


def test_the_guests_password_is_kept_once(compute, ctx):
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    results = _at_once([
        lambda i=i: compute.metadata.set_password(server.uuid, "pw-%d" % i)
        for i in range(THREADS)])
    assert results.count(None) == 1
    assert sum(isinstance(r, exception.PasswordAlreadySet)
               for r in results) == THREADS - 1
    winner = "pw-%d" % results.index(None)
    assert compute.server_password.show(ctx, server.uuid) == winner


def test_a_volume_attaches_to_one_of_many_servers(compute, ctx, clock,
                                                   conf, override):
    override("instances", THREADS, "quota")
    override("cores", THREADS, "quota")
    servers = compute.servers.create(ctx, "vm", "1", IMAGE,
                                     min_count=THREADS, max_count=THREADS)
    clock.advance(conf.minova.build_time)
    volume = "6f6b8a16-5a6e-4d2b-9d2c-3a1c1f5a0b01"
    results = _at_once([
        lambda uuid=server.uuid: compute.volume_attachments.attach(
            ctx, uuid, volume)
        for server in servers])
    assert sum(isinstance(r, exception.InvalidVolume)
               for r in results) == THREADS - 1
    assert _count(conf, models.VolumeAttachment) == 1


@pytest.mark.parametrize("kind", ["keypair", "server", "flavor",
                                  "extra_spec", "flavor_access",
                                  "server_group"])
def test_one_of_concurrent_deletes_wins(compute, ctx, admin_ctx, kind):
    if kind == "keypair":
        compute.keypairs.create(ctx, "doomed")
        delete = lambda: compute.keypairs.delete(ctx, "doomed")
    elif kind == "server_group":
        group = compute.server_groups.create(ctx, "doomed", "affinity")
        delete = lambda: compute.server_groups.delete(ctx, group.uuid)
    elif kind == "server":
        server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
        delete = lambda: compute.servers.delete(ctx, server.uuid)
    else:
        compute.flavors.create(admin_ctx, "doomed", 64, 1, 1, flavorid="d",
                               is_public=False)
        compute.flavors.update_extra_specs(admin_ctx, "d", {"k": "v"})
        compute.flavors.add_access(admin_ctx, "d", "p2")
        delete = {
            "flavor": lambda: compute.flavors.delete(admin_ctx, "d"),
            "extra_spec": lambda: compute.flavors.delete_extra_spec(
                admin_ctx, "d", "k"),
            "flavor_access": lambda: compute.flavors.remove_access(
                admin_ctx, "d", "p2"),
        }[kind]
    results = _at_once([delete] * THREADS)
    errors = [r for r in results if isinstance(r, exception.ComputeError)]
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, exception.NotFound) for e in errors), errors


@pytest.mark.parametrize("move", ["migrate", "live_migrate", "evacuate"])
def test_one_of_concurrent_moves_starts(compute, admin_ctx, clock, conf,
                                        move):
    server = compute.servers.create(admin_ctx, "vm", "1", IMAGE)[0]
    clock.advance(60)
    if move == "evacuate":
        compute.services.update_by_host(admin_ctx, server.host,
                                        "nova-compute", forced_down=True)
    start = getattr(compute.server_actions, move)
    results = _at_once([lambda: start(admin_ctx, server.uuid)] * THREADS)
    errors = [r for r in results if isinstance(r, exception.ComputeError)]
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, exception.InstanceInvalidState)
               for e in errors), errors
    assert _count(conf, models.Migration) == 1


def test_one_of_concurrent_ends_of_a_live_migration_wins(compute, admin_ctx,
                                                        clock, conf):
    server = compute.servers.create(admin_ctx, "vm", "1", IMAGE)[0]
    clock.advance(60)
    compute.server_actions.live_migrate(admin_ctx, server.uuid)
    migration_id = db_engine.get_database(conf).run(
        lambda s: s.scalar(sa.select(models.Migration.id)), write=False)
    ends = [compute.migrations.abort, compute.migrations.force_complete]
    results = _at_once([
        lambda end=ends[i % 2]: end(admin_ctx, server.uuid, migration_id)
        for i in range(THREADS)])
    errors = [r for r in results if isinstance(r, exception.ComputeError)]
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, exception.InstanceInvalidState)
               for e in errors), errors


def test_concurrent_creates_in_many_projects_get_distinct_addresses(
        compute, make_context, conf):
    results = _at_once([
        lambda i=i: compute.servers.create(
            make_context("user-%d" % i, "project-%d" % i), "vm", "1", IMAGE,
            max_count=3)
        for i in range(THREADS)])
    assert all(isinstance(r, list) for r in results), results
    addresses = db_engine.get_database(conf).run(
        lambda s: s.scalars(sa.select(models.FixedIP.address)).all(),
        write=False)
    assert len(addresses) == len(set(addresses)) == THREADS * 3


def test_min_count_is_bounded_even_without_quota(compute, ctx, conf,
                                                 override):
    override("instances", -1, "quota")
    override("cores", -1, "quota")
    override("ram", -1, "quota")
    override("max_servers_per_request", 5, "minova")
    with pytest.raises(exception.Invalid, match="more than the 5 servers"):
        compute.servers.create(ctx, "vm", "1", IMAGE, min_count=10 ** 100,
                               max_count=10 ** 100)
    assert len(compute.servers.create(ctx, "vm", "1", IMAGE, min_count=2,
                                      max_count=10 ** 100)) == 5


def test_a_read_never_waits_for_a_write(compute, ctx, clock, conf, backend):
    """While another connection holds SQLite's write lock, reads answer at
    once, and show a server as its due transition says without storing
    it."""
    if backend != "sqlite":
        pytest.skip("the file's write lock is SQLite's")
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    clock.advance(conf.minova.build_time)
    writer = sqlite3.connect(db_engine.get_database(conf).engine.url.database,
                             isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert compute.servers.get(ctx, server.uuid).vm_state == "active"
        listed = compute.servers.list(ctx, filters={"status": "ACTIVE"})
        assert [s.uuid for s in listed] == [server.uuid]
        assert listed[0].launched_at == clock.now
        assert compute.quotas.get_limits(ctx)["totalInstancesUsed"] == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    stored = db_engine.get_database(conf).run(
        lambda s: s.scalar(sa.select(models.Instance.vm_state)), write=False)
    assert stored == "building"
    compute.server_actions.stop(ctx, server.uuid)  # a writer stores it
    assert compute.servers.get(ctx, server.uuid).task_state == "powering-off"


def test_the_clock_is_the_database_servers(conf, backend, monkeypatch):
    """On PostgreSQL and MariaDB ``now`` is the server's time, carried on
    the monotonic clock: this host's wall clock is never read."""
    if backend == "sqlite":
        pytest.skip("an SQLite file's clock is this host's")
    database = db_engine.Database(db_engine.connection_url(conf))
    monkeypatch.setattr(db_engine, "utcnow", None)  # any call would fail
    try:
        first = database.now()
        server_time = database.run(lambda s: s.scalar(sa.text(
            db_engine.CLOCK_QUERIES[database.engine.dialect.name])),
            write=False)
        second = database.now()
    finally:
        database.dispose()
    assert first <= second
    assert abs((second - server_time).total_seconds()) < 1


def test_a_quota_lowered_through_the_api_holds_under_concurrent_creates(
        compute, ctx, conf):
    """PUT /os-quota-sets lowers the project's instances; of many creates
    at once exactly that many servers are made."""
    request = webob.Request.blank("/os-quota-sets/%s" % ctx.project_id,
                                  method="PUT")
    request.json = {"quota_set": {"instances": 3}}
    request.environ[context.ENVIRON_KEY] = compute_router.context_for(
        "admin", "admin", admin=True)
    response = request.get_response(APIRouterV21(conf))
    assert response.status_int == 200, response.text
    results = _at_once([
        lambda: compute.servers.create(ctx, "vm", "1", IMAGE)
        for _ in range(THREADS)])
    assert sum(isinstance(r, list) for r in results) == 3
    assert sum(isinstance(r, exception.TooManyInstances)
               for r in results) == THREADS - 3
    assert _live_servers(conf, ctx.project_id) == 3


def test_concurrent_first_changes_of_a_service_make_one_row(
        compute, admin_ctx, conf):
    """A service's row is written at its first change: many workers
    changing it at once all succeed and leave one row."""
    target = compute.services.list(admin_ctx, host="compute-2")[0][0].uuid
    results = _at_once([
        lambda n=n: compute.services.update(
            admin_ctx, target, status="disabled", disabled_reason="r%d" % n)
        for n in range(8)])
    assert all(r is not None and not isinstance(r, Exception)
               for r in results)
    assert _count(conf, models.Service,
                  models.Service.host == "compute-2") == 1


def test_a_host_with_servers_is_never_deleted_under_concurrent_boots(
        compute, ctx, admin_ctx, conf, override):
    """Deleting compute-2's service while servers boot: either the delete
    wins and no server lands there, or a server does and the delete is
    409."""
    override("fake_hosts", 2, "minova")
    target = compute.services.list(admin_ctx, host="compute-2")[0][0].uuid
    calls = [lambda: compute.servers.create(ctx, "vm", "1", IMAGE,
                                            min_count=2, max_count=2)
             for _ in range(3)]
    calls.append(lambda: compute.services.delete(admin_ctx, target,
                                                 by_uuid=True))
    results = _at_once(calls)
    on_2 = _count(conf, models.Instance, models.Instance.host == "compute-2",
                  models.Instance.deleted == 0)
    if isinstance(results[-1], exception.ServiceHostsInstances):
        assert on_2 > 0
    else:
        assert results[-1] is None and on_2 == 0


def test_same_name_aggregates_have_one_winner(compute, admin_ctx, conf):
    results = _at_once([lambda: compute.aggregates.create(admin_ctx, "same")
                        for _ in range(8)])
    assert sum(isinstance(r, models.Aggregate) for r in results) == 1
    assert sum(isinstance(r, exception.AggregateNameExists)
               for r in results) == 7


def test_a_host_added_at_once_is_added_once(compute, admin_ctx, conf):
    aggregate = compute.aggregates.create(admin_ctx, "agg")
    results = _at_once([
        lambda: compute.aggregates.add_host(admin_ctx, aggregate.id,
                                            "compute-1")
        for _ in range(8)])
    assert sum(isinstance(r, models.Aggregate) for r in results) == 1
    assert sum(isinstance(r, exception.AggregateHostExists)
               for r in results) == 7
    assert _count(conf, models.AggregateHost) == 1


def _shelved_offloaded(compute, ctx, clock, **kwargs):
    server = compute.servers.create(ctx, "vm", "1", IMAGE, **kwargs)[0]
    clock.advance(2)
    compute.server_actions.shelve(ctx, server.uuid)
    clock.advance(1)
    return server.uuid


def test_one_of_concurrent_unshelves_wins(compute, ctx, clock):
    uuid = _shelved_offloaded(compute, ctx, clock)
    results = _at_once([lambda: compute.server_actions.unshelve(ctx, uuid)]
                       * THREADS)
    errors = [r for r in results if isinstance(r, exception.ComputeError)]
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, exception.InstanceInvalidState)
               for e in errors), errors


def test_anti_affinity_holds_under_concurrent_unshelves(compute, ctx, clock,
                                                        override):
    """One host: of two offloaded members, one gets it, one stays
    offloaded."""
    override("fake_hosts", 1, "minova")
    override("server_group_members", -1, "quota")
    group = compute.server_groups.create(ctx, "g", "anti-affinity")
    hint = {"group": group.uuid}
    uuids = [_shelved_offloaded(compute, ctx, clock, scheduler_hints=hint)
             for _ in range(2)]
    _at_once([lambda u=u: compute.server_actions.unshelve(ctx, u)
              for u in uuids])
    clock.advance(1)
    shown = [compute.servers.get(ctx, u) for u in uuids]
    assert sorted(s.vm_state for s in shown) == ["active",
                                                 "shelved_offloaded"]


def test_one_of_concurrent_restores_wins(compute, ctx, clock, override):
    override("reclaim_instance_interval", 60, None)
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    clock.advance(2)
    compute.servers.delete(ctx, server.uuid)
    results = _at_once([lambda: compute.servers.restore(ctx, server.uuid)]
                       * THREADS)
    errors = [r for r in results if isinstance(r, exception.ComputeError)]
    assert len(errors) == THREADS - 1
    assert all(isinstance(e, exception.InstanceInvalidState)
               for e in errors), errors


def test_restores_hold_the_server_quota(compute, ctx, clock, conf,
                                        override):
    """10 soft-deleted servers take no quota; with 5 new ones in use,
    exactly 5 of them come back."""
    override("reclaim_instance_interval", 60, None)
    doomed = [compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
              for _ in range(10)]
    clock.advance(2)
    for uuid in doomed:
        compute.servers.delete(ctx, uuid)
    for _ in range(5):
        compute.servers.create(ctx, "new", "1", IMAGE)
    results = _at_once([lambda u=u: compute.servers.restore(ctx, u)
                        for u in doomed])
    refused = [r for r in results
               if isinstance(r, exception.TooManyInstances)]
    assert len(refused) == 5 and results.count(None) == 5
    assert _live_servers(conf, ctx.project_id) == 15


def test_a_reclaimed_server_is_not_restored(compute, ctx, clock, conf,
                                            override):
    """Past the interval, restores lose to the create that reclaims it."""
    override("reclaim_instance_interval", 60, None)
    server = compute.servers.create(ctx, "vm", "1", IMAGE)[0]
    clock.advance(2)
    compute.servers.delete(ctx, server.uuid)
    clock.advance(60)
    results = _at_once(
        [lambda: compute.servers.create(ctx, "vm", "1", IMAGE)]
        + [lambda: compute.servers.restore(ctx, server.uuid)] * (THREADS - 1))
    assert isinstance(results[0], list)
    assert all(isinstance(r, exception.InstanceNotFound)
               for r in results[1:]), results
    assert _count(conf, models.Instance,
                  models.Instance.uuid == server.uuid,
                  models.Instance.deleted != 0) == 1


def test_a_create_does_not_wait_for_other_servers_locks(
        compute, ctx, other_ctx, conf, backend):
    """A create's reclaim of due soft-deleted servers locks only those:
    another project's server held by a transaction (an action under way,
    or one a silent host left on the server) does not hold it up."""
    if backend == "sqlite":
        pytest.skip("an SQLite writer holds the whole file, not rows")
    held = compute.servers.create(other_ctx, "held", "1", IMAGE)[0]
    holder = db_engine.get_database(conf).engine.connect()
    done = threading.Event()
    thread = None
    try:
        holder.begin()
        holder.execute(sa.select(models.Instance.id).where(
            models.Instance.uuid == held.uuid).with_for_update())
        outcome = []

        def create():
            try:
                outcome.append(compute.servers.create(ctx, "vm", "1", IMAGE))
            except Exception as error:
                outcome.append(error)
            done.set()
        thread = threading.Thread(target=create)
        thread.start()
        # well under the lock wait bound (statement_timeout, 30 s)
        assert done.wait(10), "the create waited for another server's lock"
        [created] = outcome
        assert isinstance(created, list) and len(created) == 1, created
    finally:
        holder.rollback()
        holder.close()
    if thread is not None:
        thread.join(60)

"""minova_tw.compute.server_groups, scheduler and hosts: groups, their quotas, and where servers land."""

import pytest

from minova_tw.compute import exception, hosts, states

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def _boot(compute, ctx, group=None, **kwargs):
    hints = {"group": group} if group else None
    return compute.servers.create(ctx, "vm", "1", IMAGE,
                                  scheduler_hints=hints, **kwargs)


def _hosts(servers):
    return [server.host for server in servers]


def test_fake_hosts_are_named_by_count(conf, override):
    assert hosts.names(conf) == ["compute-1", "compute-2"]
    override("fake_hosts", 3, "minova")
    assert hosts.names(conf) == ["compute-1", "compute-2", "compute-3"]
    assert hosts.controller(conf) == "compute-1"
    assert hosts.exists(conf, "compute-3")
    assert not hosts.exists(conf, "compute-4")


def test_pick_is_least_loaded_then_lowest_number():
    counts = {"compute-1": 2, "compute-2": 1, "compute-3": 1}
    assert hosts.pick(list(counts), counts) == "compute-2"
    assert hosts.pick(["compute-1"], counts) == "compute-1"
    assert hosts.pick([], counts) is None
    assert hosts.pick(list(counts), counts,
                      lambda host: host != "compute-1") == "compute-1"


def test_servers_spread_over_the_least_loaded_hosts(compute, ctx,
                                                     admin_ctx):
    assert _hosts(_boot(compute, ctx, max_count=3)) == [
        "compute-1", "compute-2", "compute-1"]
    first = compute.servers.list(admin_ctx, filters={
        "all_tenants": True, "host": "compute-1"})
    assert len(first) == 2
    node = compute.servers.list(admin_ctx, filters={
        "all_tenants": True, "node": "compute-2$"})
    assert len(node) == 1
    ordered = compute.servers.list(ctx, sort_keys=["host"],
                                   sort_dirs=["desc"])
    assert _hosts(ordered) == ["compute-2", "compute-1", "compute-1"]


def test_an_admin_may_ask_for_a_host(compute, ctx, admin_ctx):
    assert _hosts(_boot(compute, admin_ctx, host="compute-2")) == [
        "compute-2"]
    assert _hosts(_boot(compute, admin_ctx,
                        hypervisor_hostname="compute-2")) == ["compute-2"]
    with pytest.raises(exception.ComputeHostNotFound):
        _boot(compute, admin_ctx, host="compute-9")
    with pytest.raises(exception.ComputeHostNotFound):
        _boot(compute, admin_ctx, host="compute-1",
              hypervisor_hostname="compute-2")
    with pytest.raises(exception.PolicyNotAuthorized):
        _boot(compute, ctx, host="compute-1")


def test_create_list_show_delete(compute, ctx, other_ctx, admin_ctx):
    group = compute.server_groups.create(ctx, "web", "anti-affinity",
                                         {"max_server_per_host": "2"})
    assert (group.name, group.policy, group.rules, group.members,
            group.project_id, group.user_id) == (
        "web", "anti-affinity", {"max_server_per_host": 2}, [],
        "project-a", "user-a")
    other = compute.server_groups.create(other_ctx, "db", "affinity")
    assert other.rules == {}
    assert [g.uuid for g in compute.server_groups.list(ctx)] == [group.uuid]
    assert compute.server_groups.list(ctx, all_projects=True) == [
        compute.server_groups.get(ctx, group.uuid)]
    everyone = compute.server_groups.list(admin_ctx, all_projects=True)
    assert [g.uuid for g in everyone] == [group.uuid, other.uuid]
    assert [g.uuid for g in compute.server_groups.list(
        admin_ctx, all_projects=True, limit=1, offset=1)] == [other.uuid]
    assert compute.server_groups.list(admin_ctx) == []
    with pytest.raises(exception.PolicyNotAuthorized) as raised:
        compute.server_groups.get(other_ctx, group.uuid)
    assert str(raised.value) == ("Policy doesn't allow os_compute_api:"
                                 "os-server-groups:show to be performed.")
    with pytest.raises(exception.PolicyNotAuthorized):
        compute.server_groups.delete(other_ctx, group.uuid)
    assert compute.server_groups.get(admin_ctx, group.uuid).name == "web"
    compute.server_groups.delete(ctx, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        compute.server_groups.get(ctx, group.uuid)
    with pytest.raises(exception.InstanceGroupNotFound):
        compute.server_groups.delete(admin_ctx, group.uuid)


def test_only_anti_affinity_takes_rules(compute, ctx):
    with pytest.raises(exception.InvalidServerGroupRules):
        compute.server_groups.create(ctx, "g", "affinity",
                                     {"max_server_per_host": 1})


def test_group_quota_counts_the_project(compute, ctx, override):
    override("server_groups", 1, "quota")
    compute.server_groups.create(ctx, "one", "affinity")
    with pytest.raises(exception.ServerGroupLimitExceeded):
        compute.server_groups.create(ctx, "two", "affinity")
    assert compute.quotas.get_limits(ctx)["totalServerGroupsUsed"] == 1


def test_member_quota_counts_the_users_live_members(compute, ctx,
                                                     override):
    override("server_group_members", 2, "quota")
    group = compute.server_groups.create(ctx, "g", "soft-affinity")
    first, second = _boot(compute, ctx, group.uuid, max_count=2)
    with pytest.raises(exception.ServerGroupMembersLimitExceeded):
        _boot(compute, ctx, group.uuid)
    compute.servers.delete(ctx, first.uuid)
    assert compute.server_groups.get(ctx, group.uuid).members == [
        second.uuid]
    _boot(compute, ctx, group.uuid)


def test_unknown_group_is_not_found(compute, ctx):
    with pytest.raises(exception.InstanceGroupNotFound):
        _boot(compute, ctx, "0f8b3e55-3bd4-4a6d-8d2b-2bbfd2bd6e4c")


def test_anti_affinity_puts_members_apart_then_fails(compute, ctx,
                                                     admin_ctx, clock, conf):
    group = compute.server_groups.create(ctx, "g", "anti-affinity")
    placed = _boot(compute, ctx, group.uuid) + _boot(compute, ctx,
                                                     group.uuid)
    assert sorted(_hosts(placed)) == ["compute-1", "compute-2"]
    [failed] = _boot(compute, ctx, [group.uuid])
    assert failed.host is None
    assert compute.server_groups.get(ctx, group.uuid).members == [
        server.uuid for server in placed + [failed]]
    server = compute.servers.get(admin_ctx, failed.uuid)
    assert server.vm_state == states.BUILDING
    clock.advance(conf.minova.build_time)
    server = compute.servers.get(admin_ctx, failed.uuid)
    assert (server.vm_state, server.task_state) == (states.ERROR, None)
    assert server.fault["code"] == 500
    assert server.fault["message"] == (
        "No valid host was found. There are not enough hosts available.")
    assert server.fault["created"] == clock.now.strftime(
        "%Y-%m-%dT%H:%M:%SZ")
    assert not server.fixed_ips
    assert server.group_uuids == [group.uuid]


def test_max_server_per_host(compute, ctx):
    group = compute.server_groups.create(ctx, "g", "anti-affinity",
                                         {"max_server_per_host": 2})
    assert sorted(_hosts(_boot(compute, ctx, group.uuid, max_count=4))) == [
        "compute-1", "compute-1", "compute-2", "compute-2"]
    assert _hosts(_boot(compute, ctx, group.uuid)) == [None]


def test_a_request_that_does_not_fit_fails_whole(compute, ctx):
    group = compute.server_groups.create(ctx, "g", "anti-affinity")
    assert _hosts(_boot(compute, ctx, group.uuid, max_count=3)) == [
        None, None, None]


def test_affinity_follows_the_first_member(compute, ctx, admin_ctx):
    _boot(compute, ctx)  # compute-1 now has more servers
    group = compute.server_groups.create(ctx, "g", "affinity")
    assert _hosts(_boot(compute, ctx, group.uuid, max_count=2)) == [
        "compute-2", "compute-2"]
    assert _hosts(_boot(compute, admin_ctx, group.uuid,
                        host="compute-1")) == [None]


def test_soft_policies_prefer_but_never_fail(compute, ctx):
    near = compute.server_groups.create(ctx, "near", "soft-affinity")
    far = compute.server_groups.create(ctx, "far", "soft-anti-affinity")
    assert _hosts(_boot(compute, ctx, near.uuid, max_count=3)) == [
        "compute-1"] * 3
    assert _hosts(_boot(compute, ctx, far.uuid, max_count=3)) == [
        "compute-2", "compute-1", "compute-2"]


def test_show_update_and_rebuild_return_the_group(compute, ctx, clock,
                                                   conf):
    group = compute.server_groups.create(ctx, "g", "affinity")
    [server] = _boot(compute, ctx, group.uuid)
    clock.advance(conf.minova.build_time)
    shown = compute.servers.get(ctx, server.uuid)
    assert shown.vm_state == states.ACTIVE
    for returned in (shown, compute.servers.update(ctx, server.uuid,
                                                   name="x"),
                     compute.server_actions.rebuild(ctx, server.uuid,
                                                    IMAGE)):
        assert returned.group_uuids == [group.uuid]


def test_deleting_a_group_keeps_its_servers(compute, ctx):
    group = compute.server_groups.create(ctx, "g", "affinity")
    [server] = _boot(compute, ctx, group.uuid)
    compute.server_groups.delete(ctx, group.uuid)
    assert compute.servers.get(ctx, server.uuid).group_uuids == []

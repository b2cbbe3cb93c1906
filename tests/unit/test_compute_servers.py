"""minova_tw.compute.servers: create, quotas, IPs, listing, isolation, metadata."""

import base64
import datetime

import pytest

from minova_tw.compute import exception, network, servers, states


def _status(server):
    return states.status(server.vm_state, server.task_state)


def _boot(compute, ctx, name="vm", **kwargs):
    kwargs.setdefault("flavor_ref", "1")
    return compute.servers.create(ctx, name, **kwargs)[0]


def test_create_builds_then_becomes_active_when_due(compute, ctx, clock):
    start = clock.now
    server = _boot(compute, ctx, "My Server_1", image_ref="img",
                   metadata={"k": "v"}, user_data="aGVsbG8=")
    assert (server.vm_state, server.task_state, server.power_state) == (
        "building", "scheduling", 0)
    assert _status(server) == "BUILD"
    assert server.hostname == "my-server-1"
    assert server.reservation_id.startswith("r-")
    assert len(server.reservation_id) == 10
    assert server.flavor["name"] == "m1.tiny" and server.memory_mb == 512
    assert server.availability_zone == "nova"
    assert server.security_groups == ["default"]
    assert [ip.address for ip in server.fixed_ips] == ["10.0.0.2"]
    assert server.fixed_ips[0].mac_address.startswith("fa:16:3e:")
    assert servers.decode_user_data(server) == b"hello"
    clock.advance(1.999)
    assert _status(compute.servers.get(ctx, server.uuid)) == "BUILD"
    clock.advance(0.001)
    active = compute.servers.get(ctx, server.uuid)
    assert (_status(active), active.power_state) == ("ACTIVE", 1)
    assert active.launched_at == active.updated_at == clock.now
    assert active.created_at == start


def test_every_process_sees_the_same_state(conf, compute, ctx, clock):
    """Another API object (another worker) reads the same server the same."""
    from minova_tw.compute import api
    server = _boot(compute, ctx)
    clock.advance(2)
    other = api.API(conf, clock=clock)
    assert _status(other.servers.get(ctx, server.uuid)) == "ACTIVE"
    assert _status(compute.servers.get(ctx, server.uuid)) == "ACTIVE"


def test_key_is_copied_at_boot(compute, ctx):
    keypair, _ = compute.keypairs.create(ctx, "k")
    server = _boot(compute, ctx, key_name="k")
    compute.keypairs.delete(ctx, "k")
    server = compute.servers.get(ctx, server.uuid)
    assert (server.key_name, server.key_data, server.key_type) == (
        "k", keypair.public_key, "ssh")
    with pytest.raises(exception.KeypairNotFound):
        _boot(compute, ctx, key_name="k")


def test_flavor_copy_survives_flavor_delete(compute, ctx, admin_ctx):
    server = _boot(compute, ctx, flavor_ref="2")
    compute.flavors.delete(admin_ctx, "2")
    server = compute.servers.get(ctx, server.uuid)
    assert (server.flavor["name"], server.flavor["memory_mb"]) == (
        "m1.small", 2048)
    with pytest.raises(exception.FlavorNotFound):
        _boot(compute, ctx, flavor_ref="2")


def test_unknown_availability_zone(compute, ctx):
    with pytest.raises(exception.InvalidAvailabilityZone):
        _boot(compute, ctx, availability_zone="elsewhere")
    assert _boot(compute, ctx, availability_zone="nova").availability_zone \
        == "nova"


def test_multi_create_names_and_reservation(compute, ctx):
    created = compute.servers.create(ctx, "web", "1", min_count=2,
                                     max_count=3)
    assert [s.name for s in created] == ["web-1", "web-2", "web-3"]
    assert [s.launch_index for s in created] == [0, 1, 2]
    assert len({s.reservation_id for s in created}) == 1
    listed = compute.servers.list(
        ctx, filters={"reservation_id": created[0].reservation_id})
    assert len(listed) == 3


def test_a_listing_decodes_the_json_columns_once_per_text(compute, ctx):
    """Servers of one listing share what their equal JSON texts decode to,
    and read the same as each server alone (on every database)."""
    compute.servers.create(ctx, "web", "1", min_count=3, max_count=3,
                           metadata={"k": "v"})
    _boot(compute, ctx, "other", metadata={"k": "w"})
    listed = {s.name: s for s in compute.servers.list(ctx)}
    assert listed["web-1"].flavor is listed["web-2"].flavor
    assert listed["web-1"].meta is listed["web-3"].meta == {"k": "v"}
    assert listed["other"].meta == {"k": "w"}
    for server in listed.values():
        alone = compute.servers.get(ctx, server.uuid)
        for name in ("flavor", "meta", "security_groups", "fault",
                     "scheduler_hints", "trusted_certs"):
            assert getattr(server, name) == getattr(alone, name), name


def test_quota_instances(compute, ctx, override):
    override("instances", 2, "quota")
    created = compute.servers.create(ctx, "a", "1", min_count=1, max_count=5)
    assert len(created) == 2
    with pytest.raises(exception.TooManyInstances) as err:
        _boot(compute, ctx)
    assert str(err.value) == ("Quota exceeded for instances: Requested 1, "
                              "but already used 2 of 2 instances")
    assert err.value.code == 403 and err.value.safe


def test_quota_cores_and_ram(compute, ctx, override):
    override("cores", 3, "quota")
    _boot(compute, ctx, flavor_ref="3")  # 2 vcpus
    with pytest.raises(exception.TooManyInstances,
                       match="^Quota exceeded for cores: Requested 2, but "
                             "already used 2 of 3 cores$"):
        _boot(compute, ctx, flavor_ref="3")
    override("cores", -1, "quota")
    override("ram", 5000, "quota")
    with pytest.raises(exception.TooManyInstances,
                       match="^Quota exceeded for ram: Requested 1024, but "
                             "already used 4096 of 5000 ram$"):
        compute.servers.create(ctx, "x", "1", min_count=2, max_count=2)


def test_quota_counts_only_live_servers(compute, ctx, override):
    override("instances", 1, "quota")
    server = _boot(compute, ctx)
    compute.servers.delete(ctx, server.uuid)
    _boot(compute, ctx)


def test_metadata_quota_on_create(compute, ctx, override):
    override("metadata_items", 2, "quota")
    with pytest.raises(exception.MetadataLimitExceeded,
                       match="Maximum number of metadata items exceeds 2"):
        _boot(compute, ctx, metadata={"a": "1", "b": "2", "c": "3"})
    with pytest.raises(exception.InvalidMetadataSize):
        _boot(compute, ctx, metadata={"k" * 256: "v"})


def test_ip_allocation_unique_released_and_reused(compute, ctx, other_ctx):
    first = _boot(compute, ctx)
    second = _boot(compute, other_ctx)
    assert [first.fixed_ips[0].address, second.fixed_ips[0].address] == [
        "10.0.0.2", "10.0.0.3"]
    compute.servers.delete(ctx, first.uuid)
    third = _boot(compute, ctx)
    assert third.fixed_ips[0].address == "10.0.0.2"
    assert third.fixed_ips[0].mac_address != second.fixed_ips[0].mac_address


def test_requested_fixed_ip(compute, ctx):
    server = _boot(compute, ctx, networks=[{"fixed_ip": "10.0.0.50"}])
    assert [ip.address for ip in server.fixed_ips] == ["10.0.0.50"]
    with pytest.raises(exception.FixedIpAlreadyInUse,
                       match=server.uuid):
        _boot(compute, ctx, networks=[{"fixed_ip": "10.0.0.50"}])
    for bad in ("10.0.0.1", "10.0.0.255", "10.9.0.5", "nope"):
        with pytest.raises(exception.FixedIpInvalid):
            _boot(compute, ctx, networks=[{"fixed_ip": bad}])
    with pytest.raises(exception.Invalid):
        compute.servers.create(ctx, "m", "1", max_count=2,
                               networks=[{"fixed_ip": "10.0.0.60"}])
    assert _boot(compute, ctx, networks="none").fixed_ips == []
    two = _boot(compute, ctx, networks=[{"uuid": "a"}, {"uuid": "b"}])
    assert len(two.fixed_ips) == 2


def test_range_exhausted(compute, ctx, override):
    override("fixed_range", "192.168.0.0/29", "minova")  # 5 usable
    compute.servers.create(ctx, "a", "1", max_count=5)
    with pytest.raises(exception.NoMoreFixedIps):
        _boot(compute, ctx)
    assert compute.servers.list(ctx) and len(compute.servers.list(ctx)) == 5


def test_network_info(compute, ctx, conf):
    server = _boot(compute, ctx)
    assert network.network_info(conf, server) == [{
        "network": "private", "address": "10.0.0.2",
        "mac_address": server.fixed_ips[0].mac_address, "version": 4,
        "netmask": "255.255.255.0", "gateway": "10.0.0.1"}]


def test_project_isolation(compute, ctx, other_ctx, admin_ctx):
    mine = _boot(compute, ctx)
    theirs = _boot(compute, other_ctx)
    assert [s.uuid for s in compute.servers.list(ctx)] == [mine.uuid]
    for call in (compute.servers.get, compute.servers.delete,
                 compute.servers.get_metadata,
                 compute.server_actions.reboot):
        with pytest.raises(exception.InstanceNotFound,
                           match="Instance %s could not be found."
                           % theirs.uuid):
            call(ctx, theirs.uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.update(ctx, theirs.uuid, name="x")
    with pytest.raises(exception.MarkerNotFound):
        compute.servers.list(ctx, marker=theirs.uuid)
    assert compute.servers.get(admin_ctx, theirs.uuid).uuid == theirs.uuid
    assert compute.servers.list(admin_ctx) == []
    everyone = compute.servers.list(admin_ctx, filters={"all_tenants": True})
    assert {s.uuid for s in everyone} == {mine.uuid, theirs.uuid}
    only = compute.servers.list(admin_ctx, filters={
        "all_tenants": True, "project_id": "project-b"})
    assert [s.uuid for s in only] == [theirs.uuid]
    with pytest.raises(exception.Forbidden):
        compute.servers.list(ctx, filters={"all_tenants": True})


def test_list_filters(compute, ctx, clock):
    web = _boot(compute, ctx, "web-1", image_ref="img-a")
    clock.advance(1)
    db = _boot(compute, ctx, "db-1", image_ref="img-b", flavor_ref="2")
    clock.advance(2)
    compute.server_actions.stop(ctx, db.uuid)

    def names(**filters):
        return [s.name for s in compute.servers.list(ctx, filters=filters)]

    assert names() == ["db-1", "web-1"]
    assert names(name="^web") == ["web-1"]
    assert names(name="-1$") == ["db-1", "web-1"]
    assert names(image="img-b") == ["db-1"]
    assert names(flavor="1") == ["web-1"]
    assert names(ip=r"10\.0\.0\.3") == ["db-1"]
    assert names(ip="^10.0.0.2$") == ["web-1"]
    assert names(ip6=".*") == []
    assert names(status="ACTIVE") == ["db-1", "web-1"]  # powering-off
    clock.advance(1)
    assert names(status="ACTIVE") == ["web-1"]
    assert names(status="active") == ["web-1"]
    assert names(status=["ACTIVE", "SHUTOFF"]) == ["db-1", "web-1"]
    assert names(status="SHUTOFF") == ["db-1"]
    assert names(vm_state="stopped", power_state=4) == ["db-1"]
    assert names(locked=False) == ["db-1", "web-1"]
    with pytest.raises(exception.InvalidStatus, match="Invalid status value"):
        names(status="FROBNICATED")
    with pytest.raises(exception.Invalid):
        names(name="(")
    with pytest.raises(exception.Invalid):
        names(bogus="1")


def test_deleted_hidden_unless_changes_since(compute, ctx, admin_ctx, clock):
    gone = _boot(compute, ctx, "gone")
    kept = _boot(compute, ctx, "kept")
    clock.advance(10)
    since = clock.now
    compute.servers.delete(ctx, gone.uuid)
    assert [s.name for s in compute.servers.list(ctx)] == ["kept"]
    changed = compute.servers.list(ctx, filters={"changes-since": since})
    assert [(s.name, states.status(s.vm_state, s.task_state)) for s in
            changed] == [("gone", "DELETED")]
    before = compute.servers.list(
        ctx, filters={"changes-before": since - datetime.timedelta(seconds=1)})
    assert [s.name for s in before] == ["kept"]
    assert compute.servers.list(admin_ctx, filters={
        "all_tenants": True, "deleted": True})[0].uuid == gone.uuid
    with pytest.raises(exception.Forbidden):
        compute.servers.list(ctx, filters={"deleted": True})
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.get(ctx, gone.uuid)
    with pytest.raises(exception.InstanceNotFound):
        compute.servers.delete(ctx, gone.uuid)
    assert kept.uuid in {s.uuid for s in compute.servers.list(ctx)}


def test_sorting_and_paging(compute, ctx, clock, override):
    made = []
    for name in ("b", "a", "c", "a"):
        made.append(_boot(compute, ctx, name))
        clock.advance(1)
    uuids = [s.uuid for s in made]
    assert [s.uuid for s in compute.servers.list(ctx)] == uuids[::-1]
    by_name = compute.servers.list(ctx, sort_keys=["display_name"],
                                   sort_dirs=["asc"])
    assert [s.uuid for s in by_name] == [uuids[1], uuids[3], uuids[0],
                                         uuids[2]]
    page1 = compute.servers.list(ctx, sort_keys=["display_name"],
                                 sort_dirs=["asc"], limit=2)
    page2 = compute.servers.list(ctx, sort_keys=["display_name"],
                                 sort_dirs=["asc"], limit=2,
                                 marker=page1[-1].uuid)
    assert [s.uuid for s in page1 + page2] == [s.uuid for s in by_name]
    override("max_limit", 3, "api")
    assert len(compute.servers.list(ctx)) == 3
    with pytest.raises(exception.MarkerNotFound):
        compute.servers.list(ctx, marker="00000000-0000-0000-0000-000000000000")
    with pytest.raises(exception.InvalidSortKey):
        compute.servers.list(ctx, sort_keys=["kernel_id"])
    with pytest.raises(exception.Invalid):
        compute.servers.list(ctx, sort_keys=["uuid"], sort_dirs=["asc", "asc"])
    with pytest.raises(exception.Invalid):
        compute.servers.list(ctx, sort_dirs=["up"])


def test_list_of_many_servers_is_a_handful_of_queries(compute, ctx,
                                                      count_queries, override):
    override("instances", -1, "quota")
    override("cores", -1, "quota")
    override("ram", -1, "quota")
    compute.servers.create(ctx, "many", "1", max_count=100)
    del count_queries[:]
    listed = compute.servers.list(ctx, filters={"status": "BUILD"})
    assert len(listed) == 100
    assert all(s.fixed_ips for s in listed)
    selects = [q for q in count_queries if q.lstrip().upper().startswith(
        "SELECT")]
    assert len(selects) <= 4, count_queries


def test_update(compute, ctx, clock):
    server = _boot(compute, ctx)
    clock.advance(5)
    updated = compute.servers.update(
        ctx, server.uuid, name="renamed", access_ip_v4="1.2.3.4",
        access_ip_v6="::1", description="d", hostname="h")
    assert (updated.name, updated.access_ip_v4, updated.access_ip_v6,
            updated.description, updated.hostname, updated.updated_at) == (
        "renamed", "1.2.3.4", "::1", "d", "h", clock.now)
    with pytest.raises(TypeError):
        compute.servers.update(ctx, server.uuid, vm_state="active")


def test_delete(compute, ctx, clock):
    server = _boot(compute, ctx)
    clock.advance(1)
    compute.servers.delete(ctx, server.uuid)
    clock.advance(5)  # the build transition must not bring it back
    gone = compute.servers.list(ctx, filters={"changes-since": server.created_at})
    assert len(gone) == 1
    assert (gone[0].vm_state, gone[0].task_state, gone[0].power_state) == (
        "deleted", None, 0)
    assert gone[0].fixed_ips == [] and gone[0].deleted != 0
    assert gone[0].terminated_at == gone[0].deleted_at


def test_metadata(compute, ctx, clock, override):
    server = _boot(compute, ctx, metadata={"a": "1"})
    with pytest.raises(exception.InstanceInvalidState,
                       match="Cannot 'update metadata' instance %s while it "
                             "is in vm_state building" % server.uuid):
        compute.servers.update_metadata(ctx, server.uuid, {"b": "2"})
    clock.advance(2)
    assert compute.servers.update_metadata(ctx, server.uuid, {"b": "2"}) == {
        "a": "1", "b": "2"}
    assert compute.servers.update_metadata(
        ctx, server.uuid, {"c": "3"}, replace=True) == {"c": "3"}
    assert compute.servers.get_metadata(ctx, server.uuid) == {"c": "3"}
    assert compute.servers.get_metadata_item(ctx, server.uuid, "c") == "3"
    compute.servers.delete_metadata_item(ctx, server.uuid, "c")
    for call in (compute.servers.get_metadata_item,
                 compute.servers.delete_metadata_item):
        with pytest.raises(exception.MetadataNotFound) as err:
            call(ctx, server.uuid, "c")
        assert err.value.code == 404
    override("metadata_items", 1, "quota")
    compute.servers.update_metadata(ctx, server.uuid, {"x": "1"})
    with pytest.raises(exception.MetadataLimitExceeded) as err:
        compute.servers.update_metadata(ctx, server.uuid, {"y": "1"})
    assert err.value.code == 403
    assert compute.servers.get_metadata(ctx, server.uuid) == {"x": "1"}


def test_user_data_decode():
    class Row:
        user_data = base64.b64encode(b"#!/bin/sh\n").decode()
    assert servers.decode_user_data(Row) == b"#!/bin/sh\n"
    Row.user_data = None
    assert servers.decode_user_data(Row) is None


def test_generated_password():
    password = servers.generate_password()
    assert len(password) == 12
    assert any(c.isupper() for c in password)
    assert any(c.isdigit() for c in password)


def test_listed_servers_read_as_the_server_does(compute, ctx):
    """A listing's plain rows carry what the views read of a server."""
    server = _boot(compute, ctx, tags=["b", "a"], metadata={"k": "v"})
    bare = _boot(compute, ctx, name="bare", networks="none")
    listed = {s.uuid: s for s in compute.servers.list(ctx)}
    got = compute.servers.get(ctx, server.uuid)
    mine = listed[server.uuid]
    for field in ("name", "vm_state", "meta", "flavor", "security_groups",
                  "created_at", "instance_name", "tags"):
        assert getattr(mine, field) == getattr(got, field), field
    assert mine.tags == ["a", "b"]
    assert [(ip.address, ip.mac_address, ip.network)
            for ip in mine.fixed_ips] == [
        (ip.address, ip.mac_address, ip.network) for ip in got.fixed_ips]
    assert listed[bare.uuid].fixed_ips == []
    assert listed[bare.uuid].tags == []

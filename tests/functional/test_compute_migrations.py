"""Moving servers between minova's fake hosts through the real ``openstack`` CLI and openstacksdk.

Actions take ``ACTION_TIME`` seconds here, long enough for a CLI session
to see a live migration in progress and abort it on a loaded machine (at
3 s the migration once ended first: the CLI's start-up alone takes
seconds there), short enough to wait out a cold migration. Migration ids
are the database's: 1, 2, ... in the order the moves start on this fresh
minova, which is how the CLI commands of one session name them in
advance.
"""

import pytest

from tests.functional.compute import IMAGE, cli_session

openstack = pytest.importorskip("openstack")

ADMIN = "admin:admin"
ACTION_TIME = 10


def _host(server):
    return server["OS-EXT-SRV-ATTR:host"]


def test_migrations_through_the_cli_and_sdk(start_compute):
    compute = start_compute(minova={"action_time": str(ACTION_TIME)})
    admin = compute(ADMIN, version="2.80")
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": ADMIN})
    server = conn.compute.create_server(name="vm", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    server = conn.compute.wait_for_server(server, wait=30)
    assert _host(admin.ok("GET", "/servers/" + server.id)["server"]) == (
        "compute-1")

    # Cold migration (1) with the CLI, confirmed; then one with the SDK
    # (2), reverted.
    shown, = cli_session(
        compute.base, ADMIN, "server migrate --wait vm",
        "server migration confirm vm", "server show vm -f json",
        version="2.56")
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", "compute-2")
    conn.compute.migrate_server(server)
    conn.compute.wait_for_server(server, status="VERIFY_RESIZE", wait=30)
    conn.compute.revert_server_resize(server)
    shown = admin.wait_task_done(server.id, deadline=3 * ACTION_TIME)
    assert (shown["status"], _host(shown)) == ("ACTIVE", "compute-2")

    # Live migration (3) with the SDK, seen in progress and aborted with
    # the CLI; another (4) forced to complete.
    conn.compute.live_migrate_server(server, block_migration="auto")
    [in_progress] = list(conn.compute.server_migrations(server))
    assert (in_progress.id, in_progress.status) == (3, "running")
    assert in_progress.dest_compute == "compute-1"
    listed, one, after_abort = cli_session(
        compute.base, ADMIN, "server migration list --server vm -f json",
        # By uuid: this CLI's show by id swaps its arguments to the SDK
        # (it would ask for /servers/3/migrations/<server id>).
        "server migration show vm %s -f json" % in_progress.uuid,
        "server migration abort vm 3", "server show vm -f json",
        version="2.80")
    assert [(m["Id"], m["Status"], m["Type"]) for m in listed] == [
        (3, "running", "live-migration"), (2, "reverted", "migration"),
        (1, "confirmed", "migration")]
    assert (one["ID"], one["Status"], one["Server UUID"]) == (
        3, "running", server.id)
    assert (after_abort["status"], after_abort["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", "compute-2")
    conn.compute.live_migrate_server(server, host="compute-1",
                                     block_migration="auto")
    forced, = cli_session(
        compute.base, ADMIN, "server migration force complete vm 4",
        "server show vm -f json", version="2.80")
    assert (forced["status"], forced["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", "compute-1")

    # Live migration (5) with the CLI, waited for.
    shown, = cli_session(
        compute.base, ADMIN, "server migrate --live-migration --wait vm",
        "server show vm -f json", version="2.80")
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", "compute-2")
    migrations = {m.id: (m.status, m.migration_type, m.source_compute)
                  for m in conn.compute.migrations()}
    assert migrations == {
        1: ("confirmed", "migration", "compute-1"),
        2: ("reverted", "migration", "compute-2"),
        3: ("cancelled", "live-migration", "compute-2"),
        4: ("completed", "live-migration", "compute-2"),
        5: ("completed", "live-migration", "compute-1")}
    actions = [a.action for a in conn.compute.server_actions(server)]
    assert actions == [
        "live-migration", "live_migration_force_complete", "live-migration",
        "live_migration_cancel", "live-migration", "revertResize",
        "migrate", "confirmResize", "migrate", "create"]


def test_evacuate_through_the_cli_and_sdk(compute):
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": ADMIN})
    first = conn.compute.create_server(name="one", flavor_id="1",
                                       image_id=IMAGE, networks="auto")
    first = conn.compute.wait_for_server(first, wait=30)
    second = conn.compute.create_server(name="two", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    second = conn.compute.wait_for_server(second, wait=30)
    admin = compute(ADMIN)
    hosts = [_host(admin.ok("GET", "/servers/" + s.id)["server"])
             for s in (first, second)]
    assert hosts == ["compute-1", "compute-2"]

    # Not --wait: this CLI waits for "ACTIVE" among lower-cased statuses,
    # which never comes.
    evacuated, = cli_session(
        compute.base, ADMIN, "compute service set --down compute-1 "
        "nova-compute", "server evacuate one -f json", version="2.29")
    assert evacuated["id"] == first.id
    shown = admin.wait(first.id, "ACTIVE")
    assert _host(shown) == "compute-2"

    # The other way with the SDK (at its newest microversion, so from
    # 2.95 the server arrives stopped): compute-1 back up, compute-2 down.
    cli_session(compute.base, ADMIN,
                "compute service set --up compute-1 nova-compute",
                "compute service set --down compute-2 nova-compute",
                version="2.11")
    conn.compute.evacuate_server(second)
    shown = admin.wait_task_done(second.id)
    assert (shown["status"], _host(shown)) == ("SHUTOFF", "compute-1")
    evacuations = [(m.server_id, m.status) for m in
                   conn.compute.migrations(migration_type="evacuation")]
    assert sorted(evacuations) == sorted([(first.id, "done"),
                                          (second.id, "done")])

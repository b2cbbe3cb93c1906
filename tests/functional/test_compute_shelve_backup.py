"""Shelve, unshelve, soft delete and restore, resetState and backups against a real minova, through the ``openstack`` CLI and openstacksdk.

The minova keeps deleted servers (``reclaim_instance_interval``) and
offloads shelved ones at once (nova's default). Each CLI session is one
``openstack`` process; the test polls the API between them for the
states the commands lead to. ``server backup create`` finds the new image
by name in the image stand-in.
"""

import pytest

from tests.functional.compute import IMAGE, cli_session

openstack = pytest.importorskip("openstack")

ADMIN = "admin:admin"


@pytest.fixture
def compute(start_compute):
    return start_compute(DEFAULT={"reclaim_instance_interval": 3600})


def test_the_cli_shelves_restores_resets_and_backs_up(compute):
    client, admin = compute(), compute(ADMIN)
    server_id = client.boot(name="vm")

    cli_session(compute.base, "demo:demo", "server shelve vm")
    shelved = client.wait(server_id, "SHELVED_OFFLOADED")
    assert admin.ok("GET", "/servers/" + server_id)["server"][
        "OS-EXT-SRV-ATTR:host"] is None
    cli_session(compute.base, ADMIN,
                "server unshelve --host compute-2 %s" % server_id,
                version="2.91")
    client.wait(server_id, "ACTIVE")
    assert shelved["OS-EXT-STS:vm_state"] == "shelved_offloaded"
    assert admin.ok("GET", "/servers/" + server_id)["server"][
        "OS-EXT-SRV-ATTR:host"] == "compute-2"

    (errored,) = cli_session(compute.base, ADMIN,
                             "server set --auto-approve --state error %s" % server_id,
                             "server show %s -f json -c status" % server_id)
    assert errored == {"status": "ERROR"}
    cli_session(compute.base, ADMIN,
                "server set --auto-approve --state active %s" % server_id)

    # The CLI then looks the backup up in glance (the stand-in) by name.
    (backup,) = cli_session(
        compute.base, "demo:demo",
        "server backup create --name nightly --type daily --rotate 2 vm "
        "-f json", version="2.45")
    assert backup["name"] == "nightly"
    assert backup["properties"]["backup_type"] == "daily"
    assert client.wait_task_done(server_id)["status"] == "ACTIVE"
    actions = client.ok("GET", "/servers/%s/os-instance-actions"
                        % server_id)["instanceActions"]
    assert [a["action"] for a in actions][:4] == [
        "createBackup", "resetState", "resetState", "unshelve"]

    cli_session(compute.base, "demo:demo", "server delete vm")
    client.wait(server_id, "SOFT_DELETED")
    # A soft-deleted server is listed with the deleted ones only (as in
    # nova), so the CLI finds it by id, not by name.
    (listed,) = cli_session(compute.base, "demo:demo", "server list -f json")
    assert listed == []
    cli_session(compute.base, "demo:demo", "server restore %s" % server_id)
    client.wait(server_id, "ACTIVE")


def test_the_sdk_shelves_restores_resets_and_backs_up(compute):
    auth = {"auth_url": compute.base + "/identity", "token": "demo:demo"}
    conn = openstack.connect(auth_type="token", auth=auth)
    admin = openstack.connect(auth_type="token", auth=dict(auth,
                                                           token=ADMIN))
    server = conn.compute.create_server(name="vm", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    server = conn.compute.wait_for_server(server, wait=30)

    conn.compute.shelve_server(server)
    conn.compute.wait_for_server(server, status="SHELVED_OFFLOADED",
                                 wait=30, interval=0.1)
    conn.compute.unshelve_server(server)
    server = conn.compute.wait_for_server(server, wait=30, interval=0.1)

    admin.compute.reset_server_state(server, "error")
    assert conn.compute.get_server(server).status == "ERROR"
    admin.compute.reset_server_state(server, "active")

    conn.compute.backup_server(server, "nightly", "daily", 1)
    compute().wait_task_done(server.id)

    conn.compute.delete_server(server)
    conn.compute.wait_for_server(server, status="SOFT_DELETED", wait=30,
                                 interval=0.1)
    conn.compute.restore_server(server)
    assert conn.compute.get_server(server).status == "ACTIVE"
    conn.compute.delete_server(server)
    conn.compute.delete_server(server, force=True)
    conn.compute.wait_for_delete(server, wait=30, interval=0.1)
    assert conn.compute.find_server(server.id) is None


def test_a_soft_deleted_server_is_reclaimed_after_the_interval(
        start_compute):
    compute = start_compute(DEFAULT={"reclaim_instance_interval": 1})
    client = compute()
    server_id = client.boot(name="vm")
    client.ok("DELETE", "/servers/" + server_id, status=204)
    assert client.ok("GET", "/servers/" + server_id)["server"][
        "status"] == "SOFT_DELETED"
    used = client.ok("GET", "/limits")["limits"]["absolute"]
    assert used["totalInstancesUsed"] == 0
    client.wait(server_id, "DELETED")
    assert client.ok("GET", "/servers")["servers"] == []
    (listed,) = cli_session(compute.base, "demo:demo",
                            "server list -f json")
    assert listed == []

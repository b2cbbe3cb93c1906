"""Volume attachments and interfaces against a real minova, through the ``openstack`` CLI and openstacksdk.

The CLI resolves the volume in cinder and the port in neutron before it
asks nova: the volume and network stand-ins answer. Its commands run in
one ``openstack`` process (``cli_session``).
"""

import pytest

from tests.functional.compute import IMAGE, cli_session

openstack = pytest.importorskip("openstack")

VOLUME = "5d1b0f3e-7c2a-4e8b-9a6d-1f0e2d3c4b01"
SDK_VOLUME = "5d1b0f3e-7c2a-4e8b-9a6d-1f0e2d3c4b02"
PORT = "8e2c1a4f-6b3d-4f7e-8a9c-0d1e2f3a4b01"
SDK_PORT = "8e2c1a4f-6b3d-4f7e-8a9c-0d1e2f3a4b02"
HTTP_VOLUME = "5d1b0f3e-7c2a-4e8b-9a6d-1f0e2d3c4b03"


def test_volumes_and_ports_through_the_cli_and_sdk(compute):
    auth = {"auth_url": compute.base + "/identity", "token": "demo:demo"}
    conn = openstack.connect(auth_type="token", auth=auth)
    server = conn.compute.create_server(name="vm", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    server = conn.compute.wait_for_server(server, wait=30)

    added, listed, volume, shown, removed = cli_session(
        compute.base, "demo:demo",
        "server add volume vm %s --tag data "
        "--enable-delete-on-termination -f json" % VOLUME,
        "server volume list vm -f json",
        "volume show %s -f json -c status" % VOLUME,
        "server add port vm %s" % PORT,
        "server show vm -f json -c addresses -c volumes_attached",
        "server remove volume vm %s" % VOLUME,
        "server remove port vm %s" % PORT,
        "server show vm -f json -c addresses -c volumes_attached",
        version="2.79")
    assert (added["Volume ID"], added["Device"], added["Tag"],
            added["Delete On Termination"]) == (VOLUME, "/dev/vdb", "data",
                                                True)
    assert [(v["Volume ID"], v["Device"]) for v in listed] == [
        (VOLUME, "/dev/vdb")]
    assert volume["status"] == "in-use"
    assert [v["id"] for v in shown["volumes_attached"]] == [VOLUME]
    assert len(shown["addresses"]["private"]) == 2
    assert removed["volumes_attached"] == []
    assert len(removed["addresses"]["private"]) == 1

    conn.compute.create_volume_attachment(server, volume=SDK_VOLUME)
    attachments = list(conn.compute.volume_attachments(server))
    assert [(a.volume_id, a.device) for a in attachments] == [
        (SDK_VOLUME, "/dev/vdb")]
    interface = conn.compute.create_server_interface(server,
                                                     port_id=SDK_PORT)
    assert interface.port_id == SDK_PORT
    # From 2.101 an attach answers 202 without a body (the SDK asks 2.89).
    attached = compute("demo:demo", version="2.101").post(
        "/servers/%s/os-volume_attachments" % server.id,
        {"volumeAttachment": {"volumeId": HTTP_VOLUME}})
    assert (attached.status_code, attached.content) == (202, b"")
    assert [a.volume_id for a in conn.compute.volume_attachments(server)] == [
        SDK_VOLUME, HTTP_VOLUME]
    ports = {i.port_id: i for i in conn.compute.server_interfaces(server)}
    assert len(ports) == 2
    assert ports[SDK_PORT].fixed_ips == interface.fixed_ips
    assert ports[SDK_PORT].port_state == "ACTIVE"

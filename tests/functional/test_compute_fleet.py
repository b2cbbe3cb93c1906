"""The operator's view of the fake fleet against a real minova, through the ``openstack`` CLI and openstacksdk: compute services, hypervisors, aggregates and the zones they make."""

import pytest

from tests.functional.compute import IMAGE, cli_session

openstack = pytest.importorskip("openstack")
ADMIN = "admin:admin"


def _connect(compute, version):
    return openstack.connect(
        auth_type="token", compute_api_version=version,
        auth={"auth_url": compute.base + "/identity", "token": ADMIN})


def test_services_through_the_cli_and_sdk(compute):
    listed, disabled = cli_session(
        compute.base, ADMIN,
        "compute service list -f json",
        "compute service set --disable --disable-reason maintenance "
        "compute-1 nova-compute",
        "compute service list --long --host compute-1 "
        "--service nova-compute -f json", version="2.53")
    assert [(s["Binary"], s["Host"], s["Zone"], s["Status"], s["State"])
            for s in listed] == [
        ("nova-conductor", "compute-1", "internal", "enabled", "up"),
        ("nova-scheduler", "compute-1", "internal", "enabled", "up"),
        ("nova-compute", "compute-1", "nova", "enabled", "up"),
        ("nova-compute", "compute-2", "nova", "enabled", "up")]
    assert [(s["Status"], s["Disabled Reason"]) for s in disabled] == [
        ("disabled", "maintenance")]

    conn = _connect(compute, "2.53")
    services = {(s.host, s.binary): s for s in conn.compute.services()}
    assert services[("compute-1", "nova-compute")].status == "disabled"
    assert services[("compute-1", "nova-compute")].disabled_reason == (
        "maintenance")
    # The disabled host takes no new server: both land on compute-2.
    for name in ("a", "b"):
        server = conn.compute.create_server(name=name, flavor_id="1",
                                            image_id=IMAGE, networks="auto")
        server = conn.compute.wait_for_server(server, wait=30)
        assert conn.compute.get_server(server.id).compute_host == (
            "compute-2")
    compute_2 = services[("compute-2", "nova-compute")]
    conn.compute.update_service_forced_down(compute_2, forced=True)
    down = [s for s in conn.compute.services(host="compute-2")]
    assert [(s.state, s.is_forced_down) for s in down] == [("down", True)]
    conn.compute.enable_service(services[("compute-1", "nova-compute")])
    # compute-2 has servers: nova refuses to delete its service.
    with pytest.raises(openstack.exceptions.ConflictException):
        conn.compute.delete_service(compute_2)


def test_hypervisors_through_the_cli_and_sdk(compute):
    conn = _connect(compute, "2.53")
    server = conn.compute.create_server(name="vm", flavor_id="2",
                                        image_id=IMAGE, networks="auto")
    conn.compute.wait_for_server(server, wait=30)
    listed, = cli_session(compute.base, ADMIN, "hypervisor list -f json")
    assert [(h["Hypervisor Hostname"], h["State"]) for h in listed] == [
        ("compute-1", "up"), ("compute-2", "up")]
    hypervisors = list(conn.compute.hypervisors(details=True,
                                                with_servers=True))
    assert [h.name for h in hypervisors] == ["compute-1", "compute-2"]
    assert [s["uuid"] for s in hypervisors[0].servers] == [server.id]


def test_aggregates_and_zones_through_the_cli_and_sdk(compute):
    created, added, aggregate, zones, hypervisor = cli_session(
        compute.base, ADMIN,
        "aggregate create --zone az1 fast -f json",
        "aggregate add host fast compute-2 -f json",
        "aggregate set --property ssd=true fast",
        "aggregate show fast -f json",
        "availability zone list --long -f json",
        "hypervisor show compute-2 -f json", version="2.53")
    assert created["name"] == "fast" and created["availability_zone"] == "az1"
    assert added["hosts"] == ["compute-2"]
    assert aggregate["properties"] == {"ssd": "true"}
    assert sorted({(z["Zone Name"], z["Host Name"]) for z in zones}) == [
        ("az1", "compute-2"), ("internal", "compute-1"), ("nova", "compute-1")]
    assert hypervisor["hypervisor_hostname"] == "compute-2"
    assert hypervisor["aggregates"] == ["fast"]

    conn = _connect(compute, "2.53")
    aggregates = {a.name: a for a in conn.compute.aggregates()}
    other = conn.compute.create_aggregate(name="slow")
    conn.compute.add_host_to_aggregate(other, "compute-1")
    assert conn.compute.get_aggregate(other.id).hosts == ["compute-1"]
    assert aggregates["fast"].availability_zone == "az1"
    server = conn.compute.create_server(name="vm", flavor_id="1",
                                        image_id=IMAGE, networks="auto",
                                        availability_zone="az1")
    server = conn.compute.wait_for_server(server, wait=30)
    assert (server.compute_host, server.availability_zone) == (
        "compute-2", "az1")

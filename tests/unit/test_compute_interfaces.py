"""minova_tw.compute.interfaces: attach by port or network, one server per port, detach releases, the states nova refuses."""

import pytest

from minova_tw.compute import exception, network

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
PORT = "0b5c7d2e-8f1a-4c3b-9e6d-5a4f3e2d1c01"


@pytest.fixture
def server(compute, ctx, clock):
    uuid = compute.servers.create(ctx, "vm", "1", IMAGE)[0].uuid
    clock.advance(2)
    return uuid


def test_attach_list_get_detach(compute, ctx, server, conf):
    ports = compute.interfaces
    port = ports.attach(ctx, server, port_id=PORT, tag="nic")
    assert (port.port_id, port.tag) == (PORT, "nic")
    assert [p.port_id for p in ports.list(ctx, server)][-1] == PORT
    assert ports.get(ctx, server, PORT).address == port.address
    assert ports.find_port(PORT).uuid == server
    ports.detach(ctx, server, PORT)
    assert ports.find_port(PORT) is None
    with pytest.raises(exception.PortNotFound):
        ports.detach(ctx, server, PORT)
    fresh = ports.attach(ctx, server, network_id=network.network_id(conf))
    assert fresh.port_id != PORT and fresh.address == port.address
    actions = compute.instance_actions.list(ctx, server)
    assert [a.action for a in actions][:3] == [
        "attach_interface", "detach_interface", "attach_interface"]


def test_a_port_is_on_one_server(compute, ctx, clock, server):
    other = compute.servers.create(ctx, "vm2", "1", IMAGE)[0].uuid
    clock.advance(2)
    compute.interfaces.attach(ctx, server, port_id=PORT)
    with pytest.raises(exception.PortInUse):
        compute.interfaces.attach(ctx, other, port_id=PORT)
    with pytest.raises(exception.PortNotOnInstance):
        compute.interfaces.get(ctx, other, PORT)


def test_unknown_network(compute, ctx, server):
    with pytest.raises(exception.NetworkNotFound):
        compute.interfaces.attach(ctx, server, network_id=PORT)


def test_locked_server_refuses_the_owner(compute, ctx, server):
    compute.server_actions.lock(ctx, server)
    with pytest.raises(exception.InstanceIsLocked):
        compute.interfaces.attach(ctx, server)

"""A server's addresses by network against a real minova, through openstacksdk."""

import pytest

openstack = pytest.importorskip("openstack")


def test_sdk_lists_a_servers_ips_by_network(compute):
    client = compute("ipuser:ipproject")
    server_id = client.boot()
    addresses = client.ok("GET", "/servers/" + server_id)["server"][
        "addresses"]
    [(network, [address])] = addresses.items()
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity",
        "token": "ipuser:ipproject"})
    ips = list(conn.compute.server_ips(server_id))
    assert [(ip.network_label, ip.address, ip.version) for ip in ips] == [
        (network, address["addr"], 4)]
    ips = list(conn.compute.server_ips(server_id, network_label=network))
    assert [ip.address for ip in ips] == [address["addr"]]

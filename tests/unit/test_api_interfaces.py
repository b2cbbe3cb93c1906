"""minova_tw.api.openstack.compute.interfaces through the compute router: attach by port or network, show, detach, tags, errors."""

import ipaddress

import pytest

from minova_tw.compute import network

PORT = "0b5c7d2e-8f1a-4c3b-9e6d-5a4f3e2d1c01"


def _path(server, port=None):
    path = "/servers/%s/os-interface" % server
    return path + "/" + port if port else path


def test_attach_a_named_port_shows_in_list_show_and_addresses(
        api, server, conf):
    res = api("POST", _path(server), {"interfaceAttachment": {
        "port_id": PORT, "tag": "nic"}}, version="2.70")
    assert res.status_int == 200, res.text
    port = res.json["interfaceAttachment"]
    [fixed] = port.pop("fixed_ips")
    assert ipaddress.ip_address(fixed["ip_address"]) in (
        network.fixed_network(conf))
    assert fixed["subnet_id"] == network.subnet_id(conf)
    assert port["mac_addr"].startswith("fa:16:3e:")
    assert {k: port[k] for k in ("net_id", "port_id", "port_state",
                                 "tag")} == {
        "net_id": network.network_id(conf), "port_id": PORT,
        "port_state": "ACTIVE", "tag": "nic"}
    listed = api("GET", _path(server), version="2.70").json[
        "interfaceAttachments"]
    assert [p["port_id"] for p in listed][-1] == PORT and len(listed) == 2
    shown = api("GET", _path(server, PORT)).json["interfaceAttachment"]
    assert "tag" not in shown and shown["fixed_ips"] == [fixed]
    addresses = api("GET", "/servers/" + server).json["server"]["addresses"]
    assert fixed["ip_address"] in [a["addr"] for a in addresses["private"]]


def test_attach_on_the_network_with_an_address(api, server, conf):
    res = api("POST", _path(server), {"interfaceAttachment": {
        "net_id": network.network_id(conf),
        "fixed_ips": [{"ip_address": "10.0.0.99"}]}})
    assert res.status_int == 200, res.text
    port = res.json["interfaceAttachment"]
    assert port["fixed_ips"][0]["ip_address"] == "10.0.0.99"
    res = api("POST", _path(server), {"interfaceAttachment": {
        "net_id": network.network_id(conf),
        "fixed_ips": [{"ip_address": "10.0.0.99"}]}})
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "Fixed IP address 10.0.0.99 is already in use on instance %s."
        % server)


def test_detach_releases_the_address(api, server):
    port = api("POST", _path(server), {"interfaceAttachment": {
        "port_id": PORT}}).json["interfaceAttachment"]
    assert api("DELETE", _path(server, PORT)).status_int == 202
    assert PORT not in [p["port_id"] for p in api(
        "GET", _path(server)).json["interfaceAttachments"]]
    res = api("POST", _path(server), {"interfaceAttachment": {
        "port_id": PORT}})
    assert res.json["interfaceAttachment"]["fixed_ips"] == port["fixed_ips"]
    res = api("DELETE", _path(server, PORT.replace("01", "02")))
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Port id %s could not be found." % PORT.replace("01", "02"))


def test_errors(api, server, conf):
    other_net = "11111111-2222-3333-4444-555555555555"
    res = api("POST", _path(server), {"interfaceAttachment": {
        "net_id": other_net}})
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Network %s could not be found." % other_net)
    res = api("POST", _path(server), {"interfaceAttachment": {
        "net_id": network.network_id(conf), "port_id": PORT}})
    assert res.json["badRequest"]["message"] == (
        "Must not input both network_id and port_id")
    res = api("POST", _path(server), {"interfaceAttachment": {
        "fixed_ips": [{"ip_address": "10.0.0.9"}]}})
    assert res.json["badRequest"]["message"] == (
        "Must input network_id when request IP address")
    assert api("POST", _path(server), {"interfaceAttachment": {
        "port_id": PORT, "tag": "t"}}, version="2.48").status_int == 400
    api("POST", _path(server), {"interfaceAttachment": {"port_id": PORT}})
    res = api("POST", _path(server), {"interfaceAttachment": {
        "port_id": PORT}})
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "Port %s is still in use." % PORT)
    res = api("GET", _path(server, other_net))
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Instance %s does not have a port with id %s" % (server, other_net))
    assert api("GET", _path(server), project="project-b").status_int == 404


def test_refused_while_building(api, building_server):
    res = api("POST", _path(building_server), {"interfaceAttachment": {}})
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "Cannot 'attach_interface' instance %s while it is in vm_state "
        "building" % building_server)


@pytest.mark.parametrize("suffix", ["", "/" + PORT])
def test_query_parameters_are_refused_from_2102(api, server, suffix):
    api("POST", _path(server), {"interfaceAttachment": {"port_id": PORT}})
    path = _path(server) + suffix + "?bogus=1"
    assert api("GET", path, version="2.101").status_int == 200
    assert api("GET", path, version="2.102").status_int == 400

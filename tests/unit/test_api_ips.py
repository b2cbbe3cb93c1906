"""minova_tw.api.openstack.compute.ips through the compute router: a server's addresses by network."""

import pytest

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


def test_index_and_show_match_the_servers_addresses(api, server):
    addresses = api("GET", "/servers/%s" % server).json["server"][
        "addresses"]
    [(network, [address])] = addresses.items()
    plain = {"version": 4, "addr": address["addr"]}
    res = api("GET", "/servers/%s/ips" % server)
    assert (res.status_int, res.json) == (200, {
        "addresses": {network: [plain]}})
    res = api("GET", "/servers/%s/ips/%s" % (server, network))
    assert (res.status_int, res.json) == (200, {network: [plain]})


def test_unknown_network_server_or_project_is_404(api, server):
    res = api("GET", "/servers/%s/ips/elsewhere" % server)
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Instance is not a member of specified network")
    assert api("GET", "/servers/%s/ips" % server,
                project="project-b").status_int == 404
    assert api("GET", "/servers/%s/ips" % IMAGE).status_int == 404


def test_query_parameters_are_refused_from_2102(api, server):
    path = "/servers/%s/ips?bogus=1" % server
    assert api("GET", path, version="2.101").status_int == 200
    res = api("GET", path, version="2.102")
    assert res.status_int == 400
    assert "'bogus' was unexpected" in res.json["badRequest"]["message"]

"""minova_tw.api.openstack.compute.ips through the compute router: a server's addresses by network."""

import pytest
import webob

from minova_tw import context
from minova_tw.api.openstack.compute import APIRouterV21

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


@pytest.fixture
def call(conf, override):
    """``call(method, path, body=None, project="project-a",
    version="2.1")`` on one router over the test's database, where servers
    build at once; the response."""
    override("build_time", 0, "minova")
    router = APIRouterV21(conf)

    def request(method, path, body=None, project="project-a", version="2.1"):
        req = webob.Request.blank(path, method=method, headers={
            "OpenStack-API-Version": "compute %s" % version})
        if body is not None:
            req.json = body
        req.environ[context.ENVIRON_KEY] = context.RequestContext(
            user_id="user", project_id=project, roles=["member", "reader"])
        return req.get_response(router)
    return request


@pytest.fixture
def server(call):
    res = call("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE}})
    assert res.status_int == 202, res.text
    return res.json["server"]["id"]


def test_index_and_show_match_the_servers_addresses(call, server):
    addresses = call("GET", "/servers/%s" % server).json["server"][
        "addresses"]
    [(network, [address])] = addresses.items()
    plain = {"version": 4, "addr": address["addr"]}
    res = call("GET", "/servers/%s/ips" % server)
    assert (res.status_int, res.json) == (200, {
        "addresses": {network: [plain]}})
    res = call("GET", "/servers/%s/ips/%s" % (server, network))
    assert (res.status_int, res.json) == (200, {network: [plain]})


def test_unknown_network_server_or_project_is_404(call, server):
    res = call("GET", "/servers/%s/ips/elsewhere" % server)
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Instance is not a member of specified network")
    assert call("GET", "/servers/%s/ips" % server,
                project="project-b").status_int == 404
    assert call("GET", "/servers/%s/ips" % IMAGE).status_int == 404


def test_query_parameters_are_refused_from_2102(call, server):
    path = "/servers/%s/ips?bogus=1" % server
    assert call("GET", path, version="2.101").status_int == 200
    res = call("GET", path, version="2.102")
    assert res.status_int == 400
    assert "'bogus' was unexpected" in res.json["badRequest"]["message"]

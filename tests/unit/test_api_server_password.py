"""/servers/{server_id}/os-server-password through the compute router: what the guest posted, read and cleared."""

from minova_tw.compute import api as compute_api


def test_show_and_clear(api, conf, server):
    base = "/servers/%s/os-server-password" % server
    res = api("GET", base)
    assert res.status_int == 200 and res.json == {"password": ""}
    compute_api.API(conf).metadata.set_password(server, "c2VjcmV0")
    assert api("GET", base).json == {"password": "c2VjcmV0"}
    assert api("GET", base, project="project-b").status_int == 404
    assert api("DELETE", base, project="project-b").status_int == 404
    res = api("DELETE", base)
    assert res.status_int == 204 and res.body == b""
    assert api("GET", base).json == {"password": ""}


def test_unknown_server_is_404(api):
    base = "/servers/70a599e0-31e7-49b7-b260-868f441e862b/os-server-password"
    assert api("GET", base).status_int == 404
    assert api("DELETE", base).status_int == 404


def test_unknown_query_parameters_from_2_102(api, server):
    base = "/servers/%s/os-server-password?x=1" % server
    assert api("GET", base, version="2.101").status_int == 200
    assert api("GET", base, version="2.102").status_int == 400

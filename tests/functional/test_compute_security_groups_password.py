"""Security groups and the server password against a real minova, through the ``openstack`` CLI, openstacksdk and the metadata service.

The CLI makes a group through the network stand-in, boots a server in it
(it sends the group's id, which the mini nova resolves), adds and removes
groups with nova's actions and shows them. openstacksdk does the same
through its compute proxy. The guest's password goes the way it goes in
a cloud: POSTed to the metadata service (found by its fixed IP through
X-Forwarded-For), read back and cleared through the compute API.
"""

import concurrent.futures
import http.client

import pytest

from tests.functional.compute import IMAGE, cli_session, compute_config

openstack = pytest.importorskip("openstack")


@pytest.fixture
def stack(minova, tmp_path):
    """A minova serving the compute and metadata APIs; (base, metadata
    (host, port))."""
    server = minova(compute_config(
        tmp_path, DEFAULT={"enabled_apis": "osapi_compute,metadata"},
        oslo_middleware={"enable_proxy_headers_parsing": "true"}))
    return (server.url("osapi_compute", "").rstrip("/"),
            server.addresses["metadata"])


def _sdk(base):
    return openstack.connect(auth_type="token", auth={
        "auth_url": base + "/identity", "token": "demo:demo"})


def _post_password(metadata, address, body):
    """The metadata service's status for the guest at ``address`` posting
    ``body`` as its password."""
    conn = http.client.HTTPConnection(*metadata, timeout=10)
    try:
        conn.request("POST", "/openstack/latest/password", body=body,
                     headers={"X-Forwarded-For": address})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _names(groups):
    return sorted(group["name"] for group in groups)


def test_security_groups_through_the_cli_and_sdk(stack):
    base, _ = stack
    made, server, added, removed, listed = cli_session(
        base, "demo:demo",
        "security group create web --description HTTP -f json",
        "server create --flavor 1 --image %s --nic auto --security-group web"
        " --wait vm -f json" % IMAGE,
        "server add security group vm default",
        "server show vm -f json -c security_groups",
        "server remove security group vm web",
        "server show vm -f json -c security_groups",
        "security group list -f json", version="2.37")
    assert (made["name"], made["description"]) == ("web", "HTTP")
    assert server["status"] == "ACTIVE"
    assert _names(added["security_groups"]) == ["default", "web"]
    assert _names(removed["security_groups"]) == ["default"]
    assert sorted(g["Name"] for g in listed) == ["default", "web"]

    conn = _sdk(base)
    vm = conn.compute.find_server("vm")
    web = conn.network.find_security_group("web")
    assert web.id == made["id"]
    conn.compute.add_security_group_to_server(vm, web)
    groups = conn.compute.fetch_server_security_groups(vm).security_groups
    assert [(g["name"], g["id"], g["rules"]) for g in groups] == [
        ("default", conn.network.find_security_group("default").id, []),
        ("web", web.id, [])]
    conn.compute.remove_security_group_from_server(vm, web)
    # Removing it again is nova's 404.
    with pytest.raises(openstack.exceptions.NotFoundException):
        conn.compute.remove_security_group_from_server(vm, web)
    assert _names(conn.compute.get_server(vm).security_groups) == [
        "default"]


def test_the_guests_password_through_metadata_and_the_sdk(stack):
    base, metadata = stack
    conn = _sdk(base)
    vm = conn.compute.create_server(name="vm", flavor_id="1",
                                    image_id=IMAGE, networks="auto")
    vm = conn.compute.wait_for_server(vm, wait=30)
    (address,) = [a["addr"] for net in vm.addresses.values() for a in net]
    assert conn.compute.get_server_password(vm) == ""
    # Two guests' writes at once: one is kept, the other is 409.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(
            lambda body: _post_password(metadata, address, body),
            [b"first", b"second"]))
    assert statuses == [200, 409]
    assert conn.compute.get_server_password(vm) in ("first", "second")
    conn.compute.clear_server_password(vm)
    assert conn.compute.get_server_password(vm) == ""

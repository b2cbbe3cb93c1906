"""openstacksdk and the ``openstack`` CLI against a real minova, without keystone.

Both authenticate with keystoneauth's ``admin_token`` plugin: the token is
noauth2's ``user:project`` and the endpoint is minova's ``/v2.1`` (see
README, "Talk to it"). minova has neither keystone nor glance, and the CLI
asks both (the identity API's version before ``keypair create``, the image
before ``server create``), so a stub answers those two questions on
another port, pointed at with ``OS_IDENTITY_ENDPOINT_OVERRIDE`` and
``OS_IMAGE_ENDPOINT_OVERRIDE``.
"""

import http.server
import json
import os
import subprocess
import sys
import threading

import pytest

from tests.functional.test_compute_fixtures import (  # noqa: F401
    IMAGE, PUBLIC_KEY, PUBLIC_KEY_FINGERPRINT, compute, start_compute)

openstack = pytest.importorskip("openstack")
OPENSTACK_CLI = os.path.join(os.path.dirname(sys.executable), "openstack")


class _StubHandler(http.server.BaseHTTPRequestHandler):
    """Identity v3 discovery and one glance image: all the CLI asks."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        base = "http://%s:%d" % self.server.server_address
        path = self.path.split("?")[0].rstrip("/")
        bodies = {
            "/identity/v3": {"version": {
                "id": "v3.14", "status": "stable",
                "links": [{"rel": "self", "href": base + "/identity/v3/"}]}},
            "/image": {"versions": [{
                "id": "v2.16", "status": "CURRENT",
                "links": [{"rel": "self", "href": base + "/image/v2/"}]}]},
            "/image/v2/images/" + IMAGE: {
                "id": IMAGE, "name": "cirros", "status": "active",
                "visibility": "public", "disk_format": "qcow2",
                "container_format": "bare", "min_disk": 0, "min_ram": 0,
                "tags": []},
        }
        body = bodies.get(path)
        data = json.dumps(body).encode() if body else b""
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def stub():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StubHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_openstacksdk_main_flow(compute):
    conn = openstack.connect(auth_type="admin_token", auth={
        "endpoint": compute.base + "/v2.1", "token": "sdk:sdk"})
    assert [f.name for f in conn.compute.flavors()] == [
        "m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"]
    keypair = conn.compute.create_keypair(name="sdk-key",
                                          public_key=PUBLIC_KEY)
    assert keypair.fingerprint == PUBLIC_KEY_FINGERPRINT
    server = conn.compute.create_server(
        name="sdk-vm", flavor_id="1", image_id=IMAGE, networks="auto",
        key_name="sdk-key")
    server = conn.compute.wait_for_server(server, "ACTIVE", wait=30,
                                          interval=0.1)
    assert server.addresses["private"][0]["addr"].startswith("10.0.0.")
    assert server.flavor.original_name == "m1.tiny"
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, "SHUTOFF", wait=30, interval=0.1)
    conn.compute.start_server(server)
    conn.compute.wait_for_server(server, "ACTIVE", wait=30, interval=0.1)
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, wait=30, interval=0.1)
    assert list(conn.compute.servers()) == []
    assert conn.compute.get_limits().absolute.instances == 10


def test_openstack_cli_main_flow(compute, stub, tmp_path):
    env = dict(os.environ,
               OS_IDENTITY_ENDPOINT_OVERRIDE=stub + "/identity/v3",
               OS_IMAGE_ENDPOINT_OVERRIDE=stub + "/image")
    for name in list(env):
        if name.startswith("OS_") and not name.endswith("_OVERRIDE"):
            del env[name]
    key_file = tmp_path / "key.pub"
    key_file.write_text(PUBLIC_KEY)

    def cli(*args):
        result = subprocess.run(
            [OPENSTACK_CLI, "--os-auth-type", "admin_token",
             "--os-endpoint", compute.base + "/v2.1",
             "--os-token", "cli:cli"] + list(args),
            capture_output=True, text=True, env=env, timeout=120)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout) if "-f" in args else result.stdout

    flavors = cli("flavor", "list", "-f", "json")
    assert [f["Name"] for f in flavors][0] == "m1.tiny"
    keypair = cli("keypair", "create", "--public-key", str(key_file),
                  "cli-key", "-f", "json")
    assert keypair["fingerprint"] == PUBLIC_KEY_FINGERPRINT
    server = cli("server", "create", "--flavor", "m1.tiny", "--image",
                 IMAGE, "--nic", "auto", "--key-name", "cli-key", "--wait",
                 "cli-vm", "-f", "json")
    assert server["status"] == "ACTIVE"
    client = compute("cli:cli")
    cli("server", "stop", "cli-vm")
    client.wait(server["id"], "SHUTOFF")
    cli("server", "start", "cli-vm")
    client.wait(server["id"], "ACTIVE")
    cli("server", "delete", "--wait", "cli-vm")
    assert cli("server", "list", "-f", "json") == []

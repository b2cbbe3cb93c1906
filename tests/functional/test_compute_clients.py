"""openstacksdk and the ``openstack`` CLI against a real minova, without keystone.

Both authenticate with keystoneauth's ``token`` plugin against the identity
stand-in minova serves with noauth2 (``/identity``, see docs/standins.md):
the token is noauth2's ``user:project`` and the catalog it comes with leads
to minova's ``/v2.1`` and to the image stand-in the CLI asks before
``server create``. README.md's own CLI commands are run as written by
test_readme_cli.py; these flows go further (stop, start, delete, limits).
"""

import json
import subprocess

import pytest

from tests.functional.compute import (IMAGE, OPENSTACK_CLI, PUBLIC_KEY,
                                      PUBLIC_KEY_FINGERPRINT, cli_env)

openstack = pytest.importorskip("openstack")


def test_openstacksdk_main_flow(compute):
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": "sdk:sdk"})
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


def test_openstack_cli_main_flow(compute, tmp_path):
    env = cli_env(OS_AUTH_TYPE="token", OS_AUTH_URL=compute.base + "/identity",
                  OS_TOKEN="cli:cli")
    key_file = tmp_path / "key.pub"
    key_file.write_text(PUBLIC_KEY)

    def cli(*args):
        result = subprocess.run(
            [OPENSTACK_CLI] + list(args),
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

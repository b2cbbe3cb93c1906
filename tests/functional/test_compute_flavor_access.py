"""Flavor access against a real minova: openstacksdk changes it, the ``openstack`` CLI shows it.

``openstack flavor set/unset --project`` first looks the project up in
keystone; the identity stand-in has no projects API (docs/standins.md), so
the changes go through openstacksdk, which sends the project id as given.
"""

import json
import subprocess

import pytest

from tests.functional.compute import OPENSTACK_CLI, cli_env

openstack = pytest.importorskip("openstack")


def test_sdk_adds_and_removes_access_and_the_cli_shows_it(compute):
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": "admin:admin"})
    flavor = conn.compute.create_flavor(name="priv", ram=256, vcpus=1,
                                        disk=1, is_public=False)
    conn.compute.flavor_add_tenant_access(flavor, "demo")
    assert sorted(a["tenant_id"] for a in
                  conn.compute.get_flavor_access(flavor)) == ["admin", "demo"]
    env = cli_env(OS_AUTH_TYPE="token", OS_AUTH_URL=compute.base + "/identity",
                  OS_TOKEN="admin:admin")
    result = subprocess.run(
        [OPENSTACK_CLI, "flavor", "show", "priv", "-f", "json"],
        capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert sorted(json.loads(result.stdout)["access_project_ids"]) == [
        "admin", "demo"]
    assert compute("demo:demo").get("/flavors/%s" % flavor.id).status_code == 200
    conn.compute.flavor_remove_tenant_access(flavor, "demo")
    assert compute("demo:demo").get("/flavors/%s" % flavor.id).status_code == 404
    with pytest.raises(openstack.exceptions.NotFoundException,
                       match="Flavor access not found"):
        conn.compute.flavor_remove_tenant_access(flavor, "demo")

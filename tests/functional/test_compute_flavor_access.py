"""Flavor access against a real minova: the ``openstack`` CLI adds and shows it.

``openstack flavor set --project demo`` first resolves the project through
keystone, here the identity stand-in's project lookup (docs/standins.md);
both CLI commands run in one process (``cli_session``). openstacksdk reads
and removes the access.
"""

import pytest

from tests.functional.compute import cli_session

openstack = pytest.importorskip("openstack")


def test_cli_adds_and_shows_access_and_the_sdk_removes_it(compute):
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": "admin:admin"})
    flavor = conn.compute.create_flavor(name="priv", ram=256, vcpus=1,
                                        disk=1, is_public=False)
    assert compute("demo:demo").get("/flavors/%s" % flavor.id).status_code == 404
    (shown,) = cli_session(compute.base, "admin:admin",
                           "flavor set --project demo priv",
                           "flavor show priv -f json")
    assert sorted(shown["access_project_ids"]) == ["admin", "demo"]
    assert sorted(a["tenant_id"] for a in
                  conn.compute.get_flavor_access(flavor)) == ["admin", "demo"]
    assert compute("demo:demo").get("/flavors/%s" % flavor.id).status_code == 200
    conn.compute.flavor_remove_tenant_access(flavor, "demo")
    assert compute("demo:demo").get("/flavors/%s" % flavor.id).status_code == 404
    with pytest.raises(openstack.exceptions.NotFoundException,
                       match="Flavor access not found"):
        conn.compute.flavor_remove_tenant_access(flavor, "demo")

"""Quotas against a real minova, through the ``openstack`` CLI and openstacksdk.

The CLI sets and shows them, openstacksdk reads, changes and reverts them,
and a server create beyond them is refused with nova's 403.

The CLI resolves the project argument ``demo`` through the identity
stand-in's project lookup. Its commands run in one process (the CLI's
interactive mode reads them from stdin), as each start costs about two
seconds.
"""

import pytest

from tests.functional.compute import IMAGE, cli_session, fault

openstack = pytest.importorskip("openstack")


def _rows(table):
    """``{resource: row}`` of ``openstack quota show -f json``'s rows."""
    return {row["Resource"]: row for row in table}


def test_cli_and_sdk_manage_the_quotas_creates_obey(compute):
    demo = compute("demo:demo")
    for _ in range(2):
        demo.boot(wait=False)
    shown, defaults, usage = cli_session(
        compute.base, "admin:admin",
        "quota set --instances 2 demo",
        "quota show --compute demo -f json",
        "quota show --compute --default demo -f json",
        "quota show --compute --usage demo -f json")
    assert _rows(shown)["instances"]["Limit"] == 2
    assert _rows(shown)["cores"]["Limit"] == 20
    assert _rows(defaults)["instances"]["Limit"] == 10
    assert _rows(usage)["instances"] == {
        "Resource": "instances", "Limit": 2, "In Use": 2, "Reserved": 0}
    assert _rows(usage)["ram"]["In Use"] == 1024
    assert fault(demo.post("/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE}}), 403) == (
        "Quota exceeded for instances: Requested 1, but already used 2 of 2 "
        "instances")

    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": "admin:admin"})
    assert conn.compute.get_quota_set("demo").instances == 2
    detail = conn.compute.get_quota_set("demo", usage=True)
    assert (detail.usage["instances"], detail.reservation["instances"]) == (
        2, 0)
    assert conn.compute.update_quota_set("demo", instances=3).instances == 3
    assert demo.boot(wait=False)
    conn.compute.revert_quota_set("demo")
    assert conn.compute.get_quota_set("demo").instances == 10
    assert conn.compute.get_quota_set_defaults("demo").instances == 10

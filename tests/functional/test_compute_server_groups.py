"""Server groups against a real minova: the ``openstack`` CLI fills an anti-affinity group past its hosts, openstacksdk reads groups at 2.64.

minova has ``[minova] fake_hosts`` (2 by default) compute hosts, so the
third server booted into an anti-affinity group finds no host: it is
created (202), ends in ERROR with nova's NoValidHost fault, and is a
member all the same.
"""

import json
import subprocess

import pytest

from tests.functional.compute import OPENSTACK_CLI, cli_env

openstack = pytest.importorskip("openstack")

NO_VALID_HOST = ("No valid host was found. There are not enough hosts "
                 "available.")


def _cli(compute, *args):
    env = cli_env(OS_AUTH_TYPE="token",
                  OS_AUTH_URL=compute.base + "/identity",
                  OS_TOKEN="demo:demo")
    result = subprocess.run([OPENSTACK_CLI, *args, "-f", "json"],
                            capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_anti_affinity_past_the_hosts_and_the_sdk_at_2_64(compute):
    group = _cli(compute, "server", "group", "create", "--policy",
                 "anti-affinity", "apart")
    assert group["policy"] == "anti-affinity"
    servers = [
        _cli(compute, "server", "create", "--flavor", "m1.tiny", "--image",
             "cirros", "--nic", "auto", "--hint", "group=%s" % group["id"],
             "vm-%d" % number)["id"]
        for number in range(3)]
    client = compute(version="2.71")
    last = client.wait(servers[-1], "ERROR")
    assert last["fault"]["message"] == NO_VALID_HOST
    assert last["server_groups"] == [group["id"]]
    hosts = {compute("admin:admin").get("/servers/%s" % server).json()[
        "server"]["OS-EXT-SRV-ATTR:host"] for server in servers}
    assert hosts == {"compute-1", "compute-2", None}
    shown = _cli(compute, "server", "group", "show", group["id"])
    assert sorted(shown["members"]) == sorted(servers)

    conn = openstack.connect(
        auth_type="token", compute_api_version="2.64",
        auth={"auth_url": compute.base + "/identity", "token": "demo:demo"})
    created = conn.compute.create_server_group(
        name="pairs", policy="anti-affinity",
        rules={"max_server_per_host": 2})
    fetched = conn.compute.get_server_group(created.id)
    assert (fetched.name, fetched.policy, fetched.rules,
            fetched.member_ids) == (
        "pairs", "anti-affinity", {"max_server_per_host": 2}, [])
    assert {g.id for g in conn.compute.server_groups()} == {
        group["id"], created.id}

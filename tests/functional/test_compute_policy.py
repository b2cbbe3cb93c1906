"""Authorization against a real minova: a reader's token, through the
identity stand-in, lists servers but may not create one (openstacksdk and
the ``openstack`` CLI)."""

import subprocess

import pytest

from tests.functional.compute import IMAGE, OPENSTACK_CLI, cli_env

openstack = pytest.importorskip("openstack")

REFUSED = ("Policy doesn't allow os_compute_api:servers:create to be "
           "performed.")


def test_a_reader_lists_servers_but_may_not_create_one(compute):
    mine = compute("demo:demo").boot(name="members-vm", wait=False)
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": "demo:demo:reader"})
    assert [s.id for s in conn.compute.servers()] == [mine]
    with pytest.raises(openstack.exceptions.ForbiddenException,
                       match=REFUSED):
        conn.compute.create_server(name="vm", flavor_id="1", image_id=IMAGE,
                                   networks="auto")
    env = cli_env(OS_AUTH_TYPE="token", OS_AUTH_URL=compute.base + "/identity",
                  OS_TOKEN="demo:demo:reader")
    result = subprocess.run(
        [OPENSTACK_CLI, "server", "create", "--flavor", "1", "--image", IMAGE,
         "--nic", "auto", "cli-vm"],
        capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 1
    assert REFUSED in result.stderr
    names = [s["name"] for s in
             compute("demo:demo").get("/servers").json()["servers"]]
    assert names == ["members-vm"]

"""Usage, consoles and extensions against a real minova, through the ``openstack`` CLI and openstacksdk.

The CLI reads several commands from its standard input in one run (its
interactive mode), so one process start (about two seconds) covers what
one user asks; each command's JSON output is one document of the run's
output. ``usage show --project`` looks the project up in the identity
stand-in, which finds any id.
"""

import json
import subprocess

import pytest

from tests.functional.compute import IMAGE, OPENSTACK_CLI, cli_env

openstack = pytest.importorskip("openstack")


def _cli(compute, token, *commands):
    """The JSON documents the ``openstack`` commands print, run as ``token``
    in one CLI process. Its interactive mode exits with 1 whatever
    happened, and says on stderr what failed."""
    env = cli_env(OS_AUTH_TYPE="token", OS_AUTH_URL=compute.base + "/identity",
                  OS_TOKEN=token)
    result = subprocess.run(
        [OPENSTACK_CLI], input="".join(c + " -f json\n" for c in commands),
        capture_output=True, text=True, env=env, timeout=120)
    assert not result.stderr.strip(), result.stderr
    decoder, text, documents = json.JSONDecoder(), result.stdout, []
    position = 0
    while text[position:].strip():
        position = len(text) - len(text[position:].lstrip())
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
    assert len(documents) == len(commands), result.stdout
    return documents


def test_consoles_usage_and_extensions(start_compute):
    compute = start_compute(serial_console={"enabled": "true"})
    conn = openstack.connect(auth_type="token", auth={
        "auth_url": compute.base + "/identity", "token": "demo:demo"})
    server = conn.compute.create_server(name="vm", flavor_id="1",
                                        image_id=IMAGE, networks="auto")
    conn.compute.wait_for_server(server, wait=15, interval=0.2)
    console = conn.compute.create_console(server, console_type="novnc")
    assert console["url"].startswith(
        "http://127.0.0.1:6080/vnc_auto.html?path=%3Ftoken%3D")
    names = {e.alias: e.name for e in conn.compute.extensions()}
    assert names["os-simple-tenant-usage"] == "SimpleTenantUsage"
    assert names["os-console-auth-tokens"] == "ConsoleAuthTokens"

    novnc, serial, usage = _cli(
        compute, "demo:demo", "console url show --novnc vm",
        "console url show --serial vm", "usage show --project demo")
    assert novnc["type"] == "novnc"
    assert serial["type"] == "serial"
    assert serial["url"].startswith("ws://127.0.0.1:6083/?token=")
    # the JSON output shows the server usages themselves
    assert [s["instance_id"] for s in usage["Servers"]] == [server.id]
    # seconds of one m1.tiny: 512 MB and 1 vCPU for each hour
    assert 0 < usage["RAM MB-Hours"] == 512 * usage["CPU Hours"]

    token = serial["url"].split("token=", 1)[1]
    connection, usages = _cli(
        compute, "admin:admin",
        "console connection show " + token,
        "usage list")
    assert connection["instance_uuid"] == server.id
    assert connection["port"] == 10000
    # the CLI asks detailed=True, which nova reads as not detailed ("1" is)
    assert [(u["Project"], u["Servers"]) for u in usages] == [("demo", None)]
    assert usages[0]["CPU Hours"] >= usage["CPU Hours"] > 0

"""minova's state outlives minova: restart on the same state_path, and the same flows on PostgreSQL and MariaDB.

The database runs are end to end through HTTP with ``[database]
connection`` naming a database created for the test (and dropped after);
they skip, saying why, when the server is not reachable. Each is synced
with ``minova-manage db sync`` first, as an operator does; one that is
not stops startup with one line saying so.
"""

from minova_tw.db import migration
from minova_tw.db.engine import masked_url
from tests.functional.process import base_config, run_minova, write_config
from tests.functional.compute import PUBLIC_KEY
from tests.functional.manage import manage


def _flows(client):
    """Create a bit of everything; return what to look for afterwards."""
    admin = client("admin:admin", "2.55")
    admin.ok("POST", "/flavors", {"flavor": {
        "name": "kept", "ram": 64, "vcpus": 1, "disk": 0, "id": "kept",
        "description": "survives"}})
    admin.ok("POST", "/flavors/kept/os-extra_specs",
             {"extra_specs": {"k": "v"}})
    user = client("demo:demo", "2.52")
    user.ok("POST", "/os-keypairs", {"keypair": {
        "name": "key", "public_key": PUBLIC_KEY}})
    server_id = user.boot("keeper", key_name="key", metadata={"m": "1"},
                          tags=["t"])
    user.action(server_id, {"os-stop": None})
    user.wait(server_id, "SHUTOFF")
    gone = user.boot("gone")
    user.delete("/servers/" + gone)
    return server_id


def _check(client, server_id):
    admin = client("admin:admin", "2.61")
    flavor = admin.ok("GET", "/flavors/kept")["flavor"]
    assert (flavor["description"], flavor["extra_specs"]) == (
        "survives", {"k": "v"})
    user = client("demo:demo", "2.52")
    assert [k["keypair"]["name"] for k in user.ok(
        "GET", "/os-keypairs")["keypairs"]] == ["key"]
    servers = user.ok("GET", "/servers/detail")["servers"]
    assert [s["id"] for s in servers] == [server_id]
    server = servers[0]
    assert (server["status"], server["key_name"], server["metadata"],
            server["tags"]) == ("SHUTOFF", "key", {"m": "1"}, ["t"])
    assert server["addresses"]["private"][0]["addr"] == "10.0.0.2"
    # the deleted server's address was released
    assert user.ok("GET", "/limits")["limits"]["absolute"][
        "totalInstancesUsed"] == 1
    user.action(server_id, {"os-start": None})
    user.wait(server_id, "ACTIVE")


def test_stop_and_start_minova_everything_is_still_there(start_compute):
    client = start_compute()
    server_id = _flows(client)
    client.process.stop()
    _check(start_compute(), server_id)


def test_a_database_server_without_the_schema_is_one_line(
        empty_server_database, tmp_path):
    """Starting (and minova-manage check) never changes a server's schema:
    the operator's db sync does. Startup says so and leaves it empty."""
    config = write_config(tmp_path / "api.conf", base_config(
        tmp_path, database={"connection": empty_server_database}))
    result = run_minova(["--config", config], tmp_path)
    line = ("[database] connection: the schema of %s is at revision none "
            "(an empty database), this minova needs %s: run minova-manage "
            "db sync" % (masked_url(empty_server_database), migration.HEAD))
    assert (result.returncode, result.stderr) == (1, "minova: %s\n" % line)
    checked = manage(config, "check")
    assert (checked.returncode, checked.stdout) == (1, line + "\n")
    assert manage(config, "db", "version").stdout == "None\n"


def test_end_to_end_on_a_database_server(server_database, start_compute):
    # server_database first: it is dropped after minova has stopped.
    client = start_compute(database={"connection": server_database})
    server_id = _flows(client)
    client.process.stop()
    _check(start_compute(database={"connection": server_database}),
           server_id)

"""The migrate and os-migrateLive actions, /os-migrations and /servers/{id}/migrations through the compute router: nova's codes, bodies and gates."""

import pytest
import webob

from minova_tw import context
from minova_tw.api.openstack.compute import routes


@pytest.fixture
def act(api, server):
    """POST ``body`` to the server's action path as an admin."""
    def act(body, version="2.1", admin=True):
        return api("POST", "/servers/%s/action" % server, body,
                   version=version, admin=admin)
    return act


def _message(res):
    return next(iter(res.json.values()))["message"]


def _show(api, server):
    return api("GET", "/servers/" + server, admin=True,
               version="2.1").json["server"]


@pytest.fixture
def slow(override):
    """Actions take a minute, so a move is seen in progress."""
    override("action_time", 60, "minova")


def test_migrate_then_confirm(api, act, server):
    assert _show(api, server)["OS-EXT-SRV-ATTR:host"] == "compute-1"
    res = act({"migrate": None})
    assert res.status_int == 202 and res.body == b""
    shown = _show(api, server)
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "VERIFY_RESIZE", "compute-2")
    res = act({"confirmResize": None})
    assert res.status_int == 204
    [migration] = api("GET", "/os-migrations", admin=True).json["migrations"]
    assert migration["status"] == "confirmed"
    assert set(migration) == {
        "created_at", "dest_compute", "dest_host", "dest_node", "id",
        "instance_uuid", "new_instance_type_id", "old_instance_type_id",
        "source_compute", "source_node", "status", "updated_at"}


def test_migrate_host_is_read_from_2_56(api, act, server, override):
    override("fake_hosts", 3, "minova")
    # Before 2.56 the body is not looked at: the scheduler picks.
    assert act({"migrate": {"host": "compute-3"}}).status_int == 202
    assert _show(api, server)["OS-EXT-SRV-ATTR:host"] == "compute-2"
    assert act({"revertResize": None}).status_int == 202
    res = act({"migrate": {"host": "compute-3"}}, version="2.56")
    assert res.status_int == 202
    assert _show(api, server)["OS-EXT-SRV-ATTR:host"] == "compute-3"


def test_migrate_errors(api, act, server):
    res = act({"migrate": {"host": "compute-1"}}, version="2.56")
    assert res.status_int == 400
    assert _message(res) == ("Cannot migrate to the host where the server "
                             "exists.")
    res = act({"migrate": {"host": "nowhere"}}, version="2.56")
    assert res.status_int == 400
    assert _message(res) == "Compute host nowhere could not be found."
    assert act({"migrate": {"hots": "x"}}, version="2.56").status_int == 400
    assert act({"migrate": {"host": ""}}, version="2.56").status_int == 400
    res = act({"migrate": None}, admin=False)
    assert res.status_int == 403
    assert _message(res) == ("Policy doesn't allow os_compute_api:"
                             "os-migrate-server:migrate to be performed.")
    res = act({"migrate": {"host": "compute-2"}}, version="2.56",
              admin=False)
    assert "os-migrate-server:migrate:host" in _message(res)
    res = api("POST", "/servers/nope/action", {"migrate": None}, admin=True)
    assert res.status_int == 404
    assert act({"os-stop": None}).status_int == 202
    assert act({"migrate": None}).status_int == 202
    assert act({"migrate": None}).status_int == 409


def test_migrate_while_building_is_409(api, building_server):
    res = api("POST", "/servers/%s/action" % building_server,
              {"migrate": None}, admin=True)
    assert res.status_int == 409
    assert _message(res) == (
        "Cannot 'migrate' instance %s while it is in vm_state building"
        % building_server)


def test_migrate_with_one_host_answers_202_and_records_the_error(
        api, act, server, override):
    override("fake_hosts", 1, "minova")
    assert act({"migrate": None}).status_int == 202
    assert _show(api, server)["status"] == "ACTIVE"
    [migration] = api("GET", "/os-migrations", admin=True,
                      version="2.23").json["migrations"]
    assert (migration["status"], migration["migration_type"]) == (
        "error", "migration")


LIVE = {"os-migrateLive": {"host": None, "block_migration": "auto"}}


def test_live_migration_and_its_in_progress_views(api, act, server, slow):
    assert act(LIVE, version="2.25").status_int == 202
    assert _show(api, server)["status"] == "MIGRATING"
    base = "/servers/%s/migrations" % server
    assert api("GET", base, admin=True, version="2.22").status_int == 404
    [migration] = api("GET", base, admin=True,
                      version="2.23").json["migrations"]
    assert migration["status"] == "running"
    assert migration["server_uuid"] == server
    assert (migration["source_compute"], migration["dest_compute"]) == (
        "compute-1", "compute-2")
    assert migration["memory_total_bytes"] is None
    assert "uuid" not in migration and "user_id" not in migration
    shown = api("GET", "%s/%d" % (base, migration["id"]), admin=True,
                version="2.80").json["migration"]
    assert shown["uuid"] and shown["user_id"] == "admin"
    assert shown["project_id"] == "project-a"
    [listed] = api("GET", "/os-migrations", admin=True,
                   version="2.23").json["migrations"]
    assert listed["migration_type"] == "live-migration"
    assert listed["links"][0]["rel"] == "self"
    assert listed["links"][0]["href"].endswith(
        "/servers/%s/migrations/%d" % (server, migration["id"]))
    res = api("GET", "%s/999" % base, admin=True, version="2.23")
    assert res.status_int == 404
    assert _message(res) == ("In-progress live migration 999 is not found "
                             "for server %s." % server)
    res = api("GET", base + "?x=1", admin=True, version="2.102")
    assert res.status_int == 400


def test_live_migration_bodies_by_version(act, server):
    res = act({"os-migrateLive": {"host": None, "block_migration": False,
                                  "disk_over_commit": False}})
    assert res.status_int == 202
    assert act({"os-migrateLive": {"host": None,
                                   "block_migration": "auto"}}
               ).status_int == 400
    assert act({"os-migrateLive": {"host": None, "block_migration": "auto",
                                   "force": True}},
               version="2.30").status_int == 400
    res = act({"os-migrateLive": {"host": None, "block_migration": "auto",
                                  "force": True}}, version="2.30")
    assert _message(res) == "Can't force to a non-provided destination"
    assert act({"os-migrateLive": {"host": "compute-1",
                                   "block_migration": "auto",
                                   "force": False}},
               version="2.68").status_int == 400


def test_live_migration_failures_before_and_after_2_34(api, act, server,
                                                       override):
    body = {"os-migrateLive": {"host": "compute-1",
                               "block_migration": "auto"}}
    res = act(body, version="2.33")
    assert res.status_int == 400
    assert _message(res) == ("Unable to migrate instance (%s) to current "
                             "host (compute-1)." % server)
    override("fake_hosts", 1, "minova")
    res = act(LIVE, version="2.33")
    assert res.status_int == 400
    assert _message(res) == ("No valid host was found. There are not "
                             "enough hosts available.")
    assert act(LIVE, version="2.34").status_int == 202
    [migration] = api("GET", "/os-migrations", admin=True,
                      version="2.23").json["migrations"]
    assert migration["status"] == "error"
    res = act({"os-migrateLive": {"host": "nowhere",
                                  "block_migration": "auto"}},
              version="2.34")
    assert res.status_int == 400


def test_abort_and_force_complete(api, act, server, slow):
    base = "/servers/%s/migrations" % server
    assert act(LIVE, version="2.25").status_int == 202
    [migration] = api("GET", base, admin=True,
                      version="2.23").json["migrations"]
    path = "%s/%d" % (base, migration["id"])
    assert api("DELETE", path, admin=True,
               version="2.23").status_int == 404
    res = api("DELETE", base + "/999", admin=True, version="2.24")
    assert res.status_int == 404
    res = api("DELETE", path, admin=True, version="2.24")
    assert res.status_int == 202
    assert _show(api, server)["status"] == "ACTIVE"
    res = api("DELETE", path, admin=True, version="2.24")
    assert res.status_int == 409
    assert act(LIVE, version="2.25").status_int == 202
    migrations = api("GET", base, admin=True,
                     version="2.23").json["migrations"]
    path = "%s/%d/action" % (base, migrations[0]["id"])
    assert api("POST", path, {"force_complete": None}, admin=True,
               version="2.21").status_int == 404
    assert api("POST", path, {"force_complete": {}}, admin=True,
               version="2.22").status_int == 400
    res = api("POST", "%s/999/action" % base, {"force_complete": None},
              admin=True, version="2.22")
    assert res.status_int == 400
    assert _message(res) == "Migration 999 not found for instance %s" % (
        server)
    res = api("POST", path, {"force_complete": None}, admin=True,
              version="2.22")
    assert res.status_int == 202
    shown = _show(api, server)
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", "compute-2")
    assert api("GET", base, admin=True,
               version="2.23").json["migrations"] == []


def test_os_migrations_by_version(api, act, server):
    assert act({"migrate": None}).status_int == 202
    old = api("GET", "/os-migrations?foo=1", admin=True).json["migrations"]
    assert len(old) == 1 and "migration_type" not in old[0]
    assert api("GET", "/os-migrations?migration_type=resize",
               admin=True).json["migrations"] == []
    assert api("GET", "/os-migrations?user_id=nobody",
               admin=True).json["migrations"] == []
    [new] = api("GET", "/os-migrations", admin=True,
                version="2.80").json["migrations"]
    assert {"uuid", "user_id", "project_id", "migration_type"} <= set(new)
    assert "links" not in new
    assert new["created_at"].count(":") == 2 and "Z" not in new["created_at"]
    assert api("GET", "/os-migrations?foo=1", admin=True,
               version="2.59").status_int == 400
    assert api("GET", "/os-migrations?user_id=admin", admin=True,
               version="2.79").status_int == 400
    res = api("GET", "/os-migrations?limit=1", admin=True, version="2.59")
    body = res.json
    assert len(body["migrations"]) == 1
    assert body["migrations_links"][0]["href"].endswith(
        "marker=%s" % new["uuid"])
    res = api("GET", "/os-migrations?marker=nope", admin=True,
              version="2.59")
    assert res.status_int == 400
    assert _message(res) == "marker [nope] not found"
    res = api("GET", "/os-migrations?changes-since=2030-01-01T00:00:00Z"
              "&changes-before=2020-01-01T00:00:00Z", admin=True,
              version="2.66")
    assert res.status_int == 400
    assert api("GET", "/os-migrations?changes-since=2999-01-01T00:00:00Z",
               admin=True, version="2.59").json["migrations"] == []


def test_os_migrations_policy(api, act, server, conf):
    res = api("GET", "/os-migrations")
    assert res.status_int == 403
    assert act({"migrate": None}).status_int == 202
    router = routes.APIRouterV21(conf)

    def as_manager(path):
        req = webob.Request.blank(path)
        req.environ[context.ENVIRON_KEY] = context.RequestContext(
            user_id="boss", project_id="project-a",
            roles=["manager", "member", "reader"])
        return req.get_response(router)

    res = as_manager("/os-migrations")
    assert res.status_int == 403
    assert "os-migrations:index:all_projects" in _message(res)
    res = as_manager("/os-migrations?project_id=project-a")
    assert res.status_int == 200, res.text
    [own] = res.json["migrations"]
    assert own["source_compute"] is own["dest_compute"] is None
    assert own["status"] == "finished"


def _force_down(api, host="compute-1"):
    res = api("PUT", "/os-services/force-down", {
        "host": host, "binary": "nova-compute", "forced_down": True},
        admin=True, version="2.11")
    assert res.status_int == 200, res.text


def test_evacuate(api, act, server, override):
    res = act({"evacuate": {}}, version="2.14")
    assert res.status_int == 400
    assert _message(res) == "Compute service of compute-1 is still in use."
    _force_down(api)
    res = act({"evacuate": {}}, version="2.14", admin=False)
    assert res.status_int == 403
    assert "os_compute_api:os-evacuate" in _message(res)
    res = act({"evacuate": {"host": "nowhere"}}, version="2.14")
    assert res.status_int == 404
    assert _message(res) == "Compute host nowhere not found."
    res = act({"evacuate": {"host": "compute-1"}}, version="2.14")
    assert res.status_int == 400
    assert _message(res) == "The target host can't be the same one."
    assert act({"evacuate": {"force": True}},
               version="2.29").status_int == 400
    assert act({"evacuate": {"force": False}},
               version="2.68").status_int == 400
    res = act({"evacuate": {"host": "compute-2"}}, version="2.14")
    assert res.status_int == 200 and res.body == b""
    shown = _show(api, server)
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "ACTIVE", "compute-2")
    [migration] = api("GET", "/os-migrations", admin=True,
                      version="2.23").json["migrations"]
    assert (migration["migration_type"], migration["status"]) == (
        "evacuation", "done")


def test_evacuate_before_2_14_and_at_2_95(api, act, server, override):
    override("enable_instance_password", True, "api")
    _force_down(api)
    assert act({"evacuate": {}}).status_int == 400
    res = act({"evacuate": {"onSharedStorage": True, "adminPass": "pw"}})
    assert res.status_int == 400
    assert _message(res) == "admin password can't be changed on existing disk"
    res = act({"evacuate": {"onSharedStorage": False, "adminPass": "pw"}})
    assert res.status_int == 200 and res.json == {"adminPass": "pw"}
    _force_down(api, "compute-2")
    res = api("PUT", "/os-services/force-down", {
        "host": "compute-1", "binary": "nova-compute",
        "forced_down": False}, admin=True, version="2.11")
    assert res.status_int == 200
    assert act({"evacuate": {}}, version="2.95").status_int == 200
    shown = _show(api, server)
    assert (shown["status"], shown["OS-EXT-SRV-ATTR:host"]) == (
        "SHUTOFF", "compute-1")

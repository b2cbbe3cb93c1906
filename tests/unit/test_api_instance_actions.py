"""minova_tw.api.openstack.compute.instance_actions through the compute router: the shapes of 2.1, 2.21, 2.51, 2.58, 2.62, 2.66, 2.84, events by role, paging."""

import hashlib

import pytest


IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
ACTION_KEYS = {"action", "instance_uuid", "request_id", "user_id",
               "project_id", "start_time", "message"}
EVENT_KEYS = {"event", "start_time", "finish_time", "result"}



@pytest.fixture
def server(api):
    """A server booted under req-boot and rebooted under req-reboot."""
    res = api("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE}},
        request_id="req-boot")
    assert res.status_int == 202, res.text
    uuid = res.json["server"]["id"]
    assert api("POST", "/servers/%s/action" % uuid,
                {"reboot": {"type": "SOFT"}},
                request_id="req-reboot").status_int == 202
    return uuid


def _list(api, server, query="", **kwargs):
    return api("GET", "/servers/%s/os-instance-actions%s" % (server, query),
                **kwargs)


def _show(api, server, request_id, **kwargs):
    return api("GET", "/servers/%s/os-instance-actions/%s"
                % (server, request_id), **kwargs)


def test_list_newest_first(api, server):
    actions = _list(api, server).json["instanceActions"]
    assert [(a["action"], a["request_id"]) for a in actions] == [
        ("reboot", "req-reboot"), ("create", "req-boot")]
    assert set(actions[0]) == ACTION_KEYS
    assert (actions[0]["instance_uuid"], actions[0]["user_id"],
            actions[0]["project_id"], actions[0]["message"]) == (
        server, "user", "project-a", None)
    actions = _list(api, server, version="2.58").json["instanceActions"]
    assert set(actions[0]) == ACTION_KEYS | {"updated_at"}


def test_events_by_version_and_role(api, server, conf):
    host = "compute-1"  # the first server's fake host
    res = _show(api, server, "req-reboot")
    assert res.status_int == 200
    assert set(res.json["instanceAction"]) == ACTION_KEYS
    admin = _show(api, server, "req-reboot", admin=True).json
    [event] = admin["instanceAction"]["events"]
    assert set(event) == EVENT_KEYS | {"traceback"}
    assert (event["event"], event["result"], event["traceback"]) == (
        "compute_reboot_instance", "Success", None)
    assert event["finish_time"] == event["start_time"]
    [event] = _show(api, server, "req-reboot", version="2.51"
                    ).json["instanceAction"]["events"]
    assert set(event) == EVENT_KEYS
    host_id = hashlib.sha224(("project-a" + host).encode()).hexdigest()
    [event] = _show(api, server, "req-reboot", version="2.62"
                    ).json["instanceAction"]["events"]
    assert set(event) == EVENT_KEYS | {"hostId"}
    assert event["hostId"] == host_id
    [event] = _show(api, server, "req-reboot", version="2.62", admin=True
                    ).json["instanceAction"]["events"]
    assert (event["host"], event["hostId"]) == (host, host_id)
    assert "details" not in event
    [event] = _show(api, server, "req-reboot", version="2.84", admin=True
                    ).json["instanceAction"]["events"]
    assert set(event) == EVENT_KEYS | {"traceback", "host", "hostId",
                                       "details"}
    assert "details" not in _show(api, server, "req-reboot",
                                  version="2.84"
                                  ).json["instanceAction"]["events"][0]
    res = _show(api, server, "req-none")
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == "Action req-none not found"


def test_deleted_servers_from_2_21(api, server):
    assert api("DELETE", "/servers/" + server,
                request_id="req-delete").status_int == 204
    assert _list(api, server, version="2.20").status_int == 404
    assert _show(api, server, "req-boot", version="2.20").status_int == 404
    actions = _list(api, server, version="2.21").json["instanceActions"]
    assert [a["action"] for a in actions] == ["delete", "reboot", "create"]
    [event] = _show(api, server, "req-delete", version="2.51"
                    ).json["instanceAction"]["events"]
    assert event["event"] == "compute_terminate_instance"


def test_paging_from_2_58(api, server):
    res = _list(api, server, "?limit=1", version="2.58")
    assert [a["request_id"] for a in res.json["instanceActions"]] == [
        "req-reboot"]
    assert res.json["links"] == [{"rel": "next", "href": (
        "http://localhost/servers/%s/os-instance-actions"
        "?limit=1&marker=req-reboot" % server)}]
    res = _list(api, server, "?limit=1&marker=req-reboot", version="2.58")
    assert [a["request_id"] for a in res.json["instanceActions"]] == [
        "req-boot"]
    assert "links" not in _list(api, server, version="2.58").json
    res = _list(api, server, "?marker=req-none", version="2.58")
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == "marker [req-none] not found"
    # Before 2.58 the query is ignored; from then unknown keys are 400.
    assert len(_list(api, server, "?limit=1").json["instanceActions"]) == 2
    assert _list(api, server, "?foo=1", version="2.58").status_int == 400


def test_changes_window(api, server):
    future = "2999-01-01T00:00:00Z"
    res = _list(api, server, "?changes-since=" + future, version="2.58")
    assert res.json == {"instanceActions": []}
    res = _list(api, server, "?changes-before=" + future, version="2.66")
    assert len(res.json["instanceActions"]) == 2
    assert _list(api, server, "?changes-before=" + future,
                 version="2.65").status_int == 400
    res = _list(api, server, "?changes-since=%s&changes-before="
                "2000-01-01T00:00:00Z" % future, version="2.66")
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == (
        "The value of changes-since must be less than or equal to "
        "changes-before.")

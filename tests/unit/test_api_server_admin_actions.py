"""shelve, shelveOffload, unshelve, restore, forceDelete, os-resetState, injectNetworkInfo and createBackup through the compute router: nova's codes, bodies and microversion gates."""

import pytest

IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"
VOLUME = "5e3a2f6c-7d5b-4a51-9b1e-1f2d3c4b5a69"


def _message(res):
    return next(iter(res.json.values()))["message"]


@pytest.fixture
def act(api, server):
    """``act(body, version="2.1", admin=False)``: POST the action to the
    ``server`` fixture."""
    def act(body, version="2.1", admin=False):
        return api("POST", "/servers/%s/action" % server, body,
                   version=version, admin=admin)
    return act


def _status(api, server):
    return api("GET", "/servers/" + server, admin=True).json["server"][
        "status"]


def _shelved(api, act, server):
    res = act({"shelve": None})
    assert res.status_int == 202 and res.body == b"", res.text
    assert _status(api, server) == "SHELVED_OFFLOADED"


def test_shelve_and_unshelve(api, act, server):
    _shelved(api, act, server)
    shown = api("GET", "/servers/" + server, admin=True).json["server"]
    assert shown["OS-EXT-SRV-ATTR:host"] is None
    res = act({"unshelve": None})
    assert res.status_int == 202 and res.body == b""
    assert _status(api, server) == "ACTIVE"
    res = act({"unshelve": None})
    assert res.status_int == 409
    assert _message(res) == (
        "Cannot 'unshelve' instance %s while it is in vm_state active"
        % server)


def test_shelve_offload_is_an_admins(api, act, server, override):
    override("shelved_offload_time", -1, None)
    act({"shelve": {}})
    assert _status(api, server) == "SHELVED"
    assert act({"shelveOffload": None}).status_int == 403
    assert act({"shelveOffload": None}, admin=True).status_int == 202
    assert _status(api, server) == "SHELVED_OFFLOADED"


@pytest.mark.parametrize("version, body, status", [
    ("2.76", {"unshelve": {"availability_zone": "nova"}}, 202),
    ("2.77", {"unshelve": {}}, 400),
    ("2.77", {"unshelve": {"availability_zone": None}}, 400),
    ("2.77", {"unshelve": {"availability_zone": "nova"}}, 202),
    ("2.77", {"unshelve": {"availability_zone": "nowhere"}}, 400),
    ("2.77", {"unshelve": {"host": "compute-1"}}, 400),
    ("2.91", {"unshelve": {}}, 202),
    ("2.91", {"unshelve": {"availability_zone": None}}, 202),
    ("2.91", {"unshelve": {"host": "compute-2"}}, 403),
    ("2.91", {"unshelve": {"other": 1}}, 400),
])
def test_unshelve_bodies_by_version(api, act, server, version, body,
                                    status):
    _shelved(api, act, server)
    res = act(body, version=version)
    assert res.status_int == status, res.text


def test_unshelve_to_a_host(api, act, server):
    _shelved(api, act, server)
    res = act({"unshelve": {"host": "compute-9"}}, "2.91", admin=True)
    assert res.status_int == 400
    assert _message(res) == "Compute host compute-9 could not be found."
    res = act({"unshelve": {"host": "compute-2"}}, "2.91", admin=True)
    assert res.status_int == 202
    shown = api("GET", "/servers/" + server, admin=True).json["server"]
    assert shown["OS-EXT-SRV-ATTR:host"] == "compute-2"


def test_a_zone_for_a_shelved_server_is_409(api, act, server, override):
    override("shelved_offload_time", -1, None)
    act({"shelve": None})
    res = act({"unshelve": {"availability_zone": "nova"}}, "2.77")
    assert res.status_int == 409
    assert _message(res) == (
        'Specifying an availability zone or a host when unshelving server '
        '"%s" with status "shelved" is not supported. The server status '
        'must be SHELVED_OFFLOADED.' % server)


def test_restore_and_force_delete(api, act, server, override):
    override("reclaim_instance_interval", 3600, None)
    assert act({"restore": None}).status_int == 409
    assert api("DELETE", "/servers/" + server).status_int == 204
    assert _status(api, server) == "SOFT_DELETED"
    assert act({"restore": None}).status_int == 202
    assert _status(api, server) == "ACTIVE"
    api("DELETE", "/servers/" + server)
    assert act({"forceDelete": None}).status_int == 202
    assert api("GET", "/servers/" + server).status_int == 404
    assert act({"forceDelete": None}).status_int == 404


def test_restore_over_quota_is_403(api, act, server, override):
    override("reclaim_instance_interval", 3600, None)
    api("DELETE", "/servers/" + server)
    override("instances", 1, "quota")
    assert api("POST", "/servers", {"server": {
        "name": "vm2", "flavorRef": "1", "imageRef": IMAGE}}).status_int \
        == 202
    res = act({"restore": None})
    assert res.status_int == 403
    assert "Quota exceeded for instances" in _message(res)


@pytest.mark.parametrize("state, status", [("error", "ERROR"),
                                           ("active", "ACTIVE")])
def test_reset_state(api, act, server, state, status):
    res = act({"os-resetState": {"state": state}})
    assert res.status_int == 403
    res = act({"os-resetState": {"state": state}}, admin=True)
    assert res.status_int == 202 and res.body == b""
    assert _status(api, server) == status


@pytest.mark.parametrize("body", [
    {"os-resetState": {"state": "shelved"}}, {"os-resetState": {}},
    {"os-resetState": None}])
def test_reset_state_bodies(act, body):
    assert act(body, admin=True).status_int == 400


def test_inject_network_info(api, act, server):
    assert act({"injectNetworkInfo": None}).status_int == 403
    assert act({"injectNetworkInfo": None}, admin=True).status_int == 202
    assert act({"lock": None}).status_int == 202
    # An admin passes a lock, as everywhere else.
    assert act({"injectNetworkInfo": None}, admin=True).status_int == 202
    assert api("POST", "/servers/nothing/action",
               {"injectNetworkInfo": None}, admin=True).status_int == 404


def test_create_backup_answers_by_version(api, act, server):
    body = {"createBackup": {"name": "b", "backup_type": "daily",
                             "rotation": 1}}
    res = act(body, version="2.44")
    assert res.status_int == 202 and res.body == b""
    assert res.headers["Location"].startswith("http://localhost/images/")
    body["createBackup"]["rotation"] = 0
    res = act(body, version="2.44")
    assert res.status_int == 202 and "Location" not in res.headers
    res = act(body, version="2.45")
    assert res.status_int == 202 and "Location" not in res.headers
    assert len(res.json["image_id"]) == 36
    # createImage answers the same way, with a Location before 2.45.
    res = act({"createImage": {"name": "s"}}, version="2.44")
    assert res.status_int == 202 and res.body == b""
    assert res.headers["Location"].startswith("http://localhost/images/")


@pytest.mark.parametrize("inner", [
    {"backup_type": "daily", "rotation": 1},
    {"name": "b", "rotation": 1},
    {"name": "b", "backup_type": "daily"},
    {"name": "b", "backup_type": "daily", "rotation": -1},
    {"name": "b", "backup_type": "daily", "rotation": 1, "x": 1},
    {"name": "", "backup_type": "daily", "rotation": 1},
])
def test_create_backup_bodies(act, inner):
    assert act({"createBackup": inner}).status_int == 400


def test_a_volume_backed_server_has_no_backup(api):
    res = api("POST", "/servers", {"server": {
        "name": "vol", "flavorRef": "1", "imageRef": "",
        "block_device_mapping_v2": [
            {"source_type": "volume", "destination_type": "volume",
             "uuid": VOLUME, "boot_index": 0}]}})
    assert res.status_int == 202, res.text
    res = api("POST", "/servers/%s/action" % res.json["server"]["id"],
              {"createBackup": {"name": "b", "backup_type": "daily",
                                "rotation": 1}})
    assert res.status_int == 400
    assert _message(res) == ("Backup is not supported for volume-backed "
                             "instances.")

"""minova_tw.api.openstack.compute.volume_attachments through the compute router: shapes by microversion, 2.101's 202, swap and update, errors."""

import uuid

import pytest

VOL = "6f6b8a16-5a6e-4d2b-9d2c-3a1c1f5a0b01"
VOL2 = "6f6b8a16-5a6e-4d2b-9d2c-3a1c1f5a0b02"


def _path(server, volume=None):
    path = "/servers/%s/os-volume_attachments" % server
    return path + "/" + volume if volume else path


def _attach(api, server, version="2.1", **fields):
    return api("POST", _path(server), {"volumeAttachment": dict(
        {"volumeId": VOL}, **fields)}, version=version)


def test_attach_answers_the_attachment_before_2101(api, server):
    res = _attach(api, server, version="2.79", tag="data",
                  delete_on_termination=True)
    assert (res.status_int, res.json) == (200, {"volumeAttachment": {
        "id": VOL, "serverId": server, "volumeId": VOL, "device": "/dev/vdb",
        "tag": "data", "delete_on_termination": True}})


def test_attach_answers_202_without_a_body_from_2101(api, server):
    res = _attach(api, server, version="2.101")
    assert (res.status_int, res.body) == (202, b"")
    res = api("GET", _path(server, VOL), version="2.101")
    assert res.json["volumeAttachment"]["device"] == "/dev/vdb"


@pytest.mark.parametrize("version, keys", [
    ("2.1", {"id", "volumeId", "serverId", "device"}),
    ("2.70", {"id", "volumeId", "serverId", "device", "tag"}),
    ("2.79", {"id", "volumeId", "serverId", "device", "tag",
              "delete_on_termination"}),
    ("2.89", {"volumeId", "serverId", "device", "tag",
              "delete_on_termination", "attachment_id", "bdm_uuid"}),
])
def test_list_and_show_shapes(api, server, version, keys):
    _attach(api, server)
    [listed] = api("GET", _path(server), version=version).json[
        "volumeAttachments"]
    shown = api("GET", _path(server, VOL), version=version).json[
        "volumeAttachment"]
    assert set(listed) == keys and listed == shown
    if version == "2.89":
        uuid.UUID(listed["attachment_id"])
        uuid.UUID(listed["bdm_uuid"])


def test_server_shows_volumes_attached(api, server):
    _attach(api, server)
    shown = api("GET", "/servers/" + server).json["server"]
    assert shown["os-extended-volumes:volumes_attached"] == [{"id": VOL}]
    [listed] = api("GET", "/servers/detail", version="2.3").json["servers"]
    assert listed["os-extended-volumes:volumes_attached"] == [
        {"id": VOL, "delete_on_termination": False}]


def test_one_volume_one_server(api, server):
    other = api("POST", "/servers", {"server": {
        "name": "vm2", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}}).json[
        "server"]["id"]
    _attach(api, server)
    res = _attach(api, server)
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == (
        "Invalid volume: volume %s already attached" % VOL)
    res = _attach(api, other)
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == (
        "Invalid volume: volume %s is already attached to instances: %s"
        % (VOL, server))
    res = _attach(api, server, device="/dev/vdb", volumeId=VOL2)
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "The supplied device path (/dev/vdb) is in use.")


def test_detach_frees_the_volume(api, server):
    _attach(api, server)
    assert api("DELETE", _path(server, VOL)).status_int == 202
    assert api("GET", _path(server)).json == {"volumeAttachments": []}
    res = api("DELETE", _path(server, VOL))
    assert res.status_int == 404
    assert res.json["itemNotFound"]["message"] == (
        "Instance %s is not attached to volume %s" % (server, VOL))


def test_deleting_the_server_frees_its_volumes(api, server):
    _attach(api, server)
    assert api("DELETE", "/servers/" + server).status_int == 204
    other = api("POST", "/servers", {"server": {
        "name": "vm2", "flavorRef": "1",
        "imageRef": "70a599e0-31e7-49b7-b260-868f441e862b"}}).json[
        "server"]["id"]
    assert _attach(api, other).status_int == 200


def test_swap_is_an_admins(api, server):
    _attach(api, server)
    body = {"volumeAttachment": {"volumeId": VOL2}}
    res = api("PUT", _path(server, VOL), body)
    assert res.status_int == 403
    assert res.json["forbidden"]["message"] == (
        "Policy doesn't allow os_compute_api:os-volumes-attachments:swap "
        "to be performed.")
    assert api("PUT", _path(server, VOL), body, admin=True).status_int == 202
    [row] = api("GET", _path(server)).json["volumeAttachments"]
    assert (row["volumeId"], row["device"]) == (VOL2, "/dev/vdb")


def test_owner_updates_delete_on_termination_from_285(api, server):
    _attach(api, server)
    body = {"volumeAttachment": {"volumeId": VOL,
                                 "delete_on_termination": True}}
    assert api("PUT", _path(server, VOL), body,
               version="2.84").status_int == 400
    assert api("PUT", _path(server, VOL), body,
               version="2.85").status_int == 202
    shown = api("GET", _path(server, VOL), version="2.85").json
    assert shown["volumeAttachment"]["delete_on_termination"] is True
    body["volumeAttachment"]["device"] = "/dev/vdc"
    res = api("PUT", _path(server, VOL), body, version="2.85")
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == (
        "The device property is not mutable")


def test_refused_while_building(api, building_server):
    res = _attach(api, building_server)
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "Cannot 'attach_volume' instance %s while it is in vm_state "
        "building" % building_server)


def test_locked_server_refuses_the_owner(api, server):
    api("POST", "/servers/%s/action" % server, {"lock": None})
    res = _attach(api, server)
    assert res.status_int == 409
    assert res.json["conflictingRequest"]["message"] == (
        "Instance %s is locked" % server)


def test_bad_requests(api, server):
    assert _attach(api, server, volumeId="nope").status_int == 400
    assert _attach(api, server, device="sdb").status_int == 400
    assert _attach(api, server, version="2.48", tag="t").status_int == 400
    assert _attach(api, server, version="2.78",
                   delete_on_termination=True).status_int == 400
    assert api("GET", _path(uuid.uuid4().hex)).status_int == 404


def test_paging_and_strict_queries(api, server):
    _attach(api, server)
    _attach(api, server, volumeId=VOL2)
    listed = api("GET", _path(server) + "?limit=1&offset=1").json[
        "volumeAttachments"]
    assert [row["volumeId"] for row in listed] == [VOL2]
    assert api("GET", _path(server) + "?bogus=1",
               version="2.74").status_int == 200
    assert api("GET", _path(server) + "?bogus=1",
               version="2.75").status_int == 400
    assert api("GET", _path(server, VOL) + "?bogus=1",
               version="2.101").status_int == 200
    assert api("GET", _path(server, VOL) + "?bogus=1",
               version="2.102").status_int == 400


def test_boot_from_volume_stores_the_mappings(api):
    res = api("POST", "/servers", {"server": {
        "name": "bfv", "flavorRef": "1", "imageRef": "",
        "block_device_mapping_v2": [
            {"source_type": "volume", "destination_type": "volume",
             "uuid": VOL, "boot_index": 0, "delete_on_termination": True},
            {"source_type": "volume", "uuid": VOL2, "boot_index": -1},
            {"source_type": "blank", "destination_type": "local",
             "boot_index": -1, "volume_size": 1}]}})
    assert res.status_int == 202, res.text
    server = res.json["server"]["id"]
    listed = api("GET", _path(server), version="2.79").json[
        "volumeAttachments"]
    assert [(r["volumeId"], r["device"], r["delete_on_termination"])
            for r in listed] == [(VOL, "/dev/vda", True),
                                 (VOL2, "/dev/vdb", False)]
    res = api("DELETE", _path(server, VOL))
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == (
        "Cannot detach a root device volume")
    assert api("DELETE", _path(server, VOL2)).status_int == 202


@pytest.mark.parametrize("mapping", [
    {"source_type": "volume", "uuid": "not-a-uuid"},
    {"source_type": "volume", "uuid": VOL, "boot_index": 2 ** 40},
    {"source_type": "volume", "uuid": VOL, "boot_index": "first"},
    {"source_type": "volume", "uuid": VOL,
     "device_name": "/dev/vd" + "a" * 300},
])
def test_bad_mappings_are_400(api, mapping):
    res = api("POST", "/servers", {"server": {
        "name": "bfv", "flavorRef": "1", "imageRef": "",
        "block_device_mapping_v2": [mapping]}})
    assert res.status_int == 400, res.text

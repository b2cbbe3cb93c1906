"""/servers through a real minova: create, the lifecycle, views per microversion, listing, update, delete."""

import pytest

from tests.functional.compute import IMAGE, PUBLIC_KEY, fault

ADMIN = "admin:admin"


def test_create_answers_202_with_location_and_password(compute):
    client = compute()
    response = client.post("/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE}})
    assert response.status_code == 202
    server = response.json()["server"]
    assert set(server) == {"id", "links", "OS-DCF:diskConfig",
                           "security_groups", "adminPass"}
    assert server["security_groups"] == [{"name": "default"}]
    assert response.headers["Location"] == (
        compute.base + "/v2.1/servers/" + server["id"])
    assert server["links"][1]["href"] == (
        compute.base + "/servers/" + server["id"])
    given = client.ok("POST", "/servers", {"server": {
        "name": "vm2", "flavorRef": "1", "imageRef": IMAGE,
        "adminPass": "s3cret"}})
    assert given["server"]["adminPass"] == "s3cret"


def test_no_password_when_disabled(start_compute):
    client = start_compute(api={"enable_instance_password": False})()
    server = client.ok("POST", "/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE}})["server"]
    assert "adminPass" not in server


def test_a_new_server_builds_with_no_address(start_compute):
    # A build of a minute, so that it is still building when it is read
    # (see test_while_building_actions_are_409).
    client = start_compute(minova={"build_time": "60"})(ADMIN)
    server_id = client.boot(wait=False)
    building = client.ok("GET", "/servers/" + server_id)["server"]
    assert (building["status"], building["OS-EXT-STS:vm_state"],
            building["OS-EXT-STS:task_state"],
            building["OS-EXT-STS:power_state"]) == (
        "BUILD", "building", "scheduling", 0)
    assert building["addresses"] == {}


def test_lifecycle_build_active_stop_start_reboot_delete(compute):
    client = compute(ADMIN)
    server_id = client.boot(wait=False)
    active = client.wait(server_id, "ACTIVE")
    assert (active["OS-EXT-STS:vm_state"], active["OS-EXT-STS:task_state"],
            active["OS-EXT-STS:power_state"]) == ("active", None, 1)
    (address,) = active["addresses"]["private"]
    assert address["version"] == 4 and address["OS-EXT-IPS:type"] == "fixed"
    assert active["OS-SRV-USG:launched_at"]
    assert client.action(server_id, {"os-stop": None}).status_code == 202
    stopping = client.ok("GET", "/servers/" + server_id)["server"]
    assert stopping["OS-EXT-STS:task_state"] == "powering-off"
    stopped = client.wait(server_id, "SHUTOFF")
    assert (stopped["OS-EXT-STS:vm_state"],
            stopped["OS-EXT-STS:power_state"]) == ("stopped", 4)
    assert client.action(server_id, {"os-start": None}).status_code == 202
    client.wait(server_id, "ACTIVE")
    assert client.action(server_id, {"reboot": {"type": "SOFT"}}
                         ).status_code == 202
    assert client.ok("GET", "/servers/" + server_id)["server"][
        "status"] == "REBOOT"
    client.wait(server_id, "ACTIVE")
    assert client.delete("/servers/" + server_id).status_code == 204
    fault(client.get("/servers/" + server_id), 404)


@pytest.mark.parametrize("body, start, during, end, code", [
    ({"reboot": {"type": "HARD"}}, "ACTIVE", "HARD_REBOOT", "ACTIVE", 202),
    ({"pause": None}, "ACTIVE", None, "PAUSED", 202),
    ({"unpause": None}, "PAUSED", None, "ACTIVE", 202),
    ({"suspend": None}, "ACTIVE", None, "SUSPENDED", 202),
    ({"resume": None}, "SUSPENDED", None, "ACTIVE", 202),
    ({"changePassword": {"adminPass": "pw"}}, "ACTIVE", "PASSWORD", "ACTIVE",
     202),
    ({"resize": {"flavorRef": "2"}}, "ACTIVE", "RESIZE", "VERIFY_RESIZE",
     202),
    ({"confirmResize": None}, "VERIFY_RESIZE", None, "ACTIVE", 204),
    ({"revertResize": None}, "VERIFY_RESIZE", "REVERT_RESIZE", "ACTIVE",
     202),
    ({"rescue": None}, "ACTIVE", None, "RESCUE", 200),
    ({"unrescue": None}, "RESCUE", None, "ACTIVE", 202),
    ({"rebuild": {"imageRef": IMAGE}}, "ACTIVE", "REBUILD", "ACTIVE", 202),
])
def test_actions(compute, body, start, during, end, code):
    client = compute()
    server_id = client.boot()
    setup = {"PAUSED": {"pause": None}, "SUSPENDED": {"suspend": None},
             "VERIFY_RESIZE": {"resize": {"flavorRef": "2"}},
             "RESCUE": {"rescue": None}}.get(start)
    if setup:
        client.action(server_id, setup)
        client.wait(server_id, start)
    response = client.action(server_id, body)
    assert response.status_code == code, response.text
    if during:
        assert client.ok("GET", "/servers/" + server_id)["server"][
            "status"] == during
    client.wait(server_id, end)


@pytest.mark.parametrize("body, state", [
    ({"os-start": None}, "active"),
    ({"unpause": None}, "active"),
    ({"resume": None}, "active"),
    ({"unrescue": None}, "active"),
    ({"confirmResize": None}, "active"),
    ({"revertResize": None}, "active"),
])
def test_an_action_in_the_wrong_state_is_409(compute, body, state):
    client = compute()
    server_id = client.boot()
    message = fault(client.action(server_id, body), 409)
    assert message.startswith("Cannot '")
    assert message.endswith("while it is in vm_state %s" % state)


def test_while_building_actions_are_409(start_compute):
    # A build of a minute: the server is still building when the second
    # action comes, however slow the machine (at the tests' 0.2 s it was
    # not, once, under load).
    client = start_compute(minova={"build_time": "60"})()
    server_id = client.boot(wait=False)
    assert fault(client.action(server_id, {"os-stop": None}), 409) == (
        "Cannot 'stop' instance %s while it is in vm_state building"
        % server_id)
    fault(client.action(server_id, {"os-getConsoleOutput": {}}), 409)


def test_lock_unlock_and_reason(compute):
    client = compute(version="2.73")
    server_id = client.boot()
    assert client.action(server_id, {"lock": {"locked_reason": "mine"}}
                         ).status_code == 202
    server = client.ok("GET", "/servers/" + server_id)["server"]
    assert (server["locked"], server["locked_reason"]) == (True, "mine")
    assert fault(client.action(server_id, {"os-stop": None}), 409) == (
        "Instance %s is locked" % server_id)
    fault(client.delete("/servers/" + server_id), 409)
    fault(compute(version="2.72").action(
        server_id, {"lock": {"locked_reason": "x"}}), 400)
    assert client.action(server_id, {"unlock": None}).status_code == 202
    assert client.ok("GET", "/servers/" + server_id)["server"][
        "locked"] is False
    admin = compute(ADMIN)
    admin.action(server_id, {"lock": None})
    fault(client.action(server_id, {"unlock": None}), 403)


def test_create_image_by_version(compute):
    client = compute()
    server_id = client.boot()
    response = client.action(server_id, {"createImage": {"name": "snap"}})
    assert response.status_code == 202 and response.content == b""
    assert response.headers["Location"].startswith(compute.base + "/images/")
    client.wait_task_done(server_id)
    body = compute(version="2.45").action(
        server_id, {"createImage": {"name": "snap"}}).json()
    assert len(body["image_id"]) == 36


def test_rescue_console_and_crash_dump(compute):
    client = compute(version="2.17")
    server_id = client.boot()
    output = client.ok("POST", "/servers/%s/action" % server_id,
                       {"os-getConsoleOutput": {"length": 1}})["output"]
    assert output == "vm login: \n"
    assert client.action(server_id, {"trigger_crash_dump": None}
                         ).status_code == 202
    # an action not in the request's version is not there at all
    fault(compute(version="2.16").action(
        server_id, {"trigger_crash_dump": None}), 404)
    rescued = client.ok("POST", "/servers/%s/action" % server_id,
                        {"rescue": {"adminPass": "pw"}})
    assert rescued == {"adminPass": "pw"}


def test_unknown_action_and_bad_bodies(compute):
    client = compute()
    server_id = client.boot()
    assert fault(client.action(server_id, {"bogus": None}), 400) == (
        "There is no such action: bogus")
    fault(client.action(server_id, {"reboot": {"type": "SIDEWAYS"}}), 400)
    fault(client.action(server_id, {"resize": {"flavorRef": "nope"}}), 400)
    fault(client.action("00000000-0000-0000-0000-000000000000",
                        {"os-stop": None}), 404)


@pytest.mark.parametrize("server, text", [
    ({"flavorRef": "1", "imageRef": IMAGE}, "'name' is a required property"),
    ({"name": "x" * 256, "flavorRef": "1", "imageRef": IMAGE},
     "is too long"),
    ({"name": "vm", "flavorRef": "1", "imageRef": "not-a-uuid"},
     "Invalid input for field/attribute imageRef"),
    ({"name": "vm", "flavorRef": "1", "imageRef": IMAGE, "bogus": 1},
     "Additional properties are not allowed ('bogus' was unexpected)"),
    ({"name": "vm", "flavorRef": "9", "imageRef": IMAGE},
     "Flavor 9 could not be found."),
    ({"name": "vm", "flavorRef": "1", "imageRef": IMAGE, "key_name": "k"},
     "Invalid key_name provided."),
    ({"name": "vm", "flavorRef": "1"}, "Invalid imageRef provided."),
    ({"name": "vm", "flavorRef": "1", "imageRef": IMAGE,
      "user_data": "not base64!"}, "user_data"),
    ({"name": "vm", "flavorRef": "1", "imageRef": IMAGE,
      "availability_zone": "elsewhere"},
     "The requested availability zone is not available"),
])
def test_create_validation_writes_nothing(compute, server, text):
    client = compute()
    assert text in fault(client.post("/servers", {"server": server}), 400)
    assert client.ok("GET", "/servers") == {"servers": []}


def test_malformed_json_and_media_type(compute):
    client = compute()
    response = client.post("/servers", data=b"{nope",
                           headers={"Content-Type": "application/json"})
    assert fault(response, 400) == "Malformed request body"
    response = client.post("/servers", data=b"<xml/>",
                           headers={"Content-Type": "application/xml"})
    assert fault(response, 415) == "Unsupported Content-Type"


def test_networks_required_from_237(compute):
    body = {"server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE}}
    assert "'networks' is a required property" in fault(
        compute(version="2.37").post("/servers", body), 400)
    body["server"]["networks"] = "none"
    client = compute(version="2.37")
    server_id = client.ok("POST", "/servers", body)["server"]["id"]
    assert client.wait(server_id, "ACTIVE")["addresses"] == {}
    body["server"]["networks"] = [{"uuid": "nope"}]
    fault(client.post("/servers", body), 400)


def test_fixed_ips_unique_requested_and_released(compute):
    client = compute()
    first = client.boot("a")
    second = client.boot("b", networks=[{"fixed_ip": "10.0.0.50"}])
    addr = lambda sid: client.ok("GET", "/servers/" + sid)["server"][  # noqa
        "addresses"]["private"][0]["addr"]
    assert addr(first) == "10.0.0.2" and addr(second) == "10.0.0.50"
    assert "already in use" in fault(client.post("/servers", {"server": {
        "name": "c", "flavorRef": "1", "imageRef": IMAGE,
        "networks": [{"fixed_ip": "10.0.0.50"}]}}), 400)
    client.delete("/servers/" + second)
    third = client.boot("c", networks=[{"fixed_ip": "10.0.0.50"}])
    assert addr(third) == "10.0.0.50"


def test_quota_on_create(start_compute):
    client = start_compute(quota={"instances": 1, "metadata_items": 1})()
    client.boot(wait=False)
    assert fault(client.post("/servers", {"server": {
        "name": "two", "flavorRef": "1", "imageRef": IMAGE}}), 403) == (
        "Quota exceeded for instances: Requested 1, but already used 1 of "
        "1 instances")
    assert fault(client.post("/servers", {"server": {
        "name": "two", "flavorRef": "1", "imageRef": IMAGE,
        "metadata": {"a": "1", "b": "2"}}}), 403) == (
        "Maximum number of metadata items exceeds 1")


def test_cores_and_ram_quota(start_compute):
    client = start_compute(quota={"cores": 2, "ram": 1024})()
    fault(client.post("/servers", {"server": {
        "name": "big", "flavorRef": "3", "imageRef": IMAGE}}), 403)
    client.boot(flavor="1", wait=False)
    assert "Quota exceeded for ram" in fault(client.post(
        "/servers", {"server": {"name": "b", "flavorRef": "2",
                                "imageRef": IMAGE}}), 403)


def test_one_create_is_bounded_without_quotas(start_compute):
    """With unlimited quotas a huge min_count is refused at once (it held
    the write lock for minutes); a huge max_count makes
    max_servers_per_request servers."""
    client = start_compute(
        quota={"instances": -1, "cores": -1, "ram": -1},
        minova={"max_servers_per_request": 3})()
    server = {"name": "many", "flavorRef": "1", "imageRef": IMAGE}
    assert fault(client.post("/servers", {"server": dict(
        server, min_count=10 ** 100, max_count=10 ** 100)}), 400) == (
        "min_count %d is more than the 3 servers one request may create"
        % 10 ** 100)
    assert "at most 4300 digits" in fault(client.post("/servers", {
        "server": dict(server, min_count="1" * 5000)}), 400)
    client.ok("POST", "/servers",
              {"server": dict(server, max_count=10 ** 100)})
    assert len(client.ok("GET", "/servers")["servers"]) == 3


@pytest.mark.parametrize("version, present, absent", [
    ("2.1", {"flavor": {"id", "links"}, "key_name": None},
     {"locked", "description", "tags", "OS-EXT-SRV-ATTR:hostname"}),
    ("2.9", {"locked": False}, {"description"}),
    ("2.19", {"description": "d"}, {"tags"}),
    ("2.26", {"tags": []}, {"trusted_image_certificates"}),
    ("2.47", {"flavor": {"vcpus", "ram", "disk", "ephemeral", "swap",
                         "original_name", "extra_specs"}},
     {"server_groups"}),
    ("2.71", {"server_groups": []}, {"locked_reason"}),
    ("2.90", {"OS-EXT-SRV-ATTR:hostname": "vm"},
     {"pinned_availability_zone"}),
    ("2.96", {"pinned_availability_zone": None}, {"scheduler_hints"}),
    ("2.100", {"scheduler_hints": {}, "image": {"id", "links",
                                               "properties"}}, set()),
])
def test_show_by_microversion(compute, version, present, absent):
    client = compute(version=version)
    server_id = compute(version="2.19").boot(description="d")
    server = client.ok("GET", "/servers/" + server_id)["server"]
    for key, value in present.items():
        if isinstance(value, set):
            assert set(server[key]) == value, key
        else:
            assert server[key] == value, key
    assert not absent & set(server)
    assert "OS-EXT-SRV-ATTR:host" not in server
    assert "host_status" not in server


def test_admin_sees_extended_attributes_and_host_status(compute):
    client = compute(ADMIN, version="2.16")
    server_id = client.boot(user_data="aGVsbG8=")
    server = client.ok("GET", "/servers/" + server_id)["server"]
    assert server["OS-EXT-SRV-ATTR:instance_name"].startswith("instance-")
    assert server["OS-EXT-SRV-ATTR:user_data"] == "aGVsbG8="
    assert server["OS-EXT-SRV-ATTR:reservation_id"].startswith("r-")
    assert server["host_status"] == "UP"
    assert server["hostId"] and len(server["hostId"]) == 56


def test_create_fields_of_later_versions(compute):
    client = compute(version="2.100")
    server_id = client.ok("POST", "/servers", {
        "server": {"name": "vm", "flavorRef": "1", "imageRef": IMAGE,
                   "networks": "auto", "tags": ["a", "b"],
                   "hostname": "web-1.example.org",
                   "availability_zone": "nova",
                   "trusted_image_certificates": ["cert1"]},
        "os:scheduler_hints": {"query": "x"}})["server"]["id"]
    server = client.wait(server_id, "ACTIVE")
    assert server["tags"] == ["a", "b"]
    assert server["OS-EXT-SRV-ATTR:hostname"] == "web-1.example.org"
    assert server["pinned_availability_zone"] == "nova"
    assert server["scheduler_hints"] == {"query": "x"}
    assert server["trusted_image_certificates"] == ["cert1"]
    fault(compute(version="2.93").post("/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "networks": "auto", "hostname": "a.b"}}), 400)
    fault(compute(version="2.51").post("/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "networks": "auto", "tags": ["a"]}}), 400)
    fault(compute(version="2.73").post("/servers", {"server": {
        "name": "vm", "flavorRef": "1", "imageRef": IMAGE,
        "networks": "auto", "host": "elsewhere"}}), 400)


def test_update_by_version(compute):
    client = compute(version="2.74")
    server_id = client.boot()
    short = client.ok("PUT", "/servers/" + server_id,
                      {"server": {"name": "renamed"}})["server"]
    assert short["name"] == "renamed" and "OS-EXT-STS:vm_state" not in short
    full = compute(version="2.75").ok(
        "PUT", "/servers/" + server_id,
        {"server": {"description": "new", "accessIPv4": "1.2.3.4"}})[
        "server"]
    assert full["OS-EXT-STS:vm_state"] == "active"
    assert (full["description"], full["accessIPv4"]) == ("new", "1.2.3.4")
    fault(compute(version="2.18").put(
        "/servers/" + server_id, {"server": {"description": "x"}}), 400)
    fault(client.put("/servers/" + server_id,
                     {"server": {"name": "x", "bogus": 1}}), 400)
    fault(client.put("/servers/00000000-0000-0000-0000-000000000000",
                     {"server": {"name": "x"}}), 404)


def test_2104_unpins_and_repins_the_availability_zone(compute):
    client = compute(version="2.104")
    server_id = client.boot()
    path = "/servers/" + server_id

    def pin(zone):
        return client.put(path, {"server": {"pinned_availability_zone":
                                            zone}})

    assert pin("nova").json()["server"]["pinned_availability_zone"] == "nova"
    assert pin("nova").status_code == 200  # the same value again
    assert fault(pin("other"), 409) == (
        "Cannot change pinned availability zone directly. Unpin first by "
        "setting pinned_availability_zone to null.")
    assert pin(None).json()["server"]["pinned_availability_zone"] is None
    assert fault(pin("elsewhere"), 409) == (
        "Server can only be pinned to its current availability zone 'nova', "
        "but 'elsewhere' was requested.")
    assert client.ok("GET", path)["server"]["pinned_availability_zone"] is (
        None)
    fault(compute(version="2.103").put(path, {"server": {
        "pinned_availability_zone": None}}), 400)
    # 2.102: a server's show refuses query parameters it does not know
    assert fault(client.get(path + "?bogus=1"), 400) == (
        "Additional properties are not allowed ('bogus' was unexpected)")
    assert compute(version="2.101").get(path + "?bogus=1").status_code == 200


def test_rebuild_by_version(compute):
    client = compute(version="2.57")
    client.ok("POST", "/os-keypairs", {"keypair": {
        "name": "k", "public_key": PUBLIC_KEY}})
    server_id = client.boot()
    body = client.ok("POST", "/servers/%s/action" % server_id, {"rebuild": {
        "imageRef": IMAGE, "name": "rebuilt", "key_name": "k",
        "user_data": "aGk=", "metadata": {"m": "1"}}}, 202)["server"]
    assert (body["name"], body["metadata"]) == ("rebuilt", {"m": "1"})
    assert body["adminPass"] and "key_name" not in body
    client.wait(server_id, "ACTIVE")
    assert client.ok("GET", "/servers/" + server_id)["server"][
        "key_name"] == "k"
    fault(compute(version="2.53").action(server_id, {"rebuild": {
        "imageRef": IMAGE, "key_name": "k"}}), 400)


def test_other_projects_never_see_my_servers(compute):
    mine = compute("alice:p1")
    server_id = mine.boot(wait=False)
    other = compute("bob:p2")
    assert other.ok("GET", "/servers") == {"servers": []}
    fault(other.get("/servers/" + server_id), 404)
    fault(other.delete("/servers/" + server_id), 404)
    fault(other.action(server_id, {"os-stop": None}), 404)
    fault(other.get("/servers?all_tenants=1"), 403)
    admin = compute(ADMIN)
    assert [s["id"] for s in admin.ok(
        "GET", "/servers?all_tenants=1")["servers"]] == [server_id]
    assert admin.ok("GET", "/servers?project_id=p2") == {"servers": []}

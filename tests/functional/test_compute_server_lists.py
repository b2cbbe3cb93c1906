"""GET /servers and /servers/detail, and /servers/{id}/metadata, through a real minova."""

import pytest

from tests.functional.compute import fault


@pytest.fixture
def three(compute):
    """A client with three ACTIVE servers a, b, c (c newest)."""
    client = compute(version="2.83")
    ids = [client.boot(name, wait=False) for name in ("a", "b", "c")]
    for server_id in ids:
        client.wait(server_id, "ACTIVE")
    client.ids = ids
    return client


def _names(body):
    return [server["name"] for server in body["servers"]]


def test_list_and_detail_default_to_newest_first(three):
    body = three.ok("GET", "/servers")
    assert _names(body) == ["c", "b", "a"]
    assert set(body["servers"][0]) == {"id", "name", "links"}
    detail = three.ok("GET", "/servers/detail")
    assert _names(detail) == ["c", "b", "a"]
    assert detail["servers"][0]["status"] == "ACTIVE"


def test_paging_and_links(three, compute):
    page = three.ok("GET", "/servers/detail?limit=2")
    assert _names(page) == ["c", "b"]
    assert page["servers_links"] == [{
        "rel": "next", "href": compute.base + "/v2.1/servers/detail?"
        "limit=2&marker=" + three.ids[1]}]
    rest = three.ok("GET", "/servers?limit=2&marker=" + three.ids[1])
    assert _names(rest) == ["a"] and "servers_links" not in rest
    assert fault(three.get("/servers?marker=nope"), 400) == (
        "marker [nope] not found")


def test_max_limit(start_compute):
    client = start_compute(api={"max_limit": 1})()
    client.boot("a", wait=False)
    client.boot("b", wait=False)
    body = client.ok("GET", "/servers")
    assert len(body["servers"]) == 1 and body["servers_links"]


def test_sorting(three):
    assert _names(three.ok("GET", "/servers?sort_key=display_name"
                           "&sort_dir=asc")) == ["a", "b", "c"]
    assert _names(three.ok("GET", "/servers?sort_dir=asc")) == [
        "a", "b", "c"]
    fault(three.get("/servers?sort_key=bogus"), 400)


def test_filters(three):
    assert _names(three.ok("GET", "/servers?name=^b")) == ["b"]
    assert _names(three.ok("GET", "/servers?status=ACTIVE")) == [
        "c", "b", "a"]
    assert _names(three.ok("GET", "/servers?ip=10.0.0.3")) == ["b"]
    assert _names(three.ok("GET", "/servers?flavor=2")) == []
    assert _names(three.ok("GET", "/servers?vm_state=active")) == [
        "c", "b", "a"]
    assert _names(three.ok("GET", "/servers?changes-since=2000-01-01T00:00:00Z"
                           )) == ["c", "b", "a"]
    fault(three.get("/servers?changes-since=yesterday"), 400)


def test_filters_by_version(three, compute):
    # before 2.83 a non-admin's vm_state filter is dropped, not applied
    old = compute(version="2.82")
    assert _names(old.ok("GET", "/servers?vm_state=stopped")) == [
        "c", "b", "a"]
    assert _names(three.ok("GET", "/servers?vm_state=stopped")) == []
    # an unknown status: empty before 2.38, 400 from it
    assert compute(version="2.37").ok("GET", "/servers?status=NOPE") == {
        "servers": []}
    assert fault(compute(version="2.38").get("/servers?status=NOPE"),
                 400) == "Invalid status value"
    # unknown parameters: dropped before 2.75, 400 from it
    assert len(compute(version="2.74").ok(
        "GET", "/servers?bogus=1")["servers"]) == 3
    fault(compute(version="2.75").get("/servers?bogus=1"), 400)


def test_deleted_servers_show_with_changes_since(three):
    three.delete("/servers/" + three.ids[0])
    assert _names(three.ok("GET", "/servers")) == ["c", "b"]
    body = three.ok("GET", "/servers/detail?changes-since="
                    "2000-01-01T00:00:00Z")
    statuses = {s["name"]: s["status"] for s in body["servers"]}
    assert statuses == {"a": "DELETED", "b": "ACTIVE", "c": "ACTIVE"}


def test_tag_filters(compute):
    client = compute(version="2.52")
    client.boot("red", tags=["red", "x"], wait=False)
    client.boot("blue", tags=["blue", "x"], wait=False)
    assert _names(client.ok("GET", "/servers?tags=red,x")) == ["red"]
    assert _names(client.ok("GET", "/servers?tags-any=red,blue")) == [
        "blue", "red"]
    assert _names(client.ok("GET", "/servers?not-tags-any=red")) == ["blue"]
    assert _names(client.ok("GET", "/servers?not-tags=red,x")) == ["blue"]


def test_metadata_calls(compute):
    client = compute()
    server_id = client.boot(metadata={"a": "1"})
    base = "/servers/%s/metadata" % server_id
    assert client.ok("GET", base) == {"metadata": {"a": "1"}}
    assert client.ok("POST", base, {"metadata": {"b": "2"}}, 200) == {
        "metadata": {"a": "1", "b": "2"}}
    assert client.ok("PUT", base, {"metadata": {"c": "3"}}, 200) == {
        "metadata": {"c": "3"}}
    assert client.ok("GET", base + "/c") == {"meta": {"c": "3"}}
    assert client.ok("PUT", base + "/d", {"meta": {"d": "4"}}, 200) == {
        "meta": {"d": "4"}}
    assert fault(client.put(base + "/d", {"meta": {"e": "5"}}), 400) == (
        "Request body and URI mismatch")
    fault(client.put(base + "/d", {"meta": {"d": "4", "e": "5"}}), 400)
    assert client.delete(base + "/d").status_code == 204
    assert fault(client.get(base + "/d"), 404) == (
        "Metadata item was not found")
    fault(client.delete(base + "/d"), 404)
    assert client.ok("GET", "/servers/" + server_id)["server"][
        "metadata"] == {"c": "3"}


def test_metadata_is_409_while_the_server_builds(start_compute):
    # A build of a minute: the server is still building when the metadata
    # comes, however slow the machine (at the tests' STEP it was ACTIVE
    # first now and then, with other tests' processes busy beside it).
    client = start_compute(minova={"build_time": "60"})()
    server_id = client.boot(wait=False)
    assert "while it is in vm_state building" in fault(client.post(
        "/servers/%s/metadata" % server_id, {"metadata": {"a": "1"}}), 409)


def test_metadata_limits(start_compute):
    client = start_compute(quota={"metadata_items": 2})()
    server_id = client.boot()
    base = "/servers/%s/metadata" % server_id
    assert fault(client.post(base, {"metadata": {
        "a": "1", "b": "2", "c": "3"}}), 403) == (
        "Maximum number of metadata items exceeds 2")
    fault(client.post(base, {"metadata": {"a": "x" * 256}}), 400)
    fault(client.get("/servers/00000000-0000-0000-0000-000000000000"
                     "/metadata"), 404)

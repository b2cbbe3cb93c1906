"""/flavors and os-extra_specs through a real minova: views per microversion, filters, paging, admin calls."""

import pytest

from tests.functional.compute import fault

ADMIN = "admin:admin"


def _ids(body):
    return [flavor["id"] for flavor in body["flavors"]]


def test_default_flavors_exist_after_first_start(compute):
    body = compute().ok("GET", "/flavors")
    assert _ids(body) == ["1", "2", "3", "4", "5"]
    first = body["flavors"][0]
    assert set(first) == {"id", "name", "links"}
    assert first["links"] == [
        {"rel": "self", "href": compute.base + "/v2.1/flavors/1"},
        {"rel": "bookmark", "href": compute.base + "/flavors/1"}]
    assert "flavors_links" not in body


@pytest.mark.parametrize("version, extra, missing", [
    ("2.1", {"swap": "", "OS-FLV-DISABLED:disabled": False,
             "rxtx_factor": 1.0}, {"description", "extra_specs"}),
    ("2.55", {"description": None, "swap": ""}, {"extra_specs"}),
    ("2.61", {"extra_specs": {}, "swap": ""}, set()),
    ("2.75", {"swap": 0, "extra_specs": {}, "description": None}, set()),
])
def test_detail_by_microversion(compute, version, extra, missing):
    flavor = compute(version=version).ok("GET", "/flavors/detail")[
        "flavors"][0]
    expected = {"id": "1", "name": "m1.tiny", "ram": 512, "disk": 1,
                "vcpus": 1, "OS-FLV-EXT-DATA:ephemeral": 0,
                "os-flavor-access:is_public": True}
    expected.update(extra)
    assert {k: flavor[k] for k in expected} == expected
    assert not missing & set(flavor)


def test_show_and_404(compute):
    client = compute()
    assert client.ok("GET", "/flavors/2")["flavor"]["name"] == "m1.small"
    assert fault(client.get("/flavors/nope"), 404) == (
        "Flavor nope could not be found.")


def test_filters_sort_and_paging(compute):
    client = compute()
    assert _ids(client.ok("GET", "/flavors?minRam=4096")) == ["3", "4", "5"]
    assert _ids(client.ok("GET", "/flavors?minDisk=80")) == ["4", "5"]
    assert _ids(client.ok("GET", "/flavors?sort_key=memory_mb&sort_dir=desc"
                          )) == ["5", "4", "3", "2", "1"]
    page = client.ok("GET", "/flavors/detail?limit=2&minRam=1")
    assert _ids(page) == ["1", "2"]
    assert page["flavors_links"] == [{
        "rel": "next", "href": compute.base +
        "/v2.1/flavors/detail?limit=2&marker=2&minRam=1"}]
    page = client.ok("GET", "/flavors?limit=2&marker=4")
    assert _ids(page) == ["5"] and "flavors_links" not in page
    assert fault(client.get("/flavors?marker=zz"), 400) == (
        "marker [zz] not found")
    assert "Invalid minRam filter" in fault(
        client.get("/flavors?minRam=x"), 400)
    fault(client.get("/flavors?sort_key=bogus"), 400)


def test_max_limit_caps_pages(start_compute):
    client = start_compute(api={"max_limit": 3})()
    body = client.ok("GET", "/flavors?limit=10")
    assert _ids(body) == ["1", "2", "3"]
    assert "marker=3" in body["flavors_links"][0]["href"]


def test_unknown_query_parameters_are_400_from_275(compute):
    assert compute(version="2.74").get("/flavors?bogus=1").status_code == 200
    assert fault(compute(version="2.75").get("/flavors?bogus=1"), 400) == (
        "Additional properties are not allowed ('bogus' was unexpected)")


def test_2102_filters_by_name_and_refuses_what_it_retired(compute):
    client = compute(version="2.102")
    assert _ids(client.ok("GET", "/flavors/detail?name=large$")) == [
        "4", "5"]
    assert _ids(client.ok("GET", "/flavors?name=^m1.(tiny|small)")) == [
        "1", "2"]
    # before 2.102 the name is not a filter (2.75-2.101 refuse it)
    assert _ids(compute(version="2.74").ok(
        "GET", "/flavors?name=large$")) == ["1", "2", "3", "4", "5"]
    assert fault(compute(version="2.101").get("/flavors?name=x"), 400) == (
        "Additional properties are not allowed ('name' was unexpected)")
    assert "sort_key" in fault(client.get("/flavors?sort_key=rxtx_factor"),
                               400)
    assert fault(client.get("/flavors/1?bogus=1"), 400) == (
        "Additional properties are not allowed ('bogus' was unexpected)")
    assert compute(version="2.101").get("/flavors/1?bogus=1").status_code == (
        200)
    admin = compute(ADMIN, version="2.102")
    assert "rxtx_factor" in fault(admin.post("/flavors", {"flavor": {
        "name": "r", "ram": 1, "vcpus": 1, "disk": 1, "rxtx_factor": 2}}),
        400)


def test_admin_create_update_delete(compute):
    admin = compute(ADMIN, version="2.55")
    created = admin.ok("POST", "/flavors", {"flavor": {
        "name": "m1.custom", "ram": "1024", "vcpus": 2, "disk": 10,
        "id": "custom", "swap": 512, "description": "mine"}}, 200)["flavor"]
    assert (created["id"], created["ram"], created["swap"],
            created["description"]) == ("custom", 1024, 512, "mine")
    assert fault(admin.post("/flavors", {"flavor": {
        "name": "m1.custom", "ram": 1, "vcpus": 1, "disk": 1}}), 409) == (
        "Flavor with name m1.custom already exists.")
    updated = admin.ok("PUT", "/flavors/custom",
                       {"flavor": {"description": "changed"}})["flavor"]
    assert updated["description"] == "changed"
    assert admin.delete("/flavors/custom").status_code == 202
    assert admin.get("/flavors/custom").status_code == 404


@pytest.mark.parametrize("version, extra, missing", [
    ("2.1", {"swap": "", "rxtx_factor": 1.0}, {"description", "extra_specs"}),
    ("2.55", {"description": "d", "swap": ""}, {"extra_specs"}),
    ("2.60", {"description": "d"}, {"extra_specs"}),
    ("2.61", {"description": "d", "extra_specs": {}}, set()),
    ("2.75", {"description": "d", "extra_specs": {}, "swap": 0}, set()),
    ("2.101", {"description": "d", "extra_specs": {}, "swap": 0,
               "rxtx_factor": 1.0, "OS-FLV-DISABLED:disabled": False}, set()),
    ("2.102", {"description": "d", "extra_specs": {}, "swap": 0},
     {"rxtx_factor", "OS-FLV-DISABLED:disabled"}),
])
def test_create_and_update_answer_at_every_microversion(
        compute, version, extra, missing):
    admin = compute(ADMIN, version=version)
    body = {"name": "v-" + version, "ram": 64, "vcpus": 1, "disk": 0,
            "id": "v-" + version}
    if "description" in extra:
        body["description"] = "d"
    created = admin.ok("POST", "/flavors", {"flavor": body})["flavor"]
    expected = {"id": "v-" + version, "name": "v-" + version, "ram": 64}
    expected.update(extra)
    assert {k: created[k] for k in expected} == expected
    assert not missing & set(created)
    if "description" in extra:  # PUT is 2.55 and later
        updated = admin.ok("PUT", "/flavors/v-" + version, {
            "flavor": {"description": "e"}})["flavor"]
        assert updated["description"] == "e"
        assert not missing & set(updated)
        assert ("extra_specs" in updated) == ("extra_specs" in extra)


def test_create_generates_an_id_and_private_flavors_stay_private(compute):
    admin = compute(ADMIN)
    created = admin.ok("POST", "/flavors", {"flavor": {
        "name": "private", "ram": 64, "vcpus": 1, "disk": 0,
        "os-flavor-access:is_public": False}})["flavor"]
    assert len(created["id"]) == 36
    assert created["id"] not in _ids(compute().ok("GET", "/flavors"))
    assert created["id"] in _ids(admin.ok("GET", "/flavors?is_public=none"))
    assert _ids(admin.ok("GET", "/flavors?is_public=false")) == [
        created["id"]]


def test_update_only_from_255(compute):
    admin = compute(ADMIN, version="2.54")
    assert admin.put("/flavors/1", {"flavor": {"description": "x"}}
                     ).status_code == 404


def test_non_admins_get_403(compute):
    client = compute(version="2.55")
    assert "os_compute_api:os-flavor-manage:create" in fault(client.post(
        "/flavors", {"flavor": {"name": "x", "ram": 1, "vcpus": 1,
                                "disk": 1}}), 403)
    fault(client.delete("/flavors/1"), 403)
    fault(client.put("/flavors/1", {"flavor": {"description": "x"}}), 403)
    fault(client.post("/flavors/1/os-extra_specs",
                      {"extra_specs": {"a": "b"}}), 403)


@pytest.mark.parametrize("body, text", [
    ({"flavor": {"name": "x", "ram": 0, "vcpus": 1, "disk": 1}},
     "Invalid input for field/attribute ram"),
    ({"flavor": {"name": " x", "ram": 1, "vcpus": 1, "disk": 1}},
     "An invalid 'name' value was provided"),
    ({"flavor": {"name": "x" * 256, "ram": 1, "vcpus": 1, "disk": 1}},
     "is too long"),
    ({"flavor": {"name": "x", "ram": 1, "vcpus": 1}},
     "'disk' is a required property"),
    ({"flavor": {"name": "x", "ram": 1, "vcpus": 1, "disk": 1, "bad": 1}},
     "Additional properties are not allowed ('bad' was unexpected)"),
])
def test_create_validation(compute, body, text):
    admin = compute(ADMIN)
    assert text in fault(admin.post("/flavors", body), 400)
    assert len(admin.ok("GET", "/flavors")["flavors"]) == 5


def test_extra_specs(compute):
    admin = compute(ADMIN, version="2.61")
    assert admin.ok("POST", "/flavors/1/os-extra_specs", {"extra_specs": {
        "hw:cpu_policy": "dedicated", "n": 2, "b": True}}) == {
        "extra_specs": {"hw:cpu_policy": "dedicated", "n": "2", "b": "True"}}
    user = compute(version="2.61")
    assert user.ok("GET", "/flavors/1/os-extra_specs")["extra_specs"][
        "n"] == "2"
    assert user.ok("GET", "/flavors/1/os-extra_specs/n") == {"n": "2"}
    assert user.ok("GET", "/flavors/1")["flavor"]["extra_specs"]["b"] == (
        "True")
    assert admin.ok("PUT", "/flavors/1/os-extra_specs/n", {"n": "3"}) == {
        "n": "3"}
    assert fault(admin.put("/flavors/1/os-extra_specs/n", {"m": "3"}),
                 400) == "Request body and URI mismatch"
    response = admin.delete("/flavors/1/os-extra_specs/n")
    assert (response.status_code, response.content) == (200, b"")
    assert fault(user.get("/flavors/1/os-extra_specs/n"), 404) == (
        "Flavor 1 has no extra specs with key n.")
    fault(user.get("/flavors/nope/os-extra_specs"), 404)


def test_extra_spec_validation_from_286(compute):
    body = {"extra_specs": {"hw:cpu_policy": "sometimes"}}
    assert compute(ADMIN, version="2.85").post(
        "/flavors/1/os-extra_specs", body).status_code == 200
    admin = compute(ADMIN, version="2.86")
    assert "hw:cpu_policy" in fault(
        admin.post("/flavors/1/os-extra_specs", body), 400)
    assert "does not appear to be a valid extra spec" in fault(admin.post(
        "/flavors/1/os-extra_specs", {"extra_specs": {"hw:nope": "1"}}), 400)
    assert admin.post("/flavors/1/os-extra_specs", {"extra_specs": {
        "custom:anything": "x", "resources:VCPU": "2",
        "trait:HW_CPU_X86_AVX": "required"}}).status_code == 200


def test_project_id_in_url_and_link_prefix(start_compute):
    client = start_compute(api={
        "compute_link_prefix": "https://cloud.example/compute"})(
        "demo:abc123")
    flavor = client.ok("GET", "/abc123/flavors/1")["flavor"]
    assert flavor["links"] == [
        {"rel": "self",
         "href": "https://cloud.example/compute/v2.1/abc123/flavors/1"},
        {"rel": "bookmark",
         "href": "https://cloud.example/compute/abc123/flavors/1"}]
    assert "doesn't match Context's project_id" in fault(
        client.get("/def456/flavors"), 400)

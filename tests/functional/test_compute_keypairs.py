"""/os-keypairs through a real minova: import, generation, views and status codes per microversion, scope."""

from tests.functional.compute import PUBLIC_KEY, PUBLIC_KEY_FINGERPRINT, fault


def _import(client, name="k1", **extra):
    return client.post("/os-keypairs", {"keypair": dict(
        name=name, public_key=PUBLIC_KEY, **extra)})


def test_import_before_22_is_200_without_type(compute):
    response = _import(compute())
    assert response.status_code == 200
    assert response.json() == {"keypair": {
        "name": "k1", "public_key": PUBLIC_KEY,
        "fingerprint": PUBLIC_KEY_FINGERPRINT, "user_id": "demo"}}


def test_import_from_22_is_201_with_type(compute):
    response = _import(compute(version="2.2"), type="ssh")
    assert response.status_code == 201
    assert response.json()["keypair"]["type"] == "ssh"


def test_generate_before_292(compute):
    keypair = compute(version="2.2").ok(
        "POST", "/os-keypairs", {"keypair": {"name": "gen"}}, 201)["keypair"]
    assert keypair["private_key"].startswith("-----BEGIN RSA PRIVATE KEY")
    assert keypair["public_key"].startswith("ssh-rsa ")
    assert keypair["public_key"].endswith(" Generated-by-Nova")
    assert len(keypair["fingerprint"].split(":")) == 16


def test_from_292_public_key_is_required_and_names_may_have_at_and_dot(
        compute):
    client = compute(version="2.92")
    assert "'public_key' is a required property" in fault(client.post(
        "/os-keypairs", {"keypair": {"name": "gen"}}), 400)
    assert _import(client, "me@example.com").status_code == 201
    assert _import(compute(version="2.91"), "me@example.com"
                   ).status_code == 400


def test_errors(compute):
    client = compute(version="2.2")
    _import(client)
    assert fault(_import(client), 409) == "Key pair 'k1' already exists."
    assert "Keypair data is invalid" in fault(client.post(
        "/os-keypairs", {"keypair": {"name": "bad", "public_key": "nope"}}),
        400)
    fault(client.post("/os-keypairs", {"keypair": {"name": "x" * 256}}), 400)
    assert fault(client.get("/os-keypairs/nope"), 404) == (
        "Keypair nope not found for user demo")
    assert fault(client.delete("/os-keypairs/nope"), 404)


def test_quota_is_403(start_compute):
    client = start_compute(quota={"key_pairs": 1})()
    _import(client)
    assert fault(_import(client, "k2"), 403) == (
        "Quota exceeded, too many key pairs.")


def test_list_show_delete_by_version(compute):
    old = compute()
    _import(old, "b")
    _import(old, "a")
    assert old.ok("GET", "/os-keypairs") == {"keypairs": [
        {"keypair": {"name": "a", "public_key": PUBLIC_KEY,
                     "fingerprint": PUBLIC_KEY_FINGERPRINT}},
        {"keypair": {"name": "b", "public_key": PUBLIC_KEY,
                     "fingerprint": PUBLIC_KEY_FINGERPRINT}}]}
    shown = compute(version="2.2").ok("GET", "/os-keypairs/a")["keypair"]
    assert {k: shown[k] for k in ("name", "user_id", "deleted",
                                  "deleted_at", "type")} == {
        "name": "a", "user_id": "demo", "deleted": False,
        "deleted_at": None, "type": "ssh"}
    assert isinstance(shown["id"], int) and shown["created_at"]
    assert old.delete("/os-keypairs/a").status_code == 202
    assert compute(version="2.2").delete("/os-keypairs/b").status_code == 204
    assert old.ok("GET", "/os-keypairs") == {"keypairs": []}


def test_paging_from_235(compute):
    client = compute(version="2.35")
    for name in ("k1", "k2", "k3"):
        _import(client, name)
    page = client.ok("GET", "/os-keypairs?limit=2")
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["k1", "k2"]
    assert page["keypairs_links"] == [{
        "rel": "next",
        "href": compute.base + "/v2.1/os-keypairs?limit=2&marker=k2"}]
    page = client.ok("GET", "/os-keypairs?limit=2&marker=k2")
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["k3"]
    assert fault(client.get("/os-keypairs?marker=zz"), 400) == (
        "marker [zz] not found")
    # before 2.35 limit is not a parameter: ignored
    assert len(compute(version="2.34").ok(
        "GET", "/os-keypairs?limit=1")["keypairs"]) == 3
    fault(compute(version="2.75").get("/os-keypairs?bogus=1"), 400)


def test_users_see_only_their_own_and_admins_pick_from_210(compute):
    _import(compute("alice:p1"), "shared-name")
    _import(compute("bob:p1"), "shared-name")
    assert compute("carol:p1").ok("GET", "/os-keypairs") == {"keypairs": []}
    fault(compute("carol:p1").get("/os-keypairs/shared-name"), 404)
    admin = compute("admin:admin", version="2.10")
    assert admin.ok("GET", "/os-keypairs/shared-name?user_id=alice")[
        "keypair"]["user_id"] == "alice"
    created = admin.ok("POST", "/os-keypairs", {"keypair": {
        "name": "for-carol", "public_key": PUBLIC_KEY,
        "user_id": "carol"}}, 201)["keypair"]
    assert created["user_id"] == "carol"
    assert [k["keypair"]["name"] for k in compute("carol:p1").ok(
        "GET", "/os-keypairs")["keypairs"]] == ["for-carol"]
    fault(compute("bob:p1", version="2.10").get(
        "/os-keypairs?user_id=alice"), 403)
    assert admin.delete("/os-keypairs/for-carol?user_id=carol"
                        ).status_code == 204

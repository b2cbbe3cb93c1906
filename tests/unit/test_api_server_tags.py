"""minova_tw.api.openstack.compute.server_tags through the compute router: nova's codes, bodies, limits and gate (2.26)."""

import pytest


IMAGE = "70a599e0-31e7-49b7-b260-868f441e862b"


@pytest.fixture
def call(api):
    """``api`` at 2.26 by default."""
    def request(*args, version="2.26", **kwargs):
        return api(*args, version=version, **kwargs)
    return request



def _message(res):
    return next(iter(res.json.values()))["message"]


def test_add_check_list_delete(call, server):
    base = "/servers/%s/tags" % server
    res = call("PUT", base + "/a")
    assert res.status_int == 201 and res.body == b""
    assert res.headers["Location"] == "http://localhost%s/a" % base
    res = call("PUT", base + "/a")
    assert res.status_int == 204 and "Location" not in res.headers
    assert call("GET", base + "/a").status_int == 204
    res = call("GET", base + "/b")
    assert res.status_int == 404
    assert _message(res) == "Server %s has no tag 'b'" % server
    assert call("GET", base).json == {"tags": ["a"]}
    assert call("GET", "/servers/" + server).json["server"]["tags"] == ["a"]
    assert call("DELETE", base + "/a").status_int == 204
    res = call("DELETE", base + "/a")
    assert res.status_int == 404
    assert _message(res) == "Instance %s has no tag 'a'" % server


def test_replace_and_delete_all(call, server):
    base = "/servers/%s/tags" % server
    res = call("PUT", base, {"tags": ["b", "a"]})
    assert res.status_int == 200 and res.json == {"tags": ["a", "b"]}
    assert call("DELETE", base).status_int == 204
    assert call("GET", base).json == {"tags": []}


def test_invalid_tags_and_the_limit(call, server):
    base = "/servers/%s/tags" % server
    res = call("PUT", base + "/a,b")
    assert res.status_int == 400
    assert _message(res).startswith(
        "Tag 'a,b' is invalid. It must be a non empty string without "
        "characters '/' and ','. Validation error message: ")
    assert call("PUT", base + "/" + "x" * 61).status_int == 400
    assert call("PUT", base + "/a", {"tag": "a"}).status_int == 400
    assert call("PUT", base, {"tags": ["t%d" % n for n in range(51)]}
                ).status_int == 400
    assert call("PUT", base, {"tags": ["a/b"]}).status_int == 400
    assert call("PUT", base, {"tags": ["t%d" % n for n in range(50)]}
                ).status_int == 200
    res = call("PUT", base + "/more")
    assert res.status_int == 400
    assert _message(res) == (
        "The number of tags exceeded the per-server limit 50")


def test_refused_while_rescued(call, server):
    base = "/servers/%s/tags" % server
    assert call("POST", "/servers/%s/action" % server,
                {"rescue": None}).status_int == 200
    res = call("PUT", base + "/a")
    assert res.status_int == 409
    assert _message(res) == (
        "Cannot 'update tag' instance %s while it is in vm_state rescued"
        % server)
    for method, path in (("PUT", base), ("DELETE", base),
                         ("DELETE", base + "/a")):
        body = {"tags": []} if method == "PUT" else None
        assert call(method, path, body).status_int == 409


def test_not_before_2_26_and_not_for_unknown_servers(call, server):
    assert call("GET", "/servers/%s/tags" % server,
                version="2.25").status_int == 404
    assert "tags" not in call("GET", "/servers/" + server,
                              version="2.25").json["server"]
    res = call("GET", "/servers/%s/tags" % IMAGE)
    assert res.status_int == 404
    assert _message(res) == "Instance %s could not be found." % IMAGE

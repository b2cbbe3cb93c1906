"""LegacyV2CompatibleWrapper: /v2 requests run as 2.1 and show no versions."""

import webob
import webob.dec

from minova_tw.api.openstack import LegacyV2CompatibleWrapper, wsgi


@webob.dec.wsgify
def inner(req):
    res = webob.Response(json_body={
        "legacy": req.environ.get(wsgi.LEGACY_V2_KEY),
        "std": req.headers.get("OpenStack-API-Version"),
        "old": req.headers.get("X-OpenStack-Nova-API-Version")})
    res.headers["OpenStack-API-Version"] = "compute 2.1"
    res.headers["X-OpenStack-Nova-API-Version"] = "2.1"
    res.headers.add("Vary", "OpenStack-API-Version")
    res.headers.add("Vary", "X-OpenStack-Nova-API-Version")
    res.headers.add("Vary", "Accept-Encoding")
    return res


def test_headers_stripped_both_ways():
    req = webob.Request.blank("/", headers={
        "OpenStack-API-Version": "compute 2.5",
        "X-OpenStack-Nova-API-Version": "2.5"})
    res = req.get_response(LegacyV2CompatibleWrapper(inner))
    assert res.json == {"legacy": True, "std": None, "old": None}
    assert "OpenStack-API-Version" not in res.headers
    assert "X-OpenStack-Nova-API-Version" not in res.headers
    assert res.headers.getall("Vary") == ["Accept-Encoding"]


def test_empty_vary_is_dropped():
    @webob.dec.wsgify
    def only_versions(req):
        res = webob.Response()
        res.headers["Vary"] = ("OpenStack-API-Version, "
                               "X-OpenStack-Nova-API-Version")
        return res
    res = webob.Request.blank("/").get_response(
        LegacyV2CompatibleWrapper(only_versions))
    assert "Vary" not in res.headers

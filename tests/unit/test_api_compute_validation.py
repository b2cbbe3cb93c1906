"""minova_tw.api.validation's query schemas and nova's formats, through a test controller."""

import webob

from minova_tw import context
from minova_tw.api import validation
from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.compute import APIRouterV21
from minova_tw.api.openstack.compute.schemas import parameter_types as pt

RELAXED = {"type": "object", "properties": {
    "limit": pt.multi_params(pt.non_negative_integer)},
    "additionalProperties": True}
STRICT = dict(RELAXED, additionalProperties=False)
NAMED = {"type": "object", "properties": {"name": pt.name,
                                          "when": {"type": "string",
                                                   "format": "date-time"},
                                          "data": {"type": "string",
                                                   "format": "base64"}}}


class Things(wsgi.Controller):

    @validation.query_schema(STRICT, "2.75")
    @validation.query_schema(RELAXED, "2.1", "2.74")
    def index(self, req):
        return {"params": sorted(req.GET)}

    @validation.schema(NAMED)
    def create(self, req, body):
        return body


def call(path, version="2.1", body=None):
    req = webob.Request.blank(path, headers={
        "OpenStack-API-Version": "compute %s" % version})
    if body is not None:
        req.method = "POST"
        req.json = body
    req.environ[context.ENVIRON_KEY] = context.RequestContext(
        user_id="u", project_id="p")
    router = APIRouterV21({}, route_list=(
        ("/things", {"GET": (Things, "index"), "POST": (Things, "create")}),))
    return req.get_response(router)


def test_relaxed_query_drops_unknown_parameters():
    assert call("/things?limit=1&bogus=2").json == {"params": ["limit"]}


def test_strict_query_refuses_them():
    res = call("/things?bogus=2", version="2.75")
    assert res.status_int == 400
    assert res.json["badRequest"]["message"] == (
        "Additional properties are not allowed ('bogus' was unexpected)")


def test_query_values_are_checked():
    res = call("/things?limit=x")
    assert res.status_int == 400
    assert res.json["badRequest"]["message"].startswith(
        "Invalid input for query parameters limit. Value: x.")


def test_formats():
    assert call("/things", body={"name": "ok", "when": "2024-01-01T00:00:00Z",
                                 "data": "aGk="}).status_int == 200
    for body, text in (({"name": " padded"}, "An invalid 'name' value"),
                       ({"when": "yesterday"}, "when"),
                       ({"data": "not base64!"}, "data")):
        res = call("/things", body=body)
        assert res.status_int == 400 and text in res.json["badRequest"][
            "message"]

"""minova_tw.api.validation: every schema checked, and regressions the fuzzer found (tests/functional/test_fuzz.py)."""

import jsonschema
import pytest
import webob

from minova_tw.api import validation
from minova_tw.api.openstack import wsgi


def test_an_unknown_query_parameter_given_twice_is_dropped_not_500():
    @validation.query_schema({"type": "object", "properties": {
        "limit": {"type": "array"}}})
    def index(self, req):
        return sorted(req.GET.items())

    req = wsgi.Request.blank("/?name=&name=x&limit=1&limit=2")
    req.set_api_version_request()
    assert index(None, req) == [("limit", "1"), ("limit", "2")]


def test_every_schema_of_the_api_is_a_json_schema():
    # Importing the route table imports every controller, and with them
    # every schema their decorators were given.
    import minova_tw.api.openstack.compute.routes  # noqa: F401
    assert validation._SCHEMAS
    validation.check_schemas()


def test_a_malformed_schema_is_caught_by_the_check(monkeypatch):
    monkeypatch.setattr(validation, "_SCHEMAS", [])
    validation.schema({"type": "object", "required": "name"})(
        lambda self, req, body: None)
    with pytest.raises(jsonschema.SchemaError):
        validation.check_schemas()

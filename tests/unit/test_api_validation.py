"""minova_tw.api.validation: every schema checked, and regressions the fuzzer found (tests/functional/test_fuzz.py)."""

import jsonschema
import pytest
import webob

from minova_tw.api import errors, validation
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


@pytest.mark.parametrize("bounds, version, applies", [
    (("2.3", "2.10"), "2.2", False),
    (("2.3", "2.10"), "2.3", True),
    (("2.3", "2.10"), "2.9", True),
    (("2.3", "2.10"), "2.10", True),
    (("2.3", "2.10"), "2.11", False),
    (("2.3", None), "2.104", True),
    ((None, "2.10"), "2.1", True),
    ((None, "2.10"), "2.100", False),
    (("2.3", "2.10"), None, True),
])
def test_a_schema_applies_within_its_versions_bounds_included(
        bounds, version, applies):
    """Versions compare as numbers (2.10 is after 2.9); a request with no
    version (the null one) is checked by every schema."""
    from minova_tw.api.openstack import api_version_request
    seen = []

    @validation.schema({"type": "object"}, *bounds)
    def create(self, req, body):
        seen.append(body)

    req = wsgi.Request.blank("/")
    req.api_version_request = api_version_request.APIVersionRequest(version)
    if applies:
        with pytest.raises(errors.ValidationError):
            create(None, req, body="not an object")
    else:
        create(None, req, body="not an object")
        assert seen == ["not an object"]

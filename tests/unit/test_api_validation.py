"""minova_tw.api.validation: regressions the fuzzer found (tests/functional/test_fuzz.py)."""

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

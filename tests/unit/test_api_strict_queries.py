"""Microversion 2.102 through the compute router: every GET refuses a query parameter it does not know.

nova made every API refuse unknown query parameters in 2.102, building on
2.75; this walks minova's whole route table, so a GET added without its
query schemas fails here. The version document (``/``) is outside
microversions, as in nova, and ignores its query string. The GETs nova
removed at a microversion before 2.102 (``GONE_BEFORE_2102``) are 404
there, with or without a query string.
"""

import re

import pytest
import webob

from minova_tw import context
from minova_tw import conf as minova_conf
from minova_tw.api.openstack.compute import (APIRouterV21, removed, routes,
                                             versions)
from tests.unit import compute_router

GETS = [path for path, methods in routes.ROUTE_LIST
        if "GET" in methods
        and not issubclass(methods["GET"][0], (removed.RemovedController,
                                               versions.VersionsController))]


#: Path -> the last microversion that serves its GET.
GONE_BEFORE_2102 = {
    "/os-hypervisors/statistics": "2.87",
    "/os-hypervisors/{id}/uptime": "2.87",
    "/os-hypervisors/{id}/search": "2.52",
    "/os-hypervisors/{id}/servers": "2.52",
}


@pytest.fixture(scope="module")
def router(tmp_path_factory):
    path = tmp_path_factory.mktemp("strict") / "api.conf"
    path.write_text("[DEFAULT]\nstate_path = %s\n" % path.parent)
    return APIRouterV21(minova_conf.load([str(path)]))


def _get(router, path, version):
    req = webob.Request.blank(re.sub(r"\{[^}]+\}", "0f0e", path) +
                              "?bogus=1", headers={
                                  "OpenStack-API-Version":
                                  "compute %s" % version})
    req.environ[context.ENVIRON_KEY] = compute_router.context_for(
        "admin", "admin", admin=True)
    return req.get_response(router)


@pytest.mark.parametrize("path", GETS)
def test_unknown_query_parameters_are_400_at_2102(router, path):
    res = _get(router, path, "2.102")
    if path in GONE_BEFORE_2102:
        assert res.status_int == 404, (res.status_int, res.text)
        # ... while the last version that serves it reaches the method
        # (this router's database has no tables: its error is no 404).
        res = _get(router, path, GONE_BEFORE_2102[path])
        assert res.status_int != 404, res.text
        return
    assert res.status_int == 400, (res.status_int, res.text)
    assert "'bogus' was unexpected" in res.json["badRequest"]["message"]

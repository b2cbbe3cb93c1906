"""The compute API's version documents: ``/``, ``/v2.1``, ``/v2`` and choices.

Clients discover the API here, unauthenticated. ``Versions`` (paste
``oscomputeversionapp``) answers ``/`` with the list of versions and any
other path that reaches it with 300 Multiple Choices; it ignores
microversion headers. ``VersionsV2`` (``oscomputeversionapp_v2``) answers
``/v2.1`` and ``/v2.1/`` with the v2.1 document and echoes the microversion;
behind ``legacy_v2_compatible`` (``/v2``) it shows v2.0 instead. Links are
made from the request URL under ``[api] compute_link_prefix``.
"""

import copy

from minova_tw import conf as minova_conf
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi

_DESCRIBED_BY = {"rel": "describedby", "type": "text/html",
                 "href": "http://docs.openstack.org/"}

VERSIONS = {
    "v2.0": {
        "id": "v2.0",
        "status": "SUPPORTED",
        "version": "",
        "min_version": "",
        "updated": "2011-01-21T11:33:21Z",
        "links": [_DESCRIBED_BY],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.compute+json;version=2",
        }],
    },
    "v2.1": {
        "id": "v2.1",
        "status": "CURRENT",
        "version": api_version.MAX_API_VERSION,
        "min_version": api_version.MIN_API_VERSION,
        "updated": "2013-07-23T11:33:21Z",
        "links": [_DESCRIBED_BY],
        "media-types": [{
            "base": "application/json",
            "type": "application/vnd.openstack.compute+json;version=2.1",
        }],
    },
}


def _version_href(base, version_id, path=""):
    """``<base>/v2.1/<path>`` (``/v2/`` for every other id)."""
    mount = "v2.1" if version_id.startswith("v2.1") else "v2"
    return common.url_join(base, mount, path)


def build_versions(base):
    return {"versions": [
        {"id": doc["id"], "status": doc["status"], "version": doc["version"],
         "min_version": doc["min_version"], "updated": doc["updated"],
         "links": [{"rel": "self", "href": _version_href(base, doc["id"])}]}
        for _, doc in sorted(VERSIONS.items())]}


def build_choices(base, path):
    return {"choices": [
        {"id": doc["id"], "status": doc["status"],
         "links": [{"rel": "self",
                    "href": _version_href(base, doc["id"], path)}],
         "media-types": doc["media-types"]}
        for _, doc in sorted(VERSIONS.items())]}


def build_version(base, version_id):
    doc = copy.deepcopy(VERSIONS[version_id])
    doc["links"].insert(0, {"rel": "self", "href": base.rstrip("/") + "/"})
    return {"version": doc}


class VersionsController(wsgi.Controller):
    """The version document of the API the request is under."""

    def show(self, req):
        version_id = "v2.0" if req.is_legacy_v2() else "v2.1"
        return build_version(common.compute_link_base(self.conf, req),
                             version_id)


class _RootController(wsgi.Controller):

    def index(self, req, body=None):
        return build_versions(common.compute_link_base(self.conf, req))

    @wsgi.response(300)
    def multi(self, req, body=None):
        return build_choices(common.compute_link_base(self.conf, req),
                             req.path_info)


class _VersionsResource(wsgi.Resource):
    """A version-document app: one controller, no routes."""

    controller_class = None

    def __init__(self, conf):
        super().__init__(self.controller_class(conf))

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste.app_factory."""
        return cls(minova_conf.from_paste(global_conf))


class Versions(_VersionsResource):
    """``/``: the versions list; any other path: 300 choices."""

    controller_class = _RootController
    support_api_request_version = False

    def routing_args(self, request):
        return {"action": "index" if request.path_info == "/" else "multi"}


class VersionsV2(_VersionsResource):
    """``/v2.1`` and ``/v2`` (with or without the slash): one document."""

    controller_class = VersionsController

    def routing_args(self, request):
        return {"action": "show"}

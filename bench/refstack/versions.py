"""A versions-like app for the reference stack: nova's GET / document, built per request.

It stands for "an OpenStack API app" without any of minova's code, so the
reference stack measures the hosts alone. Like nova's versions controller it
builds the document on every request, with links made from the request URL.
"""

import json

import webob
import webob.dec

_MEDIA = "application/vnd.openstack.compute+json;version=%s"


def _version(version_id, status, version, min_version, updated, url):
    return {
        "id": version_id,
        "status": status,
        "version": version,
        "min_version": min_version,
        "updated": updated,
        "links": [{"rel": "self", "href": "%s/%s/" % (url, version_id)}],
        "media-types": [{"base": "application/json",
                         "type": _MEDIA % version_id[1:]}],
    }


@webob.dec.wsgify
def versions(request):
    url = request.host_url
    document = {"versions": [
        _version("v2.0", "SUPPORTED", "", "", "2011-01-21T11:33:21Z", url),
        _version("v2.1", "CURRENT", "2.100", "2.1", "2013-07-23T11:33:21Z",
                 url),
    ]}
    return webob.Response(body=json.dumps(document).encode("utf-8"),
                          content_type="application/json", charset=None)


def app_factory(global_conf, **local_conf):
    """paste.app_factory."""
    return versions

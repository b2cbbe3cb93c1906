"""request_log: one INFO access line per request, when no host writes one.

Under gunicorn or uWSGI nothing else logs compute requests in OpenStack's
format, so this filter writes ``<addr> "<METHOD> <uri>" status: <code> len:
<bytes> microversion: <X.Y> time: <seconds>`` through stdlib logging.
minova's Twisted host writes its own (buffered) access log and marks the
environ with ``minova.access_logged``; then this filter only passes the
request on, so no line is written twice.
"""

import logging
import time

from minova_tw.api import wsgi as base_wsgi
from minova_tw.api.openstack import wsgi

LOG = logging.getLogger(__name__)

#: Set by a host that logs the request itself.
ACCESS_LOGGED_KEY = "minova.access_logged"


class RequestLog(base_wsgi.Middleware):
    """Log each request that the host does not log."""

    def __call__(self, environ, start_response):
        if environ.get(ACCESS_LOGGED_KEY):
            return self.application(environ, start_response)
        return self._logged(environ, start_response)

    def _logged(self, environ, start_response):
        req = wsgi.Request(environ)
        start = time.monotonic()
        response = req.get_response(self.application)
        version = req.api_version_request
        uri = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        if environ.get("QUERY_STRING"):
            uri += "?" + environ["QUERY_STRING"]
        LOG.info('%s "%s %s" status: %s len: %s microversion: %s '
                 'time: %.6f',
                 environ.get("REMOTE_ADDR", "-"), environ["REQUEST_METHOD"],
                 uri, response.status_int,
                 response.content_length if response.content_length
                 is not None else "-",
                 "-" if version.is_null() else version.get_string(),
                 time.monotonic() - start)
        return response(environ, start_response)

"""compute_req_id: give every compute request a fresh id and return it.

oslo.middleware's RequestId says what happens (a new ``req-<uuid>`` per
request in ``environ['openstack.request_id']``, an inbound well-formed
``X-Openstack-Request-Id`` kept only as the global request id, the id
returned as ``X-Openstack-Request-Id`` unless the app set one); nova also
returns it as ``x-compute-request-id``, which old clients read. This filter
is on every compute request, so it does that in plain WSGI, with
oslo.middleware's names and id format, instead of a webob round trip.
"""

import re

from oslo_context import context
from oslo_middleware import request_id

from minova_tw.api import wsgi as base_wsgi

HTTP_RESP_HEADER_REQUEST_ID = "x-compute-request-id"
_INBOUND_KEY = "HTTP_" + request_id.INBOUND_HEADER.upper().replace("-", "_")
_GLOBAL_ID = re.compile(request_id.ID_FORMAT)


class ComputeReqIdMiddleware(request_id.RequestId):
    compat_headers = [HTTP_RESP_HEADER_REQUEST_ID]

    def __call__(self, environ, start_response):
        inbound = environ.get(_INBOUND_KEY, "")
        if _GLOBAL_ID.match(inbound):
            environ[request_id.GLOBAL_REQ_ID] = inbound
        req_id = context.generate_request_id()
        environ[request_id.ENV_REQUEST_ID] = req_id
        status, headers, body = base_wsgi.call_application(
            self.application, environ)
        headers = list(headers)
        present = {name.lower() for name, _ in headers}
        for header in [request_id.HTTP_RESP_HEADER_REQUEST_ID,
                       *self.compat_headers]:
            if header not in present:
                headers.append((header, req_id))
        start_response(status, headers)
        return body

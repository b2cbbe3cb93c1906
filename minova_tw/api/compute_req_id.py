"""compute_req_id: give every compute request a fresh id and return it.

oslo.middleware's RequestId does the work (a new ``req-<uuid>`` per request
in ``environ['openstack.request_id']``, an inbound well-formed
``X-Openstack-Request-Id`` kept only as the global request id); nova also
returns the id as ``x-compute-request-id``, which old clients read.
"""

from oslo_middleware import request_id

HTTP_RESP_HEADER_REQUEST_ID = "x-compute-request-id"


class ComputeReqIdMiddleware(request_id.RequestId):
    compat_headers = [HTTP_RESP_HEADER_REQUEST_ID]

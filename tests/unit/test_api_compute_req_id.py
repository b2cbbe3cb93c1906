"""compute_req_id: a fresh id per request, in both response headers."""

import re
import uuid

import webob
import webob.dec

from minova_tw.api.compute_req_id import ComputeReqIdMiddleware

REQ_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-"
                    r"[0-9a-f]{12}$")


@webob.dec.wsgify
def echo_ids(req):
    return webob.Response(json_body={
        "id": req.environ["openstack.request_id"],
        "global": req.environ.get("openstack.global_request_id")})


def call(headers=None):
    app = ComputeReqIdMiddleware.factory({})(echo_ids)
    return webob.Request.blank("/", headers=headers or {}).get_response(app)


def test_fresh_id_in_environ_and_both_headers():
    first, second = call(), call()
    assert REQ_ID.match(first.json["id"])
    assert first.headers["x-openstack-request-id"] == first.json["id"]
    assert first.headers["x-compute-request-id"] == first.json["id"]
    assert first.json["id"] != second.json["id"]


def test_valid_inbound_id_is_only_the_global_id():
    inbound = "req-%s" % uuid.uuid4()
    res = call({"X-Openstack-Request-Id": inbound})
    assert res.json["global"] == inbound
    assert res.json["id"] != inbound


def test_invalid_inbound_id_is_ignored():
    res = call({"X-Openstack-Request-Id": "req-not-a-uuid"})
    assert res.json["global"] is None
    assert res.headers["x-compute-request-id"] != "req-not-a-uuid"

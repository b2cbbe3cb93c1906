"""nova's compute stack through the real twistd: versions, microversions, faults, ids.

Exact bodies and headers as in nova-api (facts §2–§5): the versions
documents, 300 choices, microversion negotiation with its 400/406 and echoed
headers, request id headers, the legacy v2 wrapper, noauth2's 204, CORS.
"""

import re
import uuid

import pytest
import requests

from tests.functional.process import base_config
from minova_tw.api.openstack.api_version_request import MAX_API_VERSION

REQ_ID = re.compile(r"^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                    r"[0-9a-f]{12}$")


@pytest.fixture
def compute(minova, tmp_path):
    server = minova(base_config(tmp_path, DEFAULT={
        "enabled_apis": "osapi_compute"}, cors={
        "allowed_origin": "http://dashboard.example"}),
        expect=("osapi_compute",))
    return lambda path="/": server.url("osapi_compute", path)


def test_root_lists_both_versions_without_version_headers(compute):
    response = requests.get(compute("/"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    base = compute("")
    assert response.json() == {"versions": [
        {"id": "v2.0", "status": "SUPPORTED", "version": "",
         "min_version": "", "updated": "2011-01-21T11:33:21Z",
         "links": [{"rel": "self", "href": base + "/v2/"}]},
        {"id": "v2.1", "status": "CURRENT", "version": MAX_API_VERSION,
         "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
         "links": [{"rel": "self", "href": base + "/v2.1/"}]}]}
    assert "OpenStack-API-Version" not in response.headers
    assert "Vary" not in response.headers


@pytest.mark.parametrize("path", ["/v2.1", "/v2.1/"])
def test_v21_document_with_microversion_headers(compute, path):
    response = requests.get(compute(path))
    assert response.status_code == 200
    assert response.json() == {"version": {
        "id": "v2.1", "status": "CURRENT", "version": MAX_API_VERSION,
        "min_version": "2.1", "updated": "2013-07-23T11:33:21Z",
        "links": [{"rel": "self", "href": compute("/v2.1/")},
                  {"rel": "describedby", "type": "text/html",
                   "href": "http://docs.openstack.org/"}],
        "media-types": [{"base": "application/json",
                         "type": "application/vnd.openstack.compute+json;"
                                 "version=2.1"}]}}
    assert response.headers["OpenStack-API-Version"] == "compute 2.1"
    assert response.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert response.raw.headers.getlist("Vary") == [
        "OpenStack-API-Version", "X-OpenStack-Nova-API-Version"]
    assert REQ_ID.match(response.headers["X-Openstack-Request-Id"])
    assert (response.headers["X-Compute-Request-Id"]
            == response.headers["X-Openstack-Request-Id"])


@pytest.mark.parametrize("path", ["/v2", "/v2/"])
def test_legacy_v2_document_has_no_version_headers(compute, path):
    response = requests.get(compute(path), headers={
        "OpenStack-API-Version": "compute 2.1"})
    assert response.status_code == 200
    version = response.json()["version"]
    assert (version["id"], version["status"]) == ("v2.0", "SUPPORTED")
    assert version["links"][0] == {"rel": "self", "href": compute("/v2/")}
    assert "OpenStack-API-Version" not in response.headers
    assert "X-OpenStack-Nova-API-Version" not in response.headers
    assert "Vary" not in response.headers


def test_other_paths_get_300_choices(compute):
    response = requests.get(compute("/v3"))
    assert response.status_code == 300
    choices = response.json()["choices"]
    assert [c["id"] for c in choices] == ["v2.0", "v2.1"]
    assert choices[0]["links"] == [{"rel": "self", "href": compute("/v2/v3")}]
    assert choices[1]["links"] == [{"rel": "self",
                                    "href": compute("/v2.1/v3")}]
    assert choices[1]["media-types"] == [{
        "base": "application/json",
        "type": "application/vnd.openstack.compute+json;version=2.1"}]


@pytest.mark.parametrize("headers", [
    {"OpenStack-API-Version": "compute latest"},
    {"X-OpenStack-Nova-API-Version": "latest"},
    {"OpenStack-API-Version": "volume 3.0, compute latest"},
])
def test_latest_is_echoed_as_the_concrete_maximum(compute, headers):
    response = requests.get(compute("/v2.1/"), headers=headers)
    assert response.status_code == 200
    assert (response.headers["OpenStack-API-Version"]
            == "compute " + MAX_API_VERSION)
    assert response.headers["X-OpenStack-Nova-API-Version"] == MAX_API_VERSION


@pytest.mark.parametrize("value", ["2", "2.01", "a.b", "2.1.1"])
def test_a_malformed_version_is_400(compute, value):
    response = requests.get(compute("/v2.1/"), headers={
        "OpenStack-API-Version": "compute " + value})
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert response.json() == {"badRequest": {
        "code": 400, "message": "API Version String %s is of invalid format. "
        "Must be of format MajorNum.MinorNum." % value}}


def test_an_out_of_range_version_is_406_with_version_headers(compute):
    response = requests.get(compute("/v2.1/"), headers={
        "X-OpenStack-Nova-API-Version": "2.999"})
    assert response.status_code == 406
    assert response.json() == {"computeFault": {
        "code": 406, "message": "Version 2.999 is not supported by the API. "
        "Minimum is 2.1 and maximum is %s." % MAX_API_VERSION}}
    assert response.headers["OpenStack-API-Version"] == "compute 2.999"


def test_noauth2_without_a_token_answers_204_with_one(compute):
    response = requests.get(compute("/v2.1/servers"), headers={
        "X-Auth-User": "alice", "X-Auth-Project-Id": "p1"})
    assert response.status_code == 204
    assert response.headers["X-Auth-Token"] == "alice:p1"
    assert response.headers["X-Server-Management-Url"] == compute(
        "/v2.1/servers/p1")


@pytest.mark.parametrize("accept", [
    "application/json", "text/html,application/xhtml+xml,*/*;q=0.8", None])
def test_an_unknown_route_is_novas_json_404_with_request_ids(compute,
                                                            accept):
    headers = {"X-Auth-Token": "alice:p1"}
    if accept:
        headers["Accept"] = accept
    response = requests.get(compute("/v2.1/nosuch"), headers=headers)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == (
        "application/json; charset=UTF-8")
    assert response.json() == {"itemNotFound": {
        "code": 404, "message": "The resource could not be found."}}
    assert REQ_ID.match(response.headers["X-Compute-Request-Id"])


def test_a_wrong_method_is_405_with_allow(compute):
    response = requests.patch(compute("/v2.1/servers"), headers={
        "X-Auth-Token": "alice:p1"})
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert response.json()["badMethod"]["code"] == 405


def test_an_inbound_request_id_is_never_reused(compute):
    inbound = "req-%s" % uuid.uuid4()
    response = requests.get(compute("/v2.1/"), headers={
        "X-Openstack-Request-Id": inbound})
    assert REQ_ID.match(response.headers["X-Openstack-Request-Id"])
    assert response.headers["X-Openstack-Request-Id"] != inbound


def test_cors_preflight_uses_novas_defaults(compute):
    response = requests.options(compute("/v2.1/"), headers={
        "Origin": "http://dashboard.example",
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "OpenStack-API-Version"})
    assert response.status_code == 200
    assert (response.headers["Access-Control-Allow-Origin"]
            == "http://dashboard.example")
    assert "PATCH" in response.headers["Access-Control-Allow-Methods"]


def test_a_body_over_max_request_body_size_is_413(compute):
    response = requests.post(compute("/v2.1/servers"), data=b"x" * 200000,
                             headers={"X-Auth-Token": "a:p",
                                      "Content-Type": "application/json"})
    assert response.status_code == 413

"""FaultWrapper and Fault: nova's JSON fault bodies, no leaked detail."""

import logging

import pytest
import webob
import webob.exc

from minova_tw.compute import exception
from minova_tw.api.openstack import FaultWrapper, wsgi
from minova_tw.db import engine as db_engine

STOCK_500 = ("The server has either erred or is incapable of performing the "
             "requested operation.")


class SafeError(Exception):
    code = 409
    safe = True


class SecretError(Exception):
    code = 503
    headers = {"Retry-After": "30"}


def raising(exc):
    def app(environ, start_response):
        raise exc
    return app


def call(exc):
    return webob.Request.blank("/").get_response(FaultWrapper(raising(exc)))


def test_plain_exception_is_stock_500_without_detail(caplog):
    with caplog.at_level(logging.ERROR, logger="minova_tw.api.openstack"):
        res = call(ValueError("password=hunter2"))
    assert res.status_int == 500
    assert res.headers["Content-Type"] == "application/json; charset=UTF-8"
    assert res.json == {"computeFault": {"code": 500, "message": STOCK_500}}
    assert "hunter2" not in res.text
    assert "Traceback" not in res.text
    assert "ValueError: password=hunter2" in caplog.text
    assert caplog.records[0].exc_info is not None


def test_safe_exception_shows_class_and_message():
    res = call(SafeError("it is busy"))
    assert res.status_int == 409
    assert res.json == {"conflictingRequest": {
        "code": 409, "message": "SafeError: it is busy"}}


def test_unsafe_exception_keeps_code_and_headers_hides_text():
    res = call(SecretError("internal"))
    assert res.status_int == 503
    assert res.headers["Retry-After"] == "30"
    assert res.json == {"serviceUnavailable": {
        "code": 503, "message": "The server is currently unavailable. "
        "Please try again at a later time."}}


@pytest.mark.parametrize("code", [299, 302, 599, "409"])
def test_code_that_is_no_http_error_is_500(code):
    exc = Exception("x")
    exc.code = code
    res = call(exc)
    assert res.status_int == 500
    assert res.json == {"computeFault": {"code": 500, "message": STOCK_500}}


def test_api_error_format_message():
    res = call(exception.Invalid(reason="no"))
    assert res.json == {"badRequest": {"code": 400,
                                       "message": "Invalid: Bad input: no"}}


# nova's fault-name table, written out here so the test can fail.
FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden",
               404: "itemNotFound", 405: "badMethod",
               409: "conflictingRequest", 413: "overLimit",
               415: "badMediaType", 429: "overLimit", 501: "notImplemented",
               503: "serviceUnavailable", 406: "computeFault",
               500: "computeFault", 502: "computeFault"}


@pytest.mark.parametrize("code", sorted(FAULT_NAMES))
def test_fault_names(code):
    exc = webob.exc.status_map[code](explanation="why")
    res = webob.Request.blank("/").get_response(wsgi.Fault(exc))
    assert res.status_int == code
    assert res.json == {FAULT_NAMES[code]: {"code": code, "message": "why"}}


@pytest.mark.parametrize("code", [413, 429])
def test_retry_after(code):
    exc = webob.exc.status_map[code](explanation="slow down",
                                     headers={"Retry-After": "5"})
    res = webob.Request.blank("/").get_response(wsgi.Fault(exc))
    assert res.json == {"overLimit": {
        "code": code, "message": "slow down", "retryAfter": "5"}}
    assert res.headers["Retry-After"] == "5"


def test_fault_carries_known_version():
    req = webob.Request.blank("/")
    req.environ[wsgi.API_VERSION_KEY] = (
        wsgi.microversions.APIVersionRequest("2.1"))
    res = req.get_response(wsgi.Fault(webob.exc.HTTPNotFound()))
    assert res.headers["OpenStack-API-Version"] == "compute 2.1"
    assert res.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert res.headers.getall("Vary") == [
        "OpenStack-API-Version", "X-OpenStack-Nova-API-Version"]


def test_response_passes_through():
    inner = webob.Response(body=b"ok")
    res = webob.Request.blank("/").get_response(FaultWrapper(inner))
    assert res.body == b"ok"


def test_an_unusable_database_is_503_with_retry_after_and_no_detail(caplog):
    with caplog.at_level(logging.ERROR, logger="minova_tw.api.openstack"):
        res = call(db_engine.DatabaseUnavailable(
            "could not connect to 10.0.0.9: password=hunter2"))
    assert res.status_int == 503
    assert res.headers["Retry-After"] == str(db_engine.RETRY_AFTER)
    assert list(res.json) == ["serviceUnavailable"]
    assert res.json["serviceUnavailable"]["code"] == 503
    assert "hunter2" not in res.text and "10.0.0.9" not in res.text
    assert "database unavailable" in caplog.text

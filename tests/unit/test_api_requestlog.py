"""request_log: one INFO line per request unless the host logged it."""

import logging

import webob

from minova_tw.api.openstack import api_version_request, wsgi
from minova_tw.api.openstack.requestlog import ACCESS_LOGGED_KEY, RequestLog


def versioned_app(environ, start_response):
    environ[wsgi.API_VERSION_KEY] = api_version_request.APIVersionRequest(
        "2.1")
    start_response("202 Accepted", [("Content-Type", "text/plain"),
                                    ("Content-Length", "2")])
    return [b"ok"]


def test_logs_one_line(caplog):
    req = webob.Request.blank("/v2.1/servers?limit=1", method="POST",
                              environ={"REMOTE_ADDR": "10.0.0.1"})
    with caplog.at_level(logging.INFO, logger="minova_tw.api"):
        res = req.get_response(RequestLog(versioned_app))
    assert res.status_int == 202
    (record,) = caplog.records
    assert record.levelno == logging.INFO
    assert record.name == "minova_tw.api.openstack.requestlog"
    message = record.getMessage()
    assert message.startswith(
        '10.0.0.1 "POST /v2.1/servers?limit=1" status: 202 len: 2 '
        'microversion: 2.1 time: ')


def test_silent_when_host_logged(caplog):
    req = webob.Request.blank("/", environ={ACCESS_LOGGED_KEY: True})
    with caplog.at_level(logging.INFO, logger="minova_tw.api"):
        res = req.get_response(RequestLog(versioned_app))
    assert res.status_int == 202
    assert caplog.records == []


def test_unversioned_request_logs_dash(caplog):
    app = webob.Response(body=b"x")
    with caplog.at_level(logging.INFO, logger="minova_tw.api"):
        webob.Request.blank("/").get_response(RequestLog(app))
    assert "microversion: - time:" in caplog.records[0].getMessage()

"""call_application: a filter's webob-free view of the app it wraps."""

import pytest

from minova_tw.api import wsgi


def test_returns_status_headers_and_body_without_forwarding():
    def app(environ, start_response):
        start_response("201 Created", [("X-A", "1")])
        return [b"one", b"two"]

    assert wsgi.call_application(app, {}) == (
        "201 Created", [("X-A", "1")], [b"one", b"two"])


def test_collects_what_write_and_a_lazy_body_send():
    def writer(environ, start_response):
        start_response("200 OK", [])("written ".encode())
        return [b"returned"]

    def lazy(environ, start_response):
        start_response("200 OK", [])
        yield b"late"

    assert wsgi.call_application(writer, {})[2] == [b"written ", b"returned"]
    assert wsgi.call_application(lazy, {})[2] == [b"late"]


def test_exc_info_is_raised():
    def app(environ, start_response):
        try:
            raise KeyError("inner")
        except KeyError:
            import sys
            start_response("500 Error", [], sys.exc_info())
        return []

    with pytest.raises(KeyError, match="inner"):
        wsgi.call_application(app, {})

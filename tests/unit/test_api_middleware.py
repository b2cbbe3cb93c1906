"""oslo.middleware filters on minova's ConfigOpts, paste values on top."""

import pytest
import webob
import webob.exc

from minova_tw import conf as minova_conf
from minova_tw.api import middleware

ORIGIN = "http://a.example"


@pytest.fixture
def global_conf(tmp_path):
    path = tmp_path / "api.conf"
    path.write_text("[cors]\nallowed_origin = %s\nmax_age = 60\n"
                    "[oslo_middleware]\nmax_request_body_size = 4\n"
                    "enable_proxy_headers_parsing = true\n" % ORIGIN)
    return minova_conf.paste_global_conf(minova_conf.load([str(path)]))


def ok(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["wsgi.url_scheme"].encode(), environ["wsgi.input"].read()]


def preflight(app, origin):
    return webob.Request.blank("/", method="OPTIONS", headers={
        "Origin": origin, "Access-Control-Request-Method": "GET"}
    ).get_response(app)


def test_cors_uses_config_file(global_conf):
    res = preflight(middleware.cors_factory(global_conf)(ok), ORIGIN)
    assert res.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert res.headers["Access-Control-Max-Age"] == "60"


def test_paste_option_overrides_only_its_filter(global_conf):
    other = "http://b.example"
    app = middleware.cors_factory(global_conf, allowed_origin=other,
                                  max_age="5")(ok)
    res = preflight(app, other)
    assert res.headers["Access-Control-Allow-Origin"] == other
    assert res.headers["Access-Control-Max-Age"] == "5"
    assert "Access-Control-Allow-Origin" not in preflight(app, ORIGIN).headers
    plain = middleware.cors_factory(global_conf)(ok)
    assert preflight(plain, ORIGIN).headers["Access-Control-Max-Age"] == "60"


def test_unknown_paste_option_is_config_error(global_conf):
    with pytest.raises(minova_conf.ConfigError, match="unknown option bogus"):
        middleware.cors_factory(global_conf, bogus="1")


def test_bad_paste_value_is_config_error(global_conf):
    with pytest.raises(minova_conf.ConfigError,
                       match="invalid value for max_age"):
        middleware.cors_factory(global_conf, max_age="soon")


def test_sizelimit_from_config(global_conf):
    app = middleware.sizelimit_factory(global_conf)(ok)
    assert webob.Request.blank("/", method="POST", body=b"12345"
                               ).get_response(app).status_int == 413
    assert webob.Request.blank("/", method="POST", body=b"1234"
                               ).get_response(app).body == b"http1234"


def test_http_proxy_to_wsgi_from_config(global_conf):
    app = middleware.http_proxy_to_wsgi_factory(global_conf)(ok)
    res = webob.Request.blank("/", headers={"X-Forwarded-Proto": "https"}
                              ).get_response(app)
    assert res.body == b"https"
    off = middleware.http_proxy_to_wsgi_factory(
        global_conf, enable_proxy_headers_parsing="false")(ok)
    assert webob.Request.blank("/", headers={"X-Forwarded-Proto": "https"}
                               ).get_response(off).body == b"http"


def test_cors_passes_plain_requests_straight_on(global_conf):
    """No Origin: the app's own start_response call, untouched."""
    calls = []
    app = middleware.cors_factory(global_conf)(ok)
    environ = webob.Request.blank("/").environ
    body = app(environ, lambda status, headers, exc_info=None:
               calls.append((status, headers)))
    assert calls == [("200 OK", [("Content-Type", "text/plain")])]
    assert b"".join(body) == b"http"


def test_cors_with_origin_and_head_take_oslo_path(global_conf):
    app = middleware.cors_factory(global_conf)(ok)
    res = webob.Request.blank("/", headers={"Origin": ORIGIN}
                              ).get_response(app)
    assert res.headers["Access-Control-Allow-Origin"] == ORIGIN
    head = webob.Request.blank("/", method="HEAD")
    assert b"".join(app(head.environ, lambda *args: None)) == b""


def test_sizelimit_limits_a_body_without_length(global_conf):
    app = middleware.sizelimit_factory(global_conf)(
        lambda environ, start_response: [environ["wsgi.input"].read()])
    req = webob.Request.blank("/", method="POST", body=b"12345")
    del req.environ["CONTENT_LENGTH"]  # chunked, as minova's host says:
    req.environ["wsgi.input_terminated"] = True
    with pytest.raises(webob.exc.HTTPRequestEntityTooLarge):
        app(req.environ, None)

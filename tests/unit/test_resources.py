"""minova_tw.resources: loading apps, and the WSGI container, without threads.

A synchronous pool and reactor run the app and the reactor-side delivery in
the test's thread, over a StringTransport, so every path is deterministic.
"""

import io
import sys

import pytest
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.logger import capturedLogs

from minova_tw import conf, resources
from minova_tw.accesslog import check_log_format
from minova_tw.site import DRAIN_IDLE_GRACE, APISite
from tests.unit.fakes import (SyncPool, SyncReactor, capped_site,
                              finished_request, serve, simple_app)


def test_environ_follows_pep_3333():
    app = simple_app()
    serve(app, b"POST /a/b%20c?x=1&y=%20 HTTP/1.1\r\nHost: h.example:99\r\n"
          b"Content-Type: application/json\r\nContent-Length: 2\r\n"
          b"X-Two: a\r\nX-Two: b\r\n\r\n{}")
    environ = app.seen
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["SCRIPT_NAME"] == ""
    assert environ["PATH_INFO"] == "/a/b c"
    assert environ["QUERY_STRING"] == "x=1&y=%20"
    assert environ["CONTENT_TYPE"] == "application/json"
    assert environ["CONTENT_LENGTH"] == "2"
    assert "HTTP_CONTENT_TYPE" not in environ
    assert environ["HTTP_X_TWO"] == "a,b"
    assert environ["HTTP_HOST"] == "h.example:99"
    assert environ["SERVER_NAME"] == "h.example"
    assert environ["SERVER_PORT"] == "8774"
    assert environ["SERVER_PROTOCOL"] == "HTTP/1.1"
    assert (environ["REMOTE_ADDR"], environ["REMOTE_PORT"]) == (
        "127.0.0.1", "5555")
    assert environ["body"] == b"{}"
    assert environ["wsgi.url_scheme"] == "http"
    assert environ["wsgi.multithread"] is True
    assert environ["wsgi.multiprocess"] is False
    assert environ["minova.access_logged"] is True


def test_a_buffered_body_gets_a_content_length_and_repeated_headers():
    transport, _ = serve(simple_app(b"hello", [("Vary", "A"), ("Vary", "B")]),
                         b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    head, _, body = transport.value().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nContent-Length: 5" in head
    assert head.count(b"\r\nVary: ") == 2
    assert body == b"hello"


def test_an_exception_before_the_response_is_a_500_without_internals():
    def app(environ, start_response):
        raise ValueError("secret internals")
    transport, _ = serve(app, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    value = transport.value()
    assert value.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"secret" not in value


def test_an_exception_after_the_headers_aborts_the_connection():
    def app(environ, start_response):
        write = start_response("200 OK", [])
        write(b"partial")
        raise ValueError("midway")
    transport, _ = serve(app, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert transport.value().endswith(b"\r\n7\r\npartial\r\n")
    assert transport.disconnecting or transport.disconnected


def test_long_streams_are_written_as_they_come_and_close_is_called():
    closed = []
    chunk = b"x" * (resources.WSGIResource.STREAM_BUFFER // 2 + 1)

    class Body:
        def __iter__(self):
            return iter([chunk] * 4)

        def close(self):
            closed.append(True)

    def app(environ, start_response):
        start_response("200 OK", [])
        return Body()
    transport, _ = serve(app, b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    head, _, body = transport.value().partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head
    assert body.count(b"x") == len(chunk) * 4
    assert closed == [True]


def test_an_app_that_never_starts_the_response_is_a_500():
    transport, _ = serve(lambda environ, start_response: [],
                         b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert transport.value().startswith(b"HTTP/1.1 500 ")


def test_keep_alive_off_says_connection_close():
    transport, _ = serve(simple_app(), b"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
                         keep_alive=False)
    assert b"\r\nConnection: close\r\n" in transport.value()
    assert transport.disconnecting


def test_a_header_line_over_max_header_line_is_refused():
    transport, _ = serve(simple_app(), b"GET / HTTP/1.1\r\nX-Big: "
                         + b"a" * 200 + b"\r\n\r\n", max_header_line=100)
    assert transport.value().startswith(
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert transport.disconnecting


def test_drain_closes_idle_connections_and_fires_when_all_closed():
    transport, site = serve(simple_app(), b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    drained = site.drain(timeout=5)
    assert not transport.disconnecting  # a next request may be on its way
    site.reactor.advance(DRAIN_IDLE_GRACE)
    assert transport.disconnecting
    assert not drained.called
    for channel in list(site._channels):
        channel.connectionLost(None)
    assert drained.called


def test_drain_aborts_what_is_still_open_at_the_deadline():
    def app(environ, start_response):
        return iter(())  # never answers: stays in flight
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, _NeverPool(), app),
                   name="t", log_format="%(request_line)s", reactor=reactor)
    protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1))
    transport = StringTransport()
    protocol.makeConnection(transport)
    protocol.dataReceived(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    drained = site.drain(timeout=3)
    assert not transport.disconnecting
    reactor.advance(3)
    assert transport.disconnected or transport.disconnecting


class _NeverPool:
    def callInThread(self, f, *args, **kwargs):
        pass


def test_accept_pauses_at_the_connection_cap():
    site = capped_site(2)
    port = site.port
    protocols = []
    for n in range(2):
        protocols.append(site.buildProtocol(None))
        protocols[-1].makeConnection(StringTransport())
    assert not port.reading
    protocols[0].connectionLost(None)
    assert port.reading


@pytest.mark.parametrize("fmt, ok", [
    ("%(client_ip)s %(status_code)s %(wall_seconds).3f", True),
    ("%(unknown)s", False),
    ("%(status_code)d %(request_line)d", False),
])
def test_check_log_format(fmt, ok):
    if ok:
        check_log_format(fmt)
    else:
        with pytest.raises(ValueError):
            check_log_format(fmt)


def test_load_app_reports_missing_and_broken_apps(tmp_path):
    paste = tmp_path / "paste.ini"
    paste.write_text("[app:good]\npaste.app_factory = nowhere.at.all:f\n")
    c = conf.load([str(_write(tmp_path / "a.conf", "[wsgi]\napi_paste_config"
                              " = paste.ini\n"))])
    assert resources.has_paste_app(str(paste), "good")
    with pytest.raises(resources.PasteAppNotFound):
        resources.load_app(c, "other")
    with pytest.raises(conf.ConfigError) as error:
        resources.load_app(c, "good")
    assert str(error.value) == (
        "[wsgi] api_paste_config: cannot load good from %s: "
        "ModuleNotFoundError: No module named 'nowhere'" % paste)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """``project(source)``: a hosted project's entry module, importable as
    the returned name; its import records sys.argv in ``ARGV``."""
    monkeypatch.syspath_prepend(str(tmp_path))
    made = []

    def make(source):
        name = "hosted_%d_%d" % (id(tmp_path), len(made))
        (tmp_path / (name + ".py")).write_text(
            "import sys\nARGV = list(sys.argv)\n" + source)
        made.append(name)
        return name

    yield make
    for name in made:
        sys.modules.pop(name, None)


def entry_conf(tmp_path, spec):
    return conf.load([str(_write(tmp_path / "e.conf", "[DEFAULT]\n"
                                 "enabled_apis = placement\n"
                                 "placement_wsgi_app = %s\n" % spec))])


def wsgi_app(environ, start_response):
    """What the entry modules below serve."""


def test_an_entry_point_is_imported_with_the_program_name_only(
        tmp_path, project, monkeypatch):
    module = project("from tests.unit.test_resources import wsgi_app as "
                     "application\n")
    monkeypatch.setattr(sys, "argv", ["twistd", "-n", "minova", "--config",
                                      "x.conf"])
    assert resources.load_app(entry_conf(tmp_path, module),
                              "placement") is wsgi_app
    assert sys.modules[module].ARGV == ["twistd"]
    assert sys.argv == ["twistd", "-n", "minova", "--config", "x.conf"]


def test_a_factory_entry_point_is_called_with_its_arguments(tmp_path,
                                                            project):
    module = project("def make(name, debug=False):\n"
                     "    return lambda e, s: (name, debug)\n")
    app = resources.load_app(entry_conf(tmp_path, "%s:make('public', "
                                        "debug=True)" % module), "placement")
    assert app(None, None) == ("public", True)


@pytest.mark.parametrize("source, entry, what, exception, raised", [
    ("raise RuntimeError('no database')\n", "{m}:application",
     "cannot import {m}:application", "RuntimeError: no database",
     RuntimeError),
    ("import argparse\nargparse.ArgumentParser().parse_args(['--api'])\n",
     "{m}:application", "cannot import {m}:application", "SystemExit: 2",
     SystemExit),
    ("", "{m}:application", "cannot import {m}:application",
     "AttributeError: module '{m}' has no attribute 'application'",
     AttributeError),
    ("def f():\n    raise KeyError('x')\n", "{m}:f()", "cannot call {m}:f()",
     "KeyError: 'x'", KeyError),
])
def test_an_entry_point_that_fails_is_logged_once_and_said_in_one_line(
        tmp_path, project, source, entry, what, exception, raised):
    module = project(source)
    with capturedLogs() as events:
        with pytest.raises(conf.ConfigError) as error:
            resources.load_app(entry_conf(tmp_path, entry.format(m=module)),
                               "placement")
    what = "[DEFAULT] placement_wsgi_app: " + what.format(m=module)
    assert str(error.value) == "%s: %s" % (what, exception.format(m=module))
    assert [(e["what"], e["log_failure"].type) for e in events
            if "log_failure" in e] == [(what, raised)]


def test_an_entry_point_that_is_not_callable(tmp_path, project):
    module = project("application = 'not an app'\n")
    with pytest.raises(conf.ConfigError) as error:
        resources.load_app(entry_conf(tmp_path, module), "placement")
    assert str(error.value) == ("[DEFAULT] placement_wsgi_app: %s is a str, "
                                "not a WSGI app" % module)


def _write(path, text):
    path.write_text(text)
    return path


class RecordingPool(SyncPool):
    """Runs calls at once, and records which lane each path took."""

    def __init__(self):
        self.lanes = []

    def callInThread(self, f, environ):
        self.lanes.append(("pool", environ["PATH_INFO"]))
        f(environ)

    def callInReservedThread(self, f, environ):
        self.lanes.append(("reserved", environ["PATH_INFO"]))
        f(environ)


def test_reserved_paths_take_the_reserved_thread():
    reactor = SyncReactor()
    pool = RecordingPool()
    site = APISite(resources.WSGIResource(
        reactor, pool, simple_app(), reserved_paths=["/healthcheck/"]),
        name="test", log_format="%(request_line)s", reactor=reactor)
    protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5555))
    transport = StringTransport()
    protocol.makeConnection(transport)
    for path in (b"/healthcheck", b"/healthcheck/x", b"/healthchecks",
                 b"/", b"/v2.1/healthcheck"):
        protocol.dataReceived(b"GET %s HTTP/1.1\r\nHost: h\r\n\r\n" % path)
    assert pool.lanes == [
        ("reserved", "/healthcheck"), ("reserved", "/healthcheck/x"),
        ("pool", "/healthchecks"), ("pool", "/"),
        ("pool", "/v2.1/healthcheck")]
    assert transport.value().count(b"200 OK") == 5


def test_no_reserved_paths_match_nothing():
    assert not resources.reserved_path_matcher([])("/healthcheck")
    assert resources.reserved_path_matcher(["/"])("/anything")


def test_a_drained_site_has_written_the_lines_its_threads_left():
    transport, site = serve(simple_app(), b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    out = io.StringIO()
    site.accessLog.writeTo(out)
    site.reactor.advance(0)
    # A line a leased connection's thread logged, waiting for its batch.
    site.requestEnded(finished_request("GET /kept HTTP/1.1"), fromThread=True)
    assert "GET /kept" not in out.getvalue()
    drained = site.drain(timeout=5)
    for channel in list(site._channels):
        channel.connectionLost(None)
    assert drained.called
    assert out.getvalue().endswith("GET /kept HTTP/1.1\n")


class TimedApp:
    """An AppTime whose clock is the test's: each request takes what the
    test says."""

    def __init__(self, every=1):
        self.now = 0.0
        self.reads = 0
        self.time = resources.AppTime()
        self.time.EVERY = every
        self.time.clock = self._clock

    def _clock(self):
        self.reads += 1
        return self.now

    def requests(self, count, seconds):
        for _ in range(count):
            began = self.time.start()
            self.now += seconds
            if began is not None:
                self.time.stop(began)
        return self.time.long


def test_an_apps_requests_are_long_from_LONG_and_short_below_half_of_it():
    app = TimedApp()
    long_ = resources.AppTime.LONG
    assert not app.requests(50, long_ / 10)
    assert app.requests(50, long_ * 3)
    # Between half of LONG and LONG, the mean keeps what it was: no
    # connection moves between the two paths for a mean near the line.
    assert app.requests(100, long_ * 0.7)
    assert not app.requests(50, long_ / 10)
    assert not app.requests(100, long_ * 0.7)
    assert app.requests(100, long_ * 1.1)


def test_one_request_in_EVERY_is_timed():
    app = TimedApp(every=8)
    app.requests(80, 0.01)
    assert app.reads == 20  # 10 requests timed, two reads each
    assert app.time.long


def test_long_requests_keep_connections_leased_on_minovas_pool_only():
    # minova's pool lends a thread (or its lease loop) to a connection of
    # an app whose requests are long, however busy; another pool never.
    reactor = SyncReactor()
    resource = resources.WSGIResource(reactor, RecordingPool(), simple_app())
    resource.appTime.long = True
    assert not resource.loops
    assert not resource.lendsThread({"PATH_INFO": "/"})

    class BusyPool(RecordingPool):
        def hasIdleThread(self):
            return False
    resource = resources.WSGIResource(reactor, BusyPool(), simple_app(),
                                      reserved_paths=["/healthcheck"])
    assert not resource.lendsThread({"PATH_INFO": "/"})
    resource.appTime.long = True
    assert resource.loops
    assert resource.lendsThread({"PATH_INFO": "/"})
    assert not resource.lendsThread({"PATH_INFO": "/healthcheck"})

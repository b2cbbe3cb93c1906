"""minova_tw.http11: HTTP/1.1 framing, persistence and pipelining, in memory.

The same harness as test_resources (``serve``: a synchronous pool and
reactor over a StringTransport), so the exact bytes on the wire are
checked; test_site_limits has the limits and deadlines.
"""

import io

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport

from minova_tw import resources
from minova_tw.site import APISite

from tests.unit.fakes import SyncPool, SyncReactor, serve, simple_app

GET = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"


def responses(transport):
    """How many responses were written."""
    return transport.value().count(b"HTTP/1.1 ")


def head_of(transport):
    return transport.value().partition(b"\r\n\r\n")[0]


def counting_app():
    paths = []

    def app(environ, start_response):
        paths.append(environ["PATH_INFO"])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode()]
    app.paths = paths
    return app


def test_pipelined_requests_are_answered_in_order_on_one_connection():
    app = counting_app()
    transport, _ = serve(app, b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
                         b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
                         b"GET /c HTTP/1.1\r\nHost: h\r\n\r\n")
    assert app.paths == ["/a", "/b", "/c"]
    assert responses(transport) == 3
    assert transport.value().endswith(b"/c")
    assert not transport.disconnecting


def test_http_1_0_closes_unless_asked_to_keep_alive():
    transport, _ = serve(simple_app(), b"GET / HTTP/1.0\r\n\r\n")
    assert head_of(transport).startswith(b"HTTP/1.1 200 OK")
    assert b"\r\nConnection: close" in head_of(transport)
    assert transport.disconnecting

    transport, _ = serve(simple_app(), b"GET / HTTP/1.0\r\n"
                         b"Connection: Keep-Alive\r\n\r\n")
    assert b"\r\nConnection: keep-alive" in head_of(transport)
    assert not transport.disconnecting


def test_connection_close_from_the_client_closes_after_the_response():
    transport, _ = serve(simple_app(), b"GET / HTTP/1.1\r\nHost: h\r\n"
                         b"Connection: close\r\n\r\n")
    assert b"\r\nConnection: close" in head_of(transport)
    assert transport.value().endswith(b"ok")
    assert transport.disconnecting


def test_head_sends_the_length_but_no_body():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Length", "5")])
        return [b""]
    transport, _ = serve(app, b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
    head, _, body = transport.value().partition(b"\r\n\r\n")
    assert b"\r\nContent-Length: 5" in head
    assert body == b""


def test_head_of_a_streamed_response_sends_no_body_not_even_its_end():
    def app(environ, start_response):
        start_response("200 OK", [])
        yield b"x" * (resources.WSGIResource.STREAM_BUFFER + 1)
        yield b"more"
    transport, _ = serve(app, b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n")
    head, _, body = transport.value().partition(b"\r\n\r\n")
    assert b"\r\nTransfer-Encoding: chunked" in head
    assert body == b""  # the chunked terminator would be read as a response
    assert not transport.disconnecting


def test_204_has_no_length_and_no_body():
    def app(environ, start_response):
        start_response("204 No Content", [])
        return [b"ignored"]
    transport, _ = serve(app, GET)
    head, _, body = transport.value().partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 204 No Content")
    assert b"content-length" not in head.lower()
    assert body == b""


def test_every_response_has_a_date_and_the_apps_framing_is_replaced():
    def app(environ, start_response):
        start_response("200 OK", [("Connection", "close"),
                                  ("Transfer-Encoding", "gzip")])
        return [b"x"]
    transport, _ = serve(app, GET)
    head = head_of(transport)
    assert b"\r\nDate: " in head
    assert b"gzip" not in head
    assert b"\r\nContent-Length: 1" in head
    assert b"\r\nConnection: close" in head  # the app asked to close
    assert transport.disconnecting


def test_a_chunked_request_body_reaches_the_app_whole():
    app = simple_app()
    transport, _ = serve(app, b"POST / HTTP/1.1\r\nHost: h\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n"
                         b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nX-T: 1\r\n\r\n")
    assert app.seen["body"] == b"abcde"
    assert app.seen["CONTENT_LENGTH"] == ""
    assert responses(transport) == 1


def test_a_body_split_over_packets_is_waited_for():
    app = simple_app()
    transport, site = serve(app, b"PUT / HTTP/1.1\r\nHost: h\r\n"
                            b"Content-Length: 6\r\n\r\nabc")
    assert not app.seen
    (channel,) = site.channels
    channel.dataReceived(b"def")
    assert app.seen["body"] == b"abcdef"


def test_100_continue_is_sent_before_a_body_the_client_waits_to_send():
    app = simple_app()
    transport, site = serve(app, b"PUT / HTTP/1.1\r\nHost: h\r\n"
                            b"Expect: 100-continue\r\n"
                            b"Content-Length: 2\r\n\r\n")
    assert transport.value() == b"HTTP/1.1 100 Continue\r\n\r\n"
    (channel,) = site.channels
    channel.dataReceived(b"{}")
    assert app.seen["body"] == b"{}"


def test_the_absolute_form_gives_the_path():
    app = simple_app()
    serve(app, b"GET http://h.example/v2.1/servers?a=1 HTTP/1.1\r\n"
          b"Host: h.example\r\n\r\n")
    assert app.seen["PATH_INFO"] == "/v2.1/servers"
    assert app.seen["QUERY_STRING"] == "a=1"


def test_host_gives_the_server_name_and_is_optional_only_in_1_0():
    for raw, name in ((b"GET / HTTP/1.1\r\nHost: [::1]:8774\r\n\r\n",
                       "[::1]"),
                      (b"GET / HTTP/1.1\r\nHost: h.example\r\n\r\n",
                       "h.example"),
                      (b"GET / HTTP/1.1\r\nHost:\r\n\r\n", "127.0.0.1"),
                      (b"GET / HTTP/1.0\r\n\r\n", "127.0.0.1")):
        app = simple_app()
        transport, _ = serve(app, raw)
        assert responses(transport) == 1, raw
        assert app.seen["SERVER_NAME"] == name, raw


def test_bare_lf_heads_and_empty_lines_before_them_are_read():
    app = simple_app()
    transport, _ = serve(app, b"\r\nGET /x HTTP/1.1\nHost: h\nX-A:  1 \n\n")
    assert app.seen["PATH_INFO"] == "/x"
    assert app.seen["HTTP_X_A"] == "1"
    assert responses(transport) == 1


def test_a_header_with_a_line_break_is_a_500_not_a_split_response():
    def app(environ, start_response):
        start_response("200 OK", [("X-Evil", "a\r\nSet-Cookie: b")])
        return [b"x"]
    transport, _ = serve(app, GET)
    assert transport.value().startswith(b"HTTP/1.1 500 ")
    assert b"Set-Cookie" not in transport.value()


def test_the_idle_timeout_closes_a_connection_between_requests():
    transport, site = serve(simple_app(), GET, timeout=10)
    site.reactor.advance(9)
    assert not transport.disconnecting
    site.reactor.advance(1)
    assert transport.disconnecting


def test_a_body_that_stops_coming_meets_the_idle_timeout():
    app = simple_app()
    transport, site = serve(app, b"PUT / HTTP/1.1\r\nHost: h\r\n"
                            b"Content-Length: 10\r\n\r\nabc", timeout=10,
                            header_timeout=5)
    site.reactor.advance(9)
    (channel,) = site.channels
    channel.dataReceived(b"de")  # a byte resets it
    site.reactor.advance(9)
    assert not transport.disconnecting
    site.reactor.advance(1)
    assert transport.disconnecting
    assert not app.seen


class _HeldPool:
    """Keeps the requests it is given, to run them when the test says."""

    def __init__(self):
        self.held = []

    def callInThread(self, f, *args):
        self.held.append((f, args))


def test_pipelined_bytes_past_the_head_limit_pause_reading():
    reactor = SyncReactor()
    pool = _HeldPool()
    site = APISite(resources.WSGIResource(reactor, pool, counting_app()),
                   name="t", log_format="x", max_header_size=1024,
                   reactor=reactor)
    channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1))
    transport = StringTransport()
    channel.makeConnection(transport)
    channel.dataReceived(GET)
    channel.dataReceived(GET * 38)  # a flood while the first is in flight
    assert len(GET * 38) > 1024
    assert transport.producerState == "paused"
    f, args = pool.held.pop(0)
    f(*args)  # the second goes to the app, the rest fits: read again
    assert transport.producerState == "producing"
    assert len(pool.held) == 1


class _QueueReactor(SyncReactor):
    def __init__(self):
        super().__init__()
        self.wakeups = []

    def callFromThread(self, f, *args):
        self.wakeups.append((f, args))


def test_responses_queued_together_cost_the_reactor_one_wakeup():
    reactor = _QueueReactor()
    queue = resources.ReactorQueue(reactor)
    done = []
    for n in range(3):
        queue.call(done.append, n)
    assert len(reactor.wakeups) == 1
    f, args = reactor.wakeups.pop()
    f(*args)
    assert done == [0, 1, 2]
    queue.call(done.append, 3)  # after a drain, the next one wakes it again
    assert len(reactor.wakeups) == 1


def test_access_lines_are_written_together_in_twistds_format():
    def app(environ, start_response):
        start_response("200 OK", [("X-OpenStack-Request-Id", "req-1")])
        return [b"abc"]
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, SyncPool(), app),
                   name="osapi_compute",
                   log_format='%(client_ip)s "%(request_line)s" '
                   '%(status_code)s %(body_length)s',
                   reactor=reactor)
    out = io.StringIO()
    site.accessLog.writeTo(out, "osapi_compute/1")
    channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1))
    channel.makeConnection(StringTransport(
        peerAddress=IPv4Address("TCP", "10.0.0.9", 4000)))
    channel.dataReceived(GET * 2)
    assert out.getvalue() == ""  # written at the end of the reactor's turn
    reactor.advance(0)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    for line in lines:
        stamp, _, rest = line.partition(" ")
        assert stamp[:4].isdigit() and "T" in stamp
        assert rest == ('[osapi_compute/1 minova.access#info] '
                        '[req-1 - -] 10.0.0.9 "GET / HTTP/1.1" 200 3')
    assert site.served == 2

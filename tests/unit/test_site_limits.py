"""minova_tw.site: the host's request limits and head deadline, in memory.

Each test feeds raw bytes to an APISite's channel (minova_tw.http11) over a StringTransport
with a synchronous pool and a MemoryReactorClock (``serve`` of
test_resources), so the exact bytes answered, whether the app ran and what
was buffered are all visible, and the deadline runs on the test's clock.
"""

import json

from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.logger import capturedLogs

from minova_tw import resources
from minova_tw.site import APISite

from tests.unit.fakes import SyncPool, SyncReactor, serve, simple_app

GET = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"


def status(transport):
    return transport.value().split(b"\r\n", 1)[0]


def head(transport):
    return transport.value().split(b"\r\n\r\n", 1)[0].lower()


def channel_of(site):
    (channel,) = site._channels
    return channel


def test_a_declared_length_over_the_limit_is_413_before_any_buffer():
    app = simple_app()
    transport, site = serve(app, b"POST / HTTP/1.1\r\nHost: h\r\n"
                            b"Content-Length: 1000000000\r\n\r\nxxxx",
                            max_body_size=100)
    assert status(transport) == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"connection: close" in head(transport)
    assert b"content-type: application/json; charset=utf-8" in head(
        transport)
    body = transport.value().split(b"\r\n\r\n", 1)[1]
    assert json.loads(body) == {
        "overLimit": {"code": 413, "message": "Request is too large."}}
    assert transport.disconnecting
    assert not app.seen
    assert channel_of(site)._body is None  # refused before any buffer


def test_a_chunked_body_is_refused_when_its_running_size_passes_the_limit():
    app = simple_app()
    transport, site = serve(app, b"POST / HTTP/1.1\r\nHost: h\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n"
                            b"3c\r\n" + b"a" * 60 + b"\r\n", max_body_size=100)
    channel = channel_of(site)
    assert transport.value() == b""
    channel.dataReceived(b"3c\r\n" + b"b" * 60 + b"\r\n0\r\n\r\n")
    assert status(transport) == b"HTTP/1.1 413 Request Entity Too Large"
    assert transport.disconnecting
    assert not app.seen  # the final chunk came with it: still not served
    assert channel._body.file.tell() == 60  # never more than the limit


def test_a_body_at_the_limit_is_served():
    app = simple_app()
    transport, _ = serve(app, b"POST / HTTP/1.1\r\nHost: h\r\n"
                         b"Content-Length: 100\r\n\r\n" + b"x" * 100,
                         max_body_size=100)
    assert status(transport) == b"HTTP/1.1 200 OK"
    assert app.seen["body"] == b"x" * 100


def test_no_100_continue_for_a_refused_body():
    transport, _ = serve(simple_app(), b"PUT / HTTP/1.1\r\nHost: h\r\n"
                         b"Expect: 100-continue\r\n"
                         b"Content-Length: 101\r\n\r\n", max_body_size=100)
    assert status(transport) == b"HTTP/1.1 413 Request Entity Too Large"
    assert b"100 Continue" not in transport.value()


def _assert_closed_with(transport, expected):
    assert status(transport) == expected
    assert b"connection: close" in head(transport)
    assert b"content-length: 0" in head(transport)
    assert transport.disconnecting


def test_malformed_heads_are_400_and_close():
    for raw in (b"GET /\x01 HTTP/1.1\r\n\r\n",
                b"BLAH\r\n\r\n",
                b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
                b"POST / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n",
                b"POST / HTTP/1.1\r\nContent-Length: 2\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n",
                b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
                b"GET / HTTP/1.1\r\nno colon\r\n\r\n"):
        app = simple_app()
        transport, _ = serve(app, raw)
        _assert_closed_with(transport, b"HTTP/1.1 400 Bad Request")
        assert not app.seen


def test_a_head_over_max_header_size_is_431():
    app = simple_app()
    headers = b"".join(b"X-H%d: %s\r\n" % (n, b"v" * 900) for n in range(5))
    transport, _ = serve(app, b"GET / HTTP/1.1\r\n" + headers + b"\r\n",
                         max_header_size=4096)
    _assert_closed_with(transport, b"HTTP/1.1 431 Request Header Fields "
                        b"Too Large")
    assert not app.seen


def test_a_line_over_max_header_line_is_431():
    transport, _ = serve(simple_app(), b"GET / HTTP/1.1\r\nX-Token: "
                         + b"t" * 200 + b"\r\n\r\n", max_header_line=100)
    _assert_closed_with(transport, b"HTTP/1.1 431 Request Header Fields "
                        b"Too Large")


def test_a_head_not_complete_in_time_is_408_however_it_trickles():
    transport, site = serve(simple_app(), b"G", header_timeout=10,
                            timeout=900)
    channel = channel_of(site)
    for byte in b"ET / HTTP":  # a byte a second: 9 s, each one in time
        site.reactor.advance(1)
        channel.dataReceived(bytes([byte]))
    assert transport.value() == b""
    site.reactor.advance(1)
    _assert_closed_with(transport, b"HTTP/1.1 408 Request Timeout")
    channel.dataReceived(b"/1.1\r\n\r\n")  # too late: ignored
    assert transport.value().count(b"HTTP/1.1") == 1


def test_the_first_head_deadline_runs_from_the_connection():
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, SyncPool(), simple_app()),
                   name="t", log_format="x", header_timeout=5,
                   reactor=reactor)
    protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1))
    transport = StringTransport()
    protocol.makeConnection(transport)
    reactor.advance(5)
    _assert_closed_with(transport, b"HTTP/1.1 408 Request Timeout")


def test_between_requests_only_the_idle_timeout_runs():
    transport, site = serve(simple_app(), GET, header_timeout=5, timeout=60)
    assert status(transport) == b"HTTP/1.1 200 OK"
    transport.clear()
    site.reactor.advance(30)  # idle, not a slow head: still open
    assert not transport.disconnecting
    channel_of(site).dataReceived(b"GET / HT")
    site.reactor.advance(5)
    _assert_closed_with(transport, b"HTTP/1.1 408 Request Timeout")


def test_a_head_in_time_is_served_and_the_deadline_is_off():
    transport, site = serve(simple_app(), b"GET / HTTP/1.1\r\n",
                            header_timeout=5)
    site.reactor.advance(4)
    channel_of(site).dataReceived(b"Host: h\r\n\r\n")
    assert status(transport) == b"HTTP/1.1 200 OK"
    transport.clear()
    site.reactor.advance(5)
    assert transport.value() == b""


def test_header_timeout_zero_means_no_deadline():
    transport, site = serve(simple_app(), b"GET / HTTP/1.1\r\n",
                            header_timeout=0, timeout=None)
    site.reactor.advance(3600)
    assert not transport.disconnecting


def test_reaching_the_connection_cap_is_logged_once_each_time():
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, SyncPool(), simple_app()),
                   name="osapi_compute", log_format="x", max_connections=2,
                   reactor=reactor)
    with capturedLogs() as events:
        protocols = []
        for n in range(3):
            protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", n))
            protocol.makeConnection(StringTransport())
            protocols.append(protocol)
        protocols[0].connectionLost(None)
        protocols[1].connectionLost(None)
        protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 9))
        protocol.makeConnection(StringTransport())
    warnings = [e for e in events if "default_pool_size cap;" in
                e.get("log_format", "")]
    assert len(warnings) == 2
    assert warnings[0]["api"] == "osapi_compute"


class FakePort:
    """The listening port's accept switch, as APISite drives it."""

    connected = True

    def __init__(self):
        self.reading = True

    def startReading(self):
        self.reading = True

    def stopReading(self):
        self.reading = False


def test_configure_applies_new_settings_and_a_raised_cap_resumes_accepting():
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, SyncPool(), simple_app()),
                   name="metadata", log_format="x", max_connections=1,
                   reactor=reactor)
    site.port = FakePort()
    protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 1))
    protocol.makeConnection(StringTransport())
    assert site.atCap and not site.port.reading
    site.configure(log_format="y %(status_code)s", keep_alive=False,
                   max_connections=4, header_timeout=5, access_log=True)
    assert not site.atCap and site.port.reading
    assert site.accessLog.format == "y %(status_code)s"
    assert not site.keepAlive and site.headerTimeout == 5
    site.configure(log_format="x", access_log=False)
    assert site.accessLog is None and site.keepAlive

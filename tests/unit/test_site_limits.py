"""minova_tw.site: the host's request limits and head deadline, in memory.

Each test feeds raw bytes to an APISite's channel (minova_tw.http11) over a StringTransport
with a synchronous pool and a MemoryReactorClock (``serve`` of
test_resources), so the exact bytes answered, whether the app ran and what
was buffered are all visible, and the deadline runs on the test's clock.
"""

import pytest
from twisted.internet.address import IPv4Address
from twisted.internet.testing import StringTransport
from twisted.logger import capturedLogs

from minova_tw import resources
from minova_tw.site import APISite

from tests.unit.fakes import (FakePort, SyncPool, SyncReactor, capped_site,
                              serve, simple_app)

GET = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"


def status(transport):
    return transport.value().split(b"\r\n", 1)[0]


def head(transport):
    return transport.value().split(b"\r\n\r\n", 1)[0].lower()


def channel_of(site):
    (channel,) = site._channels
    return channel


def _assert_closed_with(transport, expected):
    """``expected`` status, the host's neutral body (one sentence of plain
    text, no API's fault document), and the connection closing."""
    assert status(transport) == expected
    assert b"connection: close" in head(transport)
    assert b"content-type: text/plain" in head(transport)
    body = transport.value().split(b"\r\n\r\n", 1)[1]
    assert b"content-length: %d" % len(body) in head(transport)
    assert body.endswith(b".") and b"\n" not in body and b"{" not in body
    assert transport.disconnecting


def test_a_declared_length_over_the_limit_is_413_before_any_buffer():
    app = simple_app()
    transport, site = serve(app, b"POST / HTTP/1.1\r\nHost: h\r\n"
                            b"Content-Length: 1000000000\r\n\r\nxxxx",
                            max_body_size=100)
    _assert_closed_with(transport, b"HTTP/1.1 413 Request Entity Too Large")
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


@pytest.mark.parametrize("raw", [
    b"GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n",
    b"BLAH\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1e3\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nno colon\r\n\r\n",
    # RFC 9112 3.2: Host is required in 1.1, once, and well formed.
    b"GET / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: a:b\r\n\r\n",
    # RFC 9112 6.1: a 1.0 message with Transfer-Encoding has faulty framing.
    b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
], ids=["request target", "request line", "negative length",
        "length not digits", "length and chunked", "coding not chunked",
        "header line", "no Host", "two Hosts", "two Hosts in 1.0",
        "Host with a space", "Host with a bad port",
        "chunked in 1.0"])
def test_malformed_heads_are_400_and_close(raw):
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


def _connect(site, n):
    protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", n))
    transport = StringTransport()
    protocol.makeConnection(transport)
    return protocol, transport


def test_at_the_cap_the_connection_idle_longest_makes_room():
    site = capped_site(3)
    reactor = site.reactor
    older, older_transport = _connect(site, 1)
    newer, newer_transport = _connect(site, 2)
    newer.dataReceived(GET)  # served, idle since now
    reactor.advance(1)
    older.dataReceived(GET)  # served later: idle for less long
    with capturedLogs() as events:
        _, waiting = _connect(site, 3)  # the cap
    assert newer_transport.disconnecting  # idle longest
    assert not older_transport.disconnecting and not waiting.disconnecting
    assert not site.port.reading  # until the closed one is gone
    newer.connectionLost(None)
    assert site.port.reading
    assert not [e for e in events if "cap;" in e.get("log_format", "")]


def test_at_the_cap_with_none_idle_responses_close_their_connections():
    site = capped_site(2)
    slow, _ = _connect(site, 1)
    slow.dataReceived(b"GET / HTTP/1.1\r\n")  # a head under way: not idle
    other, transport = _connect(site, 2)
    assert site.atCap and not site.port.reading
    other.dataReceived(GET)
    assert b"connection: close" in head(transport)
    assert transport.disconnecting


def _body_upload(**options):
    """A PUT whose head has come and whose 100-byte body has not."""
    app = simple_app()
    transport, site = serve(app, b"PUT / HTTP/1.1\r\nHost: h\r\n"
                            b"Content-Length: 100\r\n\r\n", timeout=900,
                            **options)
    return app, transport, site, channel_of(site)


def test_a_body_trickled_in_is_408_at_its_deadline_however_it_trickles():
    app, transport, site, channel = _body_upload(body_timeout=10,
                                                 body_min_rate=500)
    for _ in range(4):  # a byte every 2 s: 8 s, each byte in time
        site.reactor.advance(2)
        channel.dataReceived(b"x")
    site.reactor.advance(1.9)
    assert transport.value() == b""
    site.reactor.advance(0.2)  # 10 s and 4 bytes' worth (8 ms)
    _assert_closed_with(transport, b"HTTP/1.1 408 Request Timeout")
    assert b"body" in transport.value()
    assert not app.seen


def test_a_body_at_the_minimum_rate_goes_on_past_body_timeout():
    app, transport, site, channel = _body_upload(body_timeout=2,
                                                 body_min_rate=10)
    for _ in range(9):  # 10 bytes a second, for 9 s
        site.reactor.advance(1)
        channel.dataReceived(b"x" * 10)
    assert transport.value() == b""
    channel.dataReceived(b"x" * 10)
    assert status(transport) == b"HTTP/1.1 200 OK"
    assert app.seen["body"] == b"x" * 100


def test_the_body_deadline_wakes_before_a_later_head_deadline():
    # A connection's first head deadline is armed from its start; a body
    # deadline sooner than that still counts.
    _, transport, site, _ = _body_upload(header_timeout=30, body_timeout=5)
    site.reactor.advance(5)
    _assert_closed_with(transport, b"HTTP/1.1 408 Request Timeout")


def test_body_timeout_zero_means_no_body_deadline():
    _, transport, site, _ = _body_upload(body_timeout=0, header_timeout=0)
    site.reactor.advance(600)  # within the idle timeout (900)
    assert transport.value() == b""
    assert not transport.disconnecting

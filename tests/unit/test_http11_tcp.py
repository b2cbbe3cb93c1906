"""HTTP11Channel on a real TCP connection: no reactor turn to read the first
request, none to close; an error while serving it ends the connection; what
the socket does not take of a response goes out through the transport.

The transport is Twisted's own tcp.Server over a real loopback socket, with
a memory reactor that never runs: whatever happens, happens without a turn
(the test that needs the reactor's writes calls the transport's doWrite as
its turns would). The pool runs the app at once (SyncPool).
"""

import socket
import time

import pytest
from twisted.internet import tcp
from twisted.internet.address import IPv4Address
from twisted.logger import capturedLogs

from minova_tw import http11, resources
from minova_tw.site import APISite

from tests.unit.fakes import SyncPool, SyncReactor, simple_app


@pytest.fixture
def connect():
    """connect(request, app=None, receive_buffer=None, send_buffer=None,
    pool=None) -> (client socket, transport, reactor); the channel of the
    last connection is ``connect.channel``."""
    listener = socket.create_server(("127.0.0.1", 0))
    opened = [listener]

    def connect(request, app=None, receive_buffer=None, send_buffer=None,
                pool=None):
        reactor = SyncReactor()
        site = APISite(resources.WSGIResource(
            reactor, pool or SyncPool(), app or simple_app(b"hello")),
            name="test", log_format="%(request_line)s", reactor=reactor)
        client = socket.socket()
        if receive_buffer:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                              receive_buffer)
        client.settimeout(10)
        client.connect(listener.getsockname())
        opened.append(client)
        client.sendall(request)
        server, address = listener.accept()
        if send_buffer:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF,
                              send_buffer)
        # The request is in the server socket before the channel reads it.
        server.recv(1, socket.MSG_PEEK)
        protocol = site.buildProtocol(IPv4Address("TCP", *address))
        transport = tcp.Server(server, protocol, address, None, 1, reactor)
        protocol.makeConnection(transport)
        connect.channel = protocol
        return client, transport, reactor
    yield connect
    for sock in opened:
        sock.close()


def read_all(client):
    chunks = []
    while True:
        chunk = client.recv(65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def test_the_request_sent_with_the_connect_is_served_and_closed_at_once(
        connect):
    client, transport, reactor = connect(
        b"GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    assert transport.disconnected  # no turn of the reactor was needed
    assert transport not in reactor.getReaders()
    assert transport not in reactor.getWriters()
    response = read_all(client)  # a reset would raise
    assert response.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in response
    assert response.endswith(b"\r\n\r\nhello")
    assert not reactor.getDelayedCalls()  # no timer is left behind


class HeldPool:
    """A pool whose calls run when the test says (``run``)."""

    def __init__(self):
        self.calls = []

    def callInThread(self, f, *args, **kwargs):
        self.calls.append((f, args, kwargs))

    def run(self):
        for f, args, kwargs in self.calls:
            f(*args, **kwargs)


def test_no_timer_while_the_app_has_the_request_sent_with_the_connect(
        connect):
    pool = HeldPool()
    client, transport, reactor = connect(
        b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n", pool=pool)
    assert connect.channel.exchange is not None and len(pool.calls) == 1
    assert not reactor.getDelayedCalls()  # nothing to time yet
    pool.run()
    assert client.recv(65536).endswith(b"\r\n\r\nhello")
    # Kept: the idle timeout runs from the response.
    (idle,) = reactor.getDelayedCalls()
    assert idle.getTime() == reactor.seconds() + connect.channel.idleTimeout


def test_a_head_not_sent_with_the_connect_has_its_deadline_from_it(connect):
    client, transport, reactor = connect(b"GET /x HTTP/1.1\r\n")
    (deadline,) = reactor.getDelayedCalls()
    assert deadline.getTime() == reactor.seconds() + (
        connect.channel.headerTimeout)
    reactor.advance(connect.channel.headerTimeout)
    transport.doWrite()  # the reactor's turn that writes the refusal
    assert client.recv(65536).startswith(b"HTTP/1.1 408 ")


def test_a_kept_connection_is_answered_and_stays_open(connect):
    client, transport, reactor = connect(b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
    client.settimeout(10)
    assert client.recv(65536).endswith(b"\r\n\r\nhello")
    assert transport.connected and transport in reactor.getReaders()


def test_an_error_serving_the_first_request_ends_the_connection(
        connect, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug")
    monkeypatch.setattr(http11.HTTP11Channel, "_process", broken)
    with capturedLogs() as events:
        client, transport, reactor = connect(
            b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
    assert transport._aborting and transport not in reactor.getReaders()
    reactor.advance(0)  # abortConnection closes on the next turn
    assert transport.disconnected
    with pytest.raises(ConnectionResetError):
        read_all(client)
    failures = [e for e in events if "log_failure" in e]
    assert [e["log_failure"].value.args for e in failures] == [("a bug",)]


def body_app(body):
    """An app that answers ``body`` in one piece."""
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return [body]
    return app


def receive_with_reactor_turns(client, transport, length):
    """Read one response with a body of ``length`` bytes, running the
    transport's writes as the reactor's turns would: (head, body)."""
    client.setblocking(False)
    data = b""
    deadline = time.monotonic() + 30
    while True:
        head, found, body = data.partition(b"\r\n\r\n")
        if found and len(body) >= length:
            client.setblocking(True)
            return head, body
        assert time.monotonic() < deadline, "the response did not come"
        transport.doWrite()
        try:
            chunk = client.recv(65536)
        except BlockingIOError:
            continue
        assert chunk, "the connection closed in the middle of the response"
        data += chunk


def test_what_the_socket_does_not_take_goes_through_the_reactor_intact(
        connect):
    body = bytes(range(256)) * 800  # 200 KiB: below STREAM_BUFFER
    for path in (b"/big", b"/again"):  # twice on the kept connection
        request = b"GET %s HTTP/1.1\r\nHost: h\r\n\r\n" % path
        if path == b"/big":
            client, transport, reactor = connect(
                request, app=body_app(body), receive_buffer=4096,
                send_buffer=4096)
        else:
            client.sendall(request)
            transport.doRead()
        # The socket took part of the response before the client read any;
        # the rest waits in the transport for the reactor's turns.
        assert transport in reactor.getWriters()
        head, received = receive_with_reactor_turns(client, transport,
                                                    len(body))
        assert b"\r\nContent-Length: %d" % len(body) in head
        assert received == body
        assert transport not in reactor.getWriters()
        assert transport in reactor.getReaders()
    assert connect.channel.site.served == 2


def test_pipelined_get_head_and_close_are_written_in_order(connect):
    seen = []

    def recording(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return [(environ["PATH_INFO"] + ";").encode()] if start_response(
            "200 OK", []) else []
    client, transport, reactor = connect(
        b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
        b"HEAD /2 HTTP/1.1\r\nHost: h\r\n\r\n"
        b"GET /3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
        app=recording)
    channel = connect.channel
    assert seen == ["/1", "/2", "/3"]
    assert transport.disconnected  # the last one said close
    response = read_all(client)
    first, second, third = response.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert first.endswith(b"\r\n\r\n/1;")
    # HEAD: the length of the body it would have had, and no body.
    assert b"Content-Length: 3\r\n" in second and second.endswith(
        b"\r\n\r\n")
    assert b"Connection: close\r\n" in third and third.endswith(b"/3;")
    assert channel.site.served == 3

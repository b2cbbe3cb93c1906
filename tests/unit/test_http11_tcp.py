"""HTTP11Channel on a real TCP connection: no reactor turn to read the first
request, none to close; an error while serving it ends the connection.

The transport is Twisted's own tcp.Server over a real loopback socket, with
a memory reactor that never runs: whatever happens, happens without a turn.
"""

import socket

import pytest
from twisted.internet import tcp
from twisted.internet.address import IPv4Address
from twisted.logger import capturedLogs

from minova_tw import http11, resources
from minova_tw.site import APISite

from tests.unit.fakes import SyncPool, SyncReactor, simple_app


@pytest.fixture
def connect():
    """connect(request) -> (client socket, transport, reactor)."""
    listener = socket.create_server(("127.0.0.1", 0))
    opened = [listener]

    def connect(request):
        reactor = SyncReactor()
        site = APISite(resources.WSGIResource(reactor, SyncPool(),
                                              simple_app(b"hello")),
                       name="test", log_format="%(request_line)s",
                       reactor=reactor)
        client = socket.create_connection(listener.getsockname(), timeout=10)
        opened.append(client)
        client.sendall(request)
        server, address = listener.accept()
        # The request is in the server socket before the channel reads it.
        server.recv(1, socket.MSG_PEEK)
        protocol = site.buildProtocol(IPv4Address("TCP", *address))
        transport = tcp.Server(server, protocol, address, None, 1, reactor)
        protocol.makeConnection(transport)
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

"""minova_tw.compat on real Twisted objects: each private use, and that only compat has them.

Each test drives the real Twisted class over a real loopback socket (real
TLS for the TLS transport) and checks what minova relies on, so that a
Twisted release that renames or changes one of them fails here, by name,
rather than in a hang or a wrong response elsewhere. The TCP tests run the
transport on a memory reactor that never runs: what happens, happens in
the call. The TLS and HTTP/2 tests turn a private SelectReactor (never
installed, never run) by hand until a deadline.
"""

import os
import pathlib
import re
import select
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events
import pytest
import trustme
from oslo_context import context as oslo_context
from twisted.internet import error, protocol, tcp
from twisted.internet.address import IPv4Address
from twisted.internet.selectreactor import SelectReactor
from twisted.internet.testing import MemoryReactorClock
from twisted.python.failure import Failure
from twisted.web import http, resource, server

import minova_tw
from minova_tw import compat, logs

DEADLINE = 10


class Recorder(protocol.Protocol):
    """Keeps what arrives and why the connection ended."""

    def __init__(self):
        self.received = []
        self.lost = None

    def dataReceived(self, data):
        self.received.append(data)

    def connectionLost(self, reason):
        self.lost = reason


@pytest.fixture
def tcp_pair(loopback_connection):
    """tcp_pair(protocol) -> (client socket, server tcp.Server, reactor)."""
    client, accepted = loopback_connection
    accepted.setblocking(False)  # as Twisted's Port accepts it
    reactor = MemoryReactorClock()

    def connect(proto):
        transport = tcp.Server(accepted, proto, accepted.getpeername(), None,
                               1, reactor)
        proto.makeConnection(transport)
        return client, transport, reactor
    return connect


def wait_readable(sock):
    assert select.select([sock], [], [], DEADLINE)[0], "nothing arrived"


def fill(transport):
    """Write to the socket until the kernel takes no more; what it took."""
    sent = 0
    while True:
        try:
            sent += transport.socket.send(b"x" * 65536)  # non-blocking
        except BlockingIOError:
            return sent


def test_read_now_reads_what_arrived_and_raises_when_nothing_is_there(
        tcp_pair):
    client, transport, _ = tcp_pair(Recorder())
    with pytest.raises(BlockingIOError):
        compat.read_now(transport)
    client.sendall(b"GET / HTTP/1.1\r\n\r\n")
    wait_readable(transport.socket)
    assert compat.read_now(transport) == b"GET / HTTP/1.1\r\n\r\n"
    client.close()
    wait_readable(transport.socket)
    assert compat.read_now(transport) == b""  # the end of the stream


def test_nothing_buffered_until_a_write_and_again_once_it_is_sent(
        tcp_pair):
    client, transport, reactor = tcp_pair(Recorder())
    assert compat.nothing_buffered(transport)
    transport.write(b"hello")  # kept for the reactor's next turn
    assert not compat.nothing_buffered(transport)
    assert transport in reactor.getWriters()
    transport.doWrite()  # that turn
    assert compat.nothing_buffered(transport)
    assert client.recv(5) == b"hello"


def test_nothing_buffered_is_false_while_the_socket_holds_back_data(
        tcp_pair):
    client, transport, _ = tcp_pair(Recorder())
    fill(transport)
    transport.write(b"y" * 1000)
    transport.doWrite()  # the socket is full: moved to dataBuffer, not sent
    assert not compat.nothing_buffered(transport)


def test_write_now_sends_at_once_and_counts_what_the_socket_took(tcp_pair):
    client, transport, reactor = tcp_pair(Recorder())
    assert compat.write_now(transport, b"hello") == 5
    assert client.recv(5) == b"hello"
    assert transport not in reactor.getWriters()  # no turn was asked for
    fill(transport)
    assert compat.write_now(transport, b"more") == 0  # the caller keeps it


def test_write_now_on_a_lost_connection_says_so(tcp_pair):
    client, transport, _ = tcp_pair(Recorder())
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close: a reset
    client.close()
    deadline = time.monotonic() + DEADLINE
    while True:
        sent = compat.write_now(transport, b"x")
        if not isinstance(sent, int):
            break
        assert time.monotonic() < deadline, "the reset never arrived"
        select.select([transport.socket], [], [], 0.05)
    assert isinstance(sent, error.ConnectionLost)


def test_close_now_closes_the_socket_and_tells_the_protocol(tcp_pair):
    proto = Recorder()
    client, transport, reactor = tcp_pair(proto)
    assert transport in reactor.getReaders()
    compat.close_now(transport)
    assert transport.disconnected
    assert transport not in reactor.getReaders()
    assert proto.lost is not None and proto.lost.check(error.ConnectionDone)
    assert client.recv(1) == b""  # a FIN, not a reset


def test_shut_down_ends_the_connection_and_keeps_its_descriptor(tcp_pair):
    proto = Recorder()
    client, transport, reactor = tcp_pair(proto)
    fileno = transport.fileno()
    compat.shut_down(transport)
    assert client.recv(1) == b""  # the client sees the end at once
    # Twisted is not told: the descriptor stays open and the transport's.
    assert not transport.disconnected and proto.lost is None
    assert transport.fileno() == fileno
    assert isinstance(compat.write_now(transport, b"x"), error.ConnectionLost)
    compat.shut_down(transport)  # again: no error
    transport.abortConnection()


def test_let_go_closes_the_descriptor_and_leaves_the_connection_up(
        tcp_pair):
    proto = Recorder()
    client, transport, reactor = tcp_pair(proto)
    kept = os.dup(transport.fileno())  # another process's copy, as it were
    try:
        compat.let_go(transport)
        assert transport.disconnected
        assert transport not in reactor.getReaders()
        assert proto.lost is not None and proto.lost.check(error.ConnectionDone)
        # No FIN and no reset: the copy still serves the client both ways.
        other = socket.socket(fileno=os.dup(kept))
        other.sendall(b"still here")
        assert client.recv(10) == b"still here"
        client.sendall(b"and you")
        wait_readable(other)
        assert other.recv(7) == b"and you"
        other.close()
    finally:
        os.close(kept)


class Pending(resource.Resource):
    """Answers later: keeps each request it renders."""

    isLeaf = True

    def __init__(self):
        super().__init__()
        self.requests = []

    def render_GET(self, request):
        self.requests.append(request)
        return server.NOT_DONE_YET


def test_request_disconnected_turns_true_when_the_client_leaves(tcp_pair):
    pending = Pending()
    site = server.Site(pending)
    channel = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 0))
    client, transport, _ = tcp_pair(channel)
    client.sendall(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    wait_readable(transport.socket)
    assert transport.doRead() is None
    [request] = pending.requests
    assert compat.request_disconnected(request) is False
    client.close()
    wait_readable(transport.socket)
    why = transport.doRead()  # the end of the stream, as the reactor reads it
    assert why is not None
    transport.connectionLost(Failure(why))
    assert compat.request_disconnected(request) is True
    assert not request.finished  # the flag is the only one that tells


def turn_until(reactor, done, what):
    """Turn a private reactor until ``done()``, or fail after DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert time.monotonic() < deadline, "gave up waiting for " + what
        reactor.iterate(0.01)


@pytest.fixture
def private_reactor():
    reactor = SelectReactor()
    yield reactor
    for selectable in reactor.removeAll():
        selectable.connectionLost(Failure(error.ConnectionDone()))
    for call in reactor.getDelayedCalls():
        call.cancel()


class Hello(resource.Resource):
    isLeaf = True

    def render_GET(self, request):
        return b"hello over h2"


def test_h2_connection_serves_a_site(private_reactor):
    site = server.Site(Hello())
    served = []

    class H2Factory(protocol.Factory):
        def buildProtocol(self, addr):
            h2conn = compat.h2_connection(private_reactor, site)
            served.append(h2conn)
            return h2conn

    assert http.H2_ENABLED
    port = private_reactor.listenTCP(0, H2Factory(), interface="127.0.0.1")
    client_sock = socket.create_connection(
        ("127.0.0.1", port.getHost().port), timeout=DEADLINE)
    client_sock.setblocking(False)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(
        client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":path", "/"),
                          (":scheme", "http"), (":authority", "h")],
                      end_stream=True)
    client_sock.sendall(conn.data_to_send())
    status, body, ended = [], [], []

    def answered():
        try:
            data = client_sock.recv(65536)
        except BlockingIOError:
            return False
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status.append(dict(event.headers)[":status"])
            elif isinstance(event, h2.events.DataReceived):
                body.append(event.data)
                conn.acknowledge_received_data(event.flow_controlled_length,
                                               event.stream_id)
            elif isinstance(event, h2.events.StreamEnded):
                ended.append(event.stream_id)
        client_sock.sendall(conn.data_to_send())
        return bool(ended)

    try:
        turn_until(private_reactor, answered, "the h2 response")
    finally:
        client_sock.close()
        port.stopListening()
    assert status == ["200"]
    assert b"".join(body) == b"hello over h2"
    assert served[0].site is site and served[0].timeOut == site.timeOut


def test_closing_tls_transport_closes_tcp_after_its_close_notify(
        private_reactor):
    """The server closes; the client never answers close_notify, yet TCP ends."""
    from twisted.internet import ssl as twisted_ssl
    from twisted.protocols.tls import TLSMemoryBIOFactory

    ca = trustme.CA()
    leaf = ca.issue_cert("localhost")
    options = twisted_ssl.CertificateOptions(
        privateKey=twisted_ssl.PrivateCertificate.loadPEM(
            leaf.private_key_and_cert_chain_pem.bytes()).privateKey.original,
        certificate=twisted_ssl.Certificate.loadPEM(
            leaf.cert_chain_pems[0].bytes()).original)
    app = Recorder()

    class TLSFactory(TLSMemoryBIOFactory):
        protocol = compat.closing_tls_transport()

    port = private_reactor.listenTCP(0, TLSFactory(
        options, False, protocol.Factory.forProtocol(lambda: app),
        clock=private_reactor), interface="127.0.0.1")
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = client_ctx.wrap_bio(incoming, outgoing, server_hostname="localhost")
    raw = socket.create_connection(("127.0.0.1", port.getHost().port))
    raw.setblocking(False)
    state = {"eof": False}

    def exchange():
        if outgoing.pending:
            raw.sendall(outgoing.read())
        try:
            data = raw.recv(65536)
        except BlockingIOError:
            return
        if data:
            incoming.write(data)
        else:
            state["eof"] = True

    def handshake_done():
        try:
            tls.do_handshake()
        except ssl.SSLWantReadError:
            exchange()
            return False
        exchange()
        return app.transport is not None and app.transport.getHandle()

    try:
        turn_until(private_reactor, handshake_done, "the TLS handshake")
        tls.write(b"hi")
        turn_until(private_reactor, lambda: exchange() or app.received,
                   "the client's bytes")
        app.transport.loseConnection()  # the server closes first

        def said_close_notify():
            exchange()
            try:
                return tls.read(1) == b""  # what ssl makes of close_notify
            except ssl.SSLWantReadError:
                return False
        turn_until(private_reactor, said_close_notify, "close_notify")
        # The client never sends its own close_notify: the server ends TCP.
        turn_until(private_reactor,
                   lambda: exchange() or state["eof"], "the server's FIN")
    finally:
        raw.close()
        port.stopListening()
    assert app.lost is not None


def test_log_file_descriptor_is_the_file_written_across_rotate_and_reopen(
        tmp_path):
    log_file = logs.LogFile.fromFullPath(str(tmp_path / "minova.log"))

    def same_file():
        return os.path.samestat(os.fstat(compat.log_file_descriptor(log_file)),
                                os.stat(log_file.path))
    try:
        assert same_file()
        log_file.rotate()
        assert same_file()
        log_file.reopen()
        assert same_file()
        assert os.path.exists(log_file.path + ".1")
    finally:
        log_file.close()


def test_forget_oslo_context_clears_this_threads_context():
    made = oslo_context.RequestContext()  # stores itself as current
    assert oslo_context.get_current() is made
    compat.forget_oslo_context()
    assert oslo_context.get_current() is None


# The private names compat.py wraps; no other module of minova may use them.
PRIVATE = re.compile(
    r"_tempDataLen|\bdataBuffer\b|\bwriteSomeData\b|\bsocket\.recv\b"
    r"|twisted\.web\._http2|\b_shutdownTLS\b|\._disconnected\b"
    r"|_request_store|\._file\.fileno\b|\b_openFile\b"
    r"|\btransport\.connectionLost\(|\bsocket\.shutdown\("
    r"|\b_shouldShutdown\b")


def test_only_compat_uses_twisted_and_oslo_private_names():
    package = pathlib.Path(minova_tw.__file__).parent
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path.name == "compat.py" and path.parent == package:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if PRIVATE.search(line):
                offenders.append("%s:%d: %s" % (
                    path.relative_to(package), number, line.strip()))
    assert offenders == [], "use minova_tw.compat:\n" + "\n".join(offenders)


def test_the_check_above_knows_each_use_compat_wraps():
    source = pathlib.Path(compat.__file__).read_text()
    for use in ("transport._tempDataLen", "transport.dataBuffer",
                "transport.writeSomeData(", "transport.socket.recv(",
                "from twisted.web._http2 import", "def _shutdownTLS(",
                "request._disconnected", "._file.fileno(",
                "oslo_context._request_store.", "transport.connectionLost(",
                "transport.socket.shutdown(", "transport._shouldShutdown"):
        assert use in source and PRIVATE.search(use), use

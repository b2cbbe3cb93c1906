"""A keep-alive connection leased to the pool thread that serves it
(minova_tw.http11): the thread reads and answers the client's next
requests itself, and the reactor gets the connection back for anything
else, with nothing lost, out of order or left open.

Each test runs twice: with the app's requests short, as the test app's
are, a leased connection's thread waits for its client's next request
(``own``); with them taken as long (``AppTime.LONG`` zero, every request
timed), the connection waits in the pool's lease loop after each answer
(``loop``, minova_tw.threadpool).

A real epoll reactor runs in a thread of its own, with minova's shared pool
and an APISite on a loopback port; clients are blocking sockets in the
test's thread. ``LINGER`` is a minute, so a client's next request always
finds its thread waiting, or its connection in the loop: what ends a wait
is what the test does.
"""

import io
import json
import socket
import threading

import pytest
from twisted.internet import epollreactor
from twisted.internet.threads import blockingCallFromThread

from minova_tw import http11, resources, threadpool
from minova_tw.site import APISite
from tests.polling import wait_for


def app(environ, start_response):
    """Echo what the test needs to see; ``/hold`` waits for ``app.release``,
    ``/meet`` for as many others at ``app.barrier`` as it is made for,
    ``/big`` answers ``app.BIG`` bytes, ``/stream`` streams ``app.STREAM``
    bytes, ``/raise`` raises, ``/tail`` sends ``app.BIG + 2`` bytes (more
    than STREAM_BUFFER, so they go out at once) then waits for
    ``app.release`` before its iterable ends."""
    path = environ["PATH_INFO"]
    app.running.append(path)
    if path == "/hold":
        app.release.wait(30)
    if path == "/meet":
        app.barrier.wait()
    if path == "/raise":
        raise RuntimeError("the app failed")
    if path == "/big":
        body = b"x" * app.BIG
    elif path == "/tail":
        body = b"z" * (app.BIG + 2)
        start_response("200 OK", [("Content-Length", str(len(body)))])
        return _held_tail(body)
    elif path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (b"y" * 65536 for _ in range(app.STREAM // 65536))
    else:
        body = json.dumps({
            "path": path, "thread": threading.get_ident(),
            "body": environ["wsgi.input"].read().decode()}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


def _held_tail(body):
    yield body
    app.release.wait(30)


#: Sent whole, not streamed (under STREAM_BUFFER), and streamed.
app.BIG = resources.WSGIResource.STREAM_BUFFER - 1
app.STREAM = 8 * 1024 * 1024


class Served:
    """The running reactor, pool, site and port of one test."""

    def __init__(self, pool_size, loops):
        self.loops = loops
        self.reactor = epollreactor.EPollReactor()
        self.pool = threadpool.shared(self.reactor, pool_size)
        resource = resources.make_resource(app, self.reactor, pool=self.pool)
        self.site = APISite(resource, name="test", reactor=self.reactor,
                            log_format="%(request_line)s %(status_code)s")
        self.log = io.StringIO()
        self.site.accessLog.writeTo(self.log)
        self.reads = []  # (channel, data) the reactor gave each channel
        self.leases = []  # the channel of each lease
        self.resumes = []  # the channel, each time a lease's end read on
        build = self.site.buildProtocol

        def buildProtocol(addr):
            channel = build(addr)
            received, lease = channel.dataReceived, channel._lease

            def dataReceived(data):
                self.reads.append((channel, data))
                received(data)

            def _lease(*args):
                self.leases.append(channel)
                transport = channel.transport
                if "resumeProducing" not in vars(transport):
                    resume = transport.resumeProducing

                    def resumeProducing():
                        self.resumes.append(channel)
                        resume()
                    transport.resumeProducing = resumeProducing
                lease(*args)
            channel.dataReceived, channel._lease = dataReceived, _lease
            return channel
        self.site.buildProtocol = buildProtocol
        self.thread = threading.Thread(
            target=self.reactor.run, kwargs={"installSignalHandlers": False})
        self.thread.start()
        self.port = blockingCallFromThread(
            self.reactor, self.reactor.listenTCP, 0, self.site,
            interface="127.0.0.1")

    def call(self, f, *args):
        """``f(*args)`` in the reactor thread; its result."""
        return blockingCallFromThread(self.reactor, f, *args)

    def connect(self, receive_buffer=None):
        sock = socket.socket()
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF,
                            receive_buffer)
        sock.settimeout(20)
        sock.connect(("127.0.0.1", self.port.getHost().port))
        return sock

    def stop(self):
        self.reactor.callFromThread(self.reactor.stop)
        self.thread.join(30)


@pytest.fixture(params=["own", "loop"])
def served(request, monkeypatch):
    monkeypatch.setattr(threadpool, "LINGER", 60)
    loops = request.param == "loop"
    if loops:
        monkeypatch.setattr(resources.AppTime, "LONG", 0.0)
        monkeypatch.setattr(resources.AppTime, "EVERY", 1)
    app.running = []
    app.release = threading.Event()
    started = []

    def serve(pool_size=4):
        started.append(Served(pool_size, loops))
        return started[-1]
    yield serve
    app.release.set()
    for one in started:
        one.stop()


def request(path, extra=b"", body=b""):
    head = b"GET %s HTTP/1.1\r\nHost: h\r\n" % path.encode()
    if body:
        head = head.replace(b"GET", b"POST", 1) + (
            b"Content-Length: %d\r\n" % len(body))
    return head + extra + b"\r\n" + body


def receive(sock, data, until):
    """``data`` and what ``sock`` sends next, until ``until(data)``."""
    while not until(data):
        chunk = sock.recv(65536)
        assert chunk, "closed within a response: %r" % data[:200]
        data += chunk
    return data


def read_response(sock, rest=b""):
    """(head, body, what followed) of one response, sized or chunked."""
    data = receive(sock, rest, lambda data: b"\r\n\r\n" in data)
    head, _, data = data.partition(b"\r\n\r\n")
    if b"\r\nTransfer-Encoding: chunked" in head:
        body = []
        while True:
            data = receive(sock, data, lambda data: b"\r\n" in data)
            size, _, data = data.partition(b"\r\n")
            size = int(size, 16)
            data = receive(sock, data, lambda data: len(data) >= size + 2)
            if not size:
                return head, b"".join(body), data[2:]
            body.append(data[:size])
            data = data[size + 2:]
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    data = receive(sock, data, lambda data: len(data) >= length)
    return head, data[:length], data[length:]


def ask(sock, path, **kw):
    sock.sendall(request(path, **kw))
    head, body, rest = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ") and rest == b""
    return json.loads(body)


def closed(sock):
    """Whether the server ended ``sock`` (EOF or reset)."""
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_one_thread_reads_and_answers_a_kept_connections_requests(served):
    server = served()
    sock = server.connect()
    answers = [ask(sock, "/%d" % n) for n in range(10)]
    assert [a["path"] for a in answers] == ["/%d" % n for n in range(10)]
    # The reactor read the first request only; one thread served them all.
    assert len(server.reads) == 1 and len(server.leases) == 1
    assert len({a["thread"] for a in answers}) == 1
    # Each was counted and logged, in order, by the thread (just after
    # its response was sent).
    wait_for(lambda: len(server.log.getvalue().splitlines()) == 10,
             what="10 lines logged")
    assert [line.split("] ", 1)[1]
            for line in server.log.getvalue().splitlines()] == [
        "GET /%d HTTP/1.1 200" % n for n in range(10)]
    assert server.site.served == 10
    # The client leaves: the reactor has the connection back and closes it.
    sock.close()
    wait_for(lambda: not server.site.channels, what="the connection closed")


def test_connections_that_take_turns_share_the_running_thread(served):
    # Two connections on a pool of two, asking in turn: the thread that
    # runs serves the other connection's request too, so every request is
    # answered in order, nothing lost, and no second thread is needed
    # while the first keeps up (minova_tw.threadpool). Its own wait for
    # its client ends, and the reactor reads each request; in the lease
    # loop, the second connection's first request, read by the reactor,
    # is handed to the loop's thread, which keeps both: the reactor reads
    # nothing more.
    server = served(pool_size=2)
    a, b = server.connect(), server.connect()
    answers = {a: [ask(a, "/a0")], b: [ask(b, "/b0")]}
    for n in range(1, 6):
        for sock, name in ((a, "a"), (b, "b")):
            answers[sock].append(ask(sock, "/%s%d" % (name, n)))
    for sock, name in ((a, "a"), (b, "b")):
        assert [answer["path"] for answer in answers[sock]] == [
            "/%s%d" % (name, n) for n in range(6)]
    assert len(server.leases) >= 2
    if server.loops:
        assert len(server.leases) == 2 and len(server.reads) == 2
        assert not server.resumes
    wait_for(lambda: server.site.served == 12, what="12 counted")


def test_requests_that_wait_get_a_thread_each_up_to_the_pool(served):
    # Three requests that can only end together (each waits for the
    # others at a barrier): the running thread waits, the process uses
    # no CPU, and the pool wakes a thread for each waiting request.
    server = served(pool_size=3)
    app.barrier = threading.Barrier(3, timeout=20)
    socks = [server.connect() for _ in range(3)]
    for sock in socks:
        sock.sendall(request("/meet"))
    answers = [read_response(sock) for sock in socks]
    assert all(head.startswith(b"HTTP/1.1 200 ") for head, _, _ in answers)
    assert len({json.loads(body)["thread"] for _, body, _ in answers}) == 3


def test_a_body_a_pipeline_and_an_error_go_back_to_the_reactor(served):
    server = served()
    sock = server.connect()
    first = ask(sock, "/first")
    # A request with a body is the reactor's to read (its deadlines).
    assert ask(sock, "/post", body=b"the body") == {
        "path": "/post", "body": "the body", "thread": first["thread"]}
    assert server.resumes  # the lease's end read on, for the body
    # Two requests at once: answered in order.
    sock.sendall(request("/a") + request("/b"))
    head, body, rest = read_response(sock)
    assert json.loads(body)["path"] == "/a"
    head, body, rest = read_response(sock, rest)
    assert json.loads(body)["path"] == "/b" and rest == b""
    # A malformed head: 400 and closed, as the reactor answers it.
    sock.sendall(b"GET / HTTP/1.1\r\nHost: h\r\nBad header\r\n\r\n")
    head, body, rest = read_response(sock)
    assert head.startswith(b"HTTP/1.1 400 ") and closed(sock)
    # An app that raises: 500 and closed.
    sock = server.connect()
    ask(sock, "/before")
    sock.sendall(request("/raise"))
    head, body, rest = read_response(sock)
    assert head.startswith(b"HTTP/1.1 500 ") and closed(sock)
    wait_for(lambda: server.site.served == 6,  # the 400 is the host's own
             what="6 counted")
    wait_for(lambda: not server.site.channels, what="both closed")


def test_a_response_the_socket_cannot_take_is_finished_by_the_reactor(
        served):
    server = served()
    sock = server.connect(receive_buffer=4096)
    ask(sock, "/first")
    (channel,) = server.site.channels
    server.call(channel.transport.socket.setsockopt, socket.SOL_SOCKET,
                socket.SO_SNDBUF, 4096)
    sock.sendall(request("/big"))
    head, body, rest = read_response(sock)
    assert body == b"x" * app.BIG and rest == b""
    # The reactor wrote the rest: the connection is still good after it,
    # and after a response that streams (which the reactor writes).
    assert ask(sock, "/after")["path"] == "/after"
    sock.sendall(request("/stream"))
    head, body, rest = read_response(sock)
    assert body == b"y" * app.STREAM and rest == b""
    assert ask(sock, "/last")["path"] == "/last"
    wait_for(lambda: server.site.served == 5, what="5 counted")


def test_a_call_for_the_pool_ends_a_thread_waiting_for_a_client(served):
    # Two threads: one waits on A's connection for its next request, the
    # other is held by B. C's request finds no thread asleep, so it is
    # queued, which ends the wait: A's thread answers C while B still
    # holds the other (without that, C would wait for the linger's minute,
    # or for B's release, which comes after C's answer). In the lease
    # loop, the loop's thread keeps A and runs B's request, handed to it;
    # C's, queued for it, gets the other thread, which the reactor's look
    # at the pool wakes as the process uses no CPU.
    server = served(pool_size=2)
    a = server.connect()
    ask(a, "/a")
    b = server.connect()
    b.sendall(request("/hold"))
    wait_for(lambda: "/hold" in app.running, what="B in the app")
    c = server.connect()
    assert ask(c, "/c")["path"] == "/c"
    assert not app.release.is_set()
    app.release.set()
    head, body, rest = read_response(b)
    assert json.loads(body)["path"] == "/hold"
    assert ask(a, "/a-again")["path"] == "/a-again"


def test_an_abort_ends_a_leased_connection_at_once_and_closes_it_later(
        served):
    # A drain out of time aborts every connection: the client of a request
    # still in the app sees its connection end at once, and the site
    # counts it closed; its socket is closed once the app returned.
    server = served()
    sock = server.connect()
    ask(sock, "/first")
    sock.sendall(request("/hold"))
    wait_for(lambda: "/hold" in app.running, what="the request in the app")
    (channel,) = server.site.channels
    server.call(server.site._abortAll)
    assert closed(sock)
    assert not server.site.channels
    assert channel.transport.connected  # the thread still holds it
    app.release.set()
    wait_for(lambda: not channel.transport.connected,
             what="the socket closed once the thread let go")
    assert server.site.served == 1  # the aborted response was not sent


def test_a_request_read_by_the_thread_as_the_site_drains_is_answered(
        served):
    # The answer before the drain kept the connection; a request the
    # thread reads after the drain began (one with a body, which it hands
    # to the reactor) is answered, saying close, never dropped.
    server = served()
    sock = server.connect()
    ask(sock, "/first")
    def drain():
        server.site.drain(0)  # (its Deferred fires once all are closed)
    server.call(drain)
    sock.sendall(request("/post", body=b"late"))
    head, body, rest = read_response(sock)
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"\r\nConnection: close" in head
    assert json.loads(body)["body"] == "late"
    assert closed(sock)


def test_a_last_request_is_leased_for_its_answer_alone(served):
    # Connection: close: the thread writes the answer to the socket itself
    # and gives the connection back at once (no next request to wait for:
    # LINGER is a minute here, and the client sees the close at once),
    # and the reactor closes it. The reactor read the request and nothing
    # else, and did not read on between the lease's end and the close.
    server = served()
    sock = server.connect()
    last = request("/last", extra=b"Connection: close\r\n")
    sock.sendall(last)
    head, body, rest = read_response(sock)
    assert json.loads(body)["path"] == "/last" and closed(sock)
    assert b"\r\nConnection: close" in head
    channel, = server.leases
    wait_for(lambda: not channel._leased and channel.transport.disconnected,
             what="the reactor's close")
    assert b"".join(data for _, data in server.reads) == last
    assert server.resumes == []
    wait_for(lambda: "GET /last HTTP/1.1 200" in server.log.getvalue(),
             what="the access line")


def test_a_drain_that_begins_after_a_kept_answer_gives_the_grace(served):
    # The thread sees the drain once its answer (which kept the
    # connection) is out, and gives the connection back: it stays open for
    # the drain's grace period like any idle one, and the client's next
    # request, sent in that time, is answered and closes it.
    server = served()
    sock = server.connect()
    release = threading.Event()
    original = server.site.requestEnded

    def requestEnded(request, fromThread=False):
        original(request, fromThread)
        if fromThread:  # the answer is out; the drain begins
            server.reactor.callFromThread(server.site.drain, 0)
            wait_for(lambda: server.site.draining, what="draining")
            release.set()
    server.site.requestEnded = requestEnded
    ask(sock, "/first")
    assert release.wait(10)
    wait_for(lambda: server.leases and not server.leases[0]._leased,
             what="the connection back with the reactor")
    sock.sendall(request("/next"))
    head, body, rest = read_response(sock)
    assert json.loads(body)["path"] == "/next"
    assert b"\r\nConnection: close" in head and closed(sock)


def test_a_connection_is_idle_from_its_last_answer_not_its_leases_end(
        served, monkeypatch):
    # The site's cap closes the connection idle longest (APISite). A
    # leased connection is idle from the end of its last answer, however
    # late its thread gives it back: A, answered before B, must not seem
    # used after B's answer because A's lease ended later (here when B's
    # request, queued for the thread that runs, ends A's wait for its
    # client, as a LINGER that ran late would; in the lease loop, when
    # its LINGER ends, after B's answer).
    monkeypatch.setattr(threadpool, "LINGER", 0.5)
    server = served(pool_size=2)
    a = server.connect()
    ask(a, "/a")
    wait_for(lambda: server.site.served == 1, what="A's answer counted")
    between = server.reactor.seconds()
    b = server.connect()
    ask(b, "/b")
    # (Counted once its thread has ended the exchange, which can come
    # just after the client has the answer.)
    wait_for(lambda: server.site.served == 2, what="B's answer counted")
    channel_a, channel_b = server.leases
    wait_for(lambda: channel_a in server.resumes,
             what="A's lease ended, after B's answer")
    assert channel_a.idleSince <= between < channel_b.idleSince
    c = server.connect()
    ask(c, "/c")
    # At the cap, A is the one closed; B goes on.
    server.site.maxConnections = 4
    d = server.connect()
    assert closed(a)
    assert ask(b, "/b-again")["path"] == "/b-again"
    assert ask(d, "/d")["path"] == "/d"


def test_at_the_cap_an_answer_sent_before_it_closes_as_it_goes_idle(served):
    # At the cap with none idle, responses say close (APISite). A's answer
    # went out keep-alive before the cap came, while its exchange still
    # ran (the app's iterable had not ended): once it ends, A is idle and
    # is closed, which lets the client waiting in the backlog in.
    server = served(pool_size=2)
    server.site.maxConnections = 2
    a = server.connect()
    a.sendall(request("/tail"))
    head, body, rest = read_response(a)
    assert len(body) == app.BIG + 2 and rest == b""
    assert b"Connection: close" not in head
    b = server.connect()
    wait_for(lambda: server.site.atCap, what="the cap, with A not idle")
    app.release.set()
    a.settimeout(5)
    assert closed(a)
    wait_for(lambda: not server.site.atCap, what="below the cap again")
    assert ask(b, "/b")["path"] == "/b"
    assert ask(b, "/b-again")["path"] == "/b-again"

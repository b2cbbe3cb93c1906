"""The WSGI container without threads or sockets: a synchronous reactor and pool.

``SyncReactor`` and ``SyncPool`` run the reactor-side delivery and the app
in the test's thread, so every path is deterministic; ``serve`` feeds raw
bytes to an APISite over a StringTransport; ``simple_app`` records the
environ and body it got. ``ThreadedClock`` is for real threads instead:
what they send the reactor waits until the test runs it.
``finished_request`` is what an access log reads of a request.
"""

import queue
import time
import types

from twisted.internet.address import IPv4Address
from twisted.internet.testing import MemoryReactorClock, StringTransport

from minova_tw import resources
from minova_tw.site import APISite


class SyncReactor(MemoryReactorClock):
    def callFromThread(self, f, *args, **kwargs):
        f(*args, **kwargs)


class ThreadedClock(MemoryReactorClock):
    """A MemoryReactorClock whose ``callFromThread`` calls wait for ``runFromThreads``."""

    def __init__(self):
        super().__init__()
        self.fromThreads = queue.SimpleQueue()

    def callFromThread(self, f, *args, **kw):
        self.fromThreads.put((f, args, kw))

    def runFromThreads(self, until, timeout=10):
        """Run what threads sent, until ``until()`` is true (deadline: ``timeout``)."""
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, "nothing came from the threads"
            try:
                f, args, kw = self.fromThreads.get(timeout=0.05)
            except queue.Empty:
                continue
            f(*args, **kw)


def finished_request(request_line):
    """A request answered 200 as minova_tw.accesslog.AccessLog.line reads
    it, with ``request_line``."""
    return types.SimpleNamespace(
        client_ip="127.0.0.1", request_line=request_line, code=200,
        sentLength=2, started=time.monotonic(), requestId=None)


class SyncPool:
    def callInThread(self, f, *args, **kwargs):
        f(*args, **kwargs)


def serve(app, raw, **site_options):
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, SyncPool(), app),
                   name="test", log_format="%(request_line)s",
                   reactor=reactor, **site_options)
    protocol = site.buildProtocol(IPv4Address("TCP", "127.0.0.1", 5555))
    transport = StringTransport(
        hostAddress=IPv4Address("TCP", "127.0.0.1", 8774),
        peerAddress=IPv4Address("TCP", "127.0.0.1", 5555))
    protocol.makeConnection(transport)
    protocol.dataReceived(raw)
    return transport, site


def simple_app(body=b"ok", headers=()):
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        seen["body"] = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")]
                       + list(headers))
        return [body]
    app.seen = seen
    return app


class FakePort:
    """A listening port whose accepting the site pauses and resumes."""

    connected = True
    reading = True

    def stopReading(self):
        self.reading = False

    def startReading(self):
        self.reading = True


def capped_site(max_connections):
    """An APISite with a connection cap, on a FakePort."""
    reactor = SyncReactor()
    site = APISite(resources.WSGIResource(reactor, SyncPool(), simple_app()),
                   name="osapi_compute", log_format="x",
                   max_connections=max_connections, reactor=reactor)
    site.port = FakePort()
    return site

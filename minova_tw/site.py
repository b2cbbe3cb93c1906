"""minova's HTTP layer: the Site of one API, its limits, access log and drain.

``APISite`` serves HTTP/1.1 with minova's own channel (minova_tw.http11,
which enforces the request limits and deadlines of ``[wsgi]`` and the
API's body size limit, minova_tw.apiservice.max_body_size) and HTTP/2, when
ALPN chose it, with twisted.web's H2Connection and ``APIRequest``. It
writes nova's access line for each request (minova_tw.accesslog) unless
``<api>_access_log`` is off, closes connections after each response when
``[wsgi] keep_alive`` is off, keeps at most
``default_pool_size`` connections open (see ``channelOpened``), knows
its connections so a stopping server can let the requests in flight
finish, and counts the requests it served (a worker
with ``[wsgi] worker_max_requests`` asks to be replaced at the limit).

It is a plain protocol Factory, not a twisted.web Site: twisted.web.server
(with the perspective broker, cred and XML modules it imports, about 2 MB
of every process) is loaded only by a process whose API serves HTTP/2,
whose streams go through ``h2Site()`` (minova_tw.h2).
"""

import threading

from twisted.internet import defer, protocol
from twisted.logger import Logger

from minova_tw import reactors
from minova_tw.accesslog import AccessLog
from minova_tw.http11 import HTTP11Channel

log = Logger(namespace="minova.site")

#: How long a draining site keeps connections that are idle between requests
#: open. Closing one at once would fail a request its client sent just
#: before the close arrived; given this long, a busy client sends its next
#: request, which is answered with "Connection: close".
DRAIN_IDLE_GRACE = 1.0
#: After how many of its first responses a connection this worker accepted
#: may move to a sibling with fewer (minova_tw.balance); one it was sent
#: never moves again.
MOVE_CHECKS = 8


class APISite(protocol.Factory):
    """The Site serving one API; see the module docstring."""

    noisy = False
    #: The API's minova_tw.metrics.APIMetrics, or None when metrics are off.
    metrics = None
    #: This worker's minova_tw.balance.Balancer, or None (one process).
    balancer = None
    #: The minova_tw.accesslog.AccessLog; None with ``<api>_access_log``
    #: off.
    accessLog = None

    def __init__(self, resource, *, name, reactor=None, **settings):
        self.resource = resource
        self.reactor = reactors.resolve(reactor)
        self.name = name
        self.atCap = False
        self.draining = False
        self.port = None
        self.served = 0
        self._counting = threading.Lock()
        self._servedLimit = None
        self._servedNotice = None
        self._channels = set()
        self._closed = None
        self._h2Site = None
        self._adopting = False
        self.configure(**settings)

    def configure(self, *, log_format, keep_alive=True,
                  max_header_line=16384, max_header_size=65536,
                  header_timeout=30, body_timeout=30, body_min_rate=500,
                  max_body_size=None, timeout=900, max_connections=0,
                  access_log=True):
        """Apply the site's settings; a reload of an in-process API calls
        it again, so that it serves as a new worker would.

        Connections opened from now on take the limits (a connection keeps
        those it opened with); every response from now on takes
        ``keep_alive``, the access log and the connection cap.
        """
        #: The idle timeout between requests, in seconds (None: none).
        self.timeOut = timeout or None
        if self._h2Site is not None:
            self._h2Site.timeOut = self.timeOut
        if self.accessLog is not None:
            self.accessLog.flush()  # (the lines of the settings before)
        self.accessLog = (AccessLog(self.name, log_format, self.reactor)
                          if access_log else None)
        self.keepAlive = keep_alive
        self.maxHeaderLine = max_header_line
        self.maxHeaderSize = max_header_size
        self.headerTimeout = header_timeout or None
        self.bodyTimeout = body_timeout or None
        self.bodyMinRate = body_min_rate
        self.maxBodySize = max_body_size
        self.maxConnections = max_connections
        if self.atCap and (not max_connections
                           or len(self._channels) < max_connections):
            self.atCap = False
            self._accepting(True)

    def buildProtocol(self, addr):
        """minova's HTTP/1.1 channel (which hands h2 to twisted.web)."""
        channel = HTTP11Channel(self)
        channel.factory = self
        if self.balancer is not None and not self._adopting:
            channel.moveChecks = MOVE_CHECKS
        return channel

    def adopt(self, sock):
        """Serve the connected socket ``sock``, which a sibling worker
        accepted and moved here (minova_tw.balance); it moves no more.
        The caller closes ``sock``: the reactor serves a copy."""
        self._adopting = True
        try:
            self.reactor.adoptStreamConnection(sock.fileno(), sock.family,
                                               self)
        finally:
            self._adopting = False

    def acceptableProtocols(self):
        """No ALPN protocols of the site's own: the TLS settings choose
        (h2 only when ``[wsgi] http2`` asks, see minova_tw.tls)."""
        return []

    def h2Site(self):
        """The twisted.web Site that HTTP/2 streams of this API go through."""
        if self._h2Site is None:
            from minova_tw.h2 import H2Site
            self._h2Site = H2Site(self)
        return self._h2Site

    def _accepting(self, accept):
        if self.port is not None and self.port.connected:
            if accept:
                self.port.startReading()
            else:
                self.port.stopReading()

    @property
    def channels(self):
        """The connections open now, each an APIChannel."""
        return frozenset(self._channels)

    def channelOpened(self, channel):
        """Count a new connection; at the cap, make room for the next.

        At ``default_pool_size`` connections the site stops accepting and
        closes the connection idle longest between requests, as nginx
        reuses its keep-alive connections when it runs out, so that idle
        clients cannot keep new ones out; the next client is accepted once
        it has closed. With none idle, further clients wait in the kernel's
        backlog (one warning each time), responses say ``Connection:
        close`` (``atCap``), a connection whose response had gone out
        before closes as it goes idle (minova_tw.http11), and each
        connection that closes lets one in;
        slow heads and bodies meet their deadlines (minova_tw.http11).
        """
        self._channels.add(channel)
        if self.balancer is not None:
            self.balancer.holding(len(self._channels))
        if self.maxConnections and len(self._channels) >= self.maxConnections:
            self._accepting(False)
            if self._closeLongestIdle():
                return
            if not self.atCap:
                self.atCap = True
                log.warn("{api}: {count} connections open, the [wsgi] "
                         "default_pool_size cap; new clients wait in the "
                         "listen backlog until one closes", api=self.name,
                         count=len(self._channels))

    def _closeLongestIdle(self):
        """Close the connection idle longest; False when none is idle."""
        idle = [channel for channel in self._channels
                if channel.idleSince is not None]
        if not idle:
            return False
        channel = min(idle, key=lambda channel: channel.idleSince)
        log.debug("{api}: closing the connection idle longest to make room "
                  "at the default_pool_size cap", api=self.name)
        channel.loseConnection()
        return True

    def channelClosed(self, channel):
        self._channels.discard(channel)
        if self.balancer is not None:
            self.balancer.holding(len(self._channels))
        if self.draining:
            if not self._channels and not self._closed.called:
                self._closed.callback(None)
        elif (self.maxConnections
                and len(self._channels) == self.maxConnections - 1):
            self._accepting(True)
            if self.atCap:
                self.atCap = False
                log.info("{api}: below the default_pool_size cap again, "
                         "accepting connections", api=self.name)

    def requestStarted(self, request):
        """A request is complete and goes to the app."""
        if self.metrics is not None:
            self.metrics.started(request)

    def requestEnded(self, request, fromThread=False):
        """A response was sent: count it, log its access line (if on).

        ``fromThread``: called by the pool thread that served a leased
        connection (minova_tw.http11), beside the reactor and other such
        threads.
        """
        with self._counting:
            self.served += 1
            served = self.served
        if served == self._servedLimit:
            if fromThread:
                self.reactor.callFromThread(self._servedNotice.callback,
                                            served)
            else:
                self._servedNotice.callback(served)
        if self.metrics is not None:
            self.metrics.served(request)
        if self.accessLog is not None:
            self.accessLog.line(request, fromThread)

    def notifyServed(self, count):
        """A Deferred that fires once ``count`` requests have been served."""
        self._servedLimit = count
        self._servedNotice = defer.Deferred()
        return self._servedNotice

    def drain(self, timeout):
        """Let in-flight requests finish, at most ``timeout`` seconds (0: no limit).

        Call it once the port stopped listening. Responses from now on say
        ``Connection: close`` (a response already under way closes its
        connection when it ends), and connections still idle between requests
        after ``DRAIN_IDLE_GRACE`` are closed. Fires when every connection
        has closed (so each response was flushed to its client), or when the
        time is up and the connections still open were aborted. By then
        the access log has written every line it holds: the reactor stops
        soon after, and the timer of the lines' batch with it.
        """
        self.draining = True
        self._closed = defer.Deferred()
        if not self._channels:
            self._closed.callback(None)
        idle = self.reactor.callLater(DRAIN_IDLE_GRACE, self._closeIdle)
        self._closed.addBoth(self._cancel, idle)
        if timeout:
            deadline = self.reactor.callLater(timeout, self._abortAll)
            self._closed.addBoth(self._cancel, deadline)
        self._closed.addBoth(self._flushAccessLog)
        return self._closed

    def _flushAccessLog(self, result):
        if self.accessLog is not None:
            self.accessLog.flush()
        return result

    def _closeIdle(self):
        for channel in list(self._channels):
            if channel.idle:
                channel.loseConnection()

    def _abortAll(self):
        for channel in list(self._channels):
            channel.abortConnection()

    @staticmethod
    def _cancel(result, call):
        if call.active():
            call.cancel()
        return result

"""minova's HTTP layer on twisted.web: keep-alive, header limits, access log, drain.

``APISite`` is the ``Site`` one API is served by. It writes nova's access log
line (``[wsgi] wsgi_log_format``), closes connections after each response
when ``[wsgi] keep_alive`` is off, applies ``max_header_line`` and the idle
timeout (``client_socket_timeout``), keeps at most ``default_pool_size``
connections open by pausing ``accept`` at the cap (further clients wait in
the kernel's backlog), knows its in-flight requests so a stopping server
can let them finish, and counts the requests it served (a worker with
``[wsgi] worker_max_requests`` asks to be replaced at the limit).
"""

import time

from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import http, server

from minova_tw import logs

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

access_log = Logger(namespace="minova.access")

#: How long a draining site keeps connections that are idle between requests
#: open. Closing one at once would fail a request its client sent just
#: before the close arrived; given this long, a busy client sends its next
#: request, which is answered with "Connection: close".
DRAIN_IDLE_GRACE = 1.0


class APIRequest(server.Request):
    """A request that remembers when it started, for the access log."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = time.monotonic()


class APIChannel(http.HTTPChannel):
    """An HTTPChannel that honours [wsgi] keep_alive and counts itself."""

    #: The H2Connection serving this connection instead, once ALPN chose h2.
    h2 = None

    def connectionMade(self):
        super().connectionMade()
        self.site.channelOpened(self)

    def connectionLost(self, reason):
        self.site.channelClosed(self)
        super().connectionLost(reason)

    def checkPersistence(self, request, version):
        if not self.site.keepAlive or self.site.draining:
            request.responseHeaders.setRawHeaders(b"connection", [b"close"])
            return False
        return super().checkPersistence(request, version)

    def lineLengthExceeded(self, line):
        """A line over [wsgi] max_header_line: say so (Twisted just hangs up)."""
        self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large"
                             b"\r\nConnection: close\r\nContent-Length: 0"
                             b"\r\n\r\n")
        self.loseConnection()

    @property
    def idle(self):
        """True between requests (Twisted keeps this in a private flag)."""
        if self.h2 is not None:
            return not self.h2.streams
        return not self._handlingRequest


class APIChannelSwitch(http._GenericHTTPChannelProtocol):
    """Twisted's switch to HTTP/2 when ALPN chose h2, keeping the site's count.

    The site counts the APIChannel made for each connection. When Twisted
    puts an H2Connection in its place, that channel never hears
    connectionLost, so this tells the site instead, and shows the h2
    connection to the channel so that drain sees its streams.
    """

    def __init__(self, channel):
        super().__init__(channel)
        self._http11 = channel

    def dataReceived(self, data):
        result = super().dataReceived(data)
        if self._channel is not self._http11:
            self._http11.h2 = self._channel
        return result

    def connectionLost(self, reason):
        if self._http11.h2 is not None:
            self._site.channelClosed(self._http11)
        super().connectionLost(reason)


class AccessLogFields(dict):
    """The keys wsgi_log_format may use, computed only when the format asks."""

    def __init__(self, request):
        super().__init__()
        self._request = request

    def __missing__(self, key):
        request = self._request
        if key == "client_ip":
            address = request.getClientAddress()
            value = getattr(address, "host", "-")
        elif key == "date_time":
            now = time.gmtime()
            value = "%02d/%s/%04d %02d:%02d:%02d" % (
                now.tm_mday, _MONTHS[now.tm_mon - 1], now.tm_year,
                now.tm_hour, now.tm_min, now.tm_sec)
        elif key == "request_line":
            value = "%s %s %s" % (
                request.method.decode("latin-1"),
                request.uri.decode("latin-1"),
                request.clientproto.decode("latin-1"))
        elif key == "status_code":
            value = request.code
        elif key == "body_length":
            value = request.sentLength
        elif key == "wall_seconds":
            value = time.monotonic() - request.started
        else:
            raise KeyError(key)
        self[key] = value
        return value


def check_log_format(log_format):
    """Format one sample line, so a bad [wsgi] wsgi_log_format stops startup."""
    sample = {"client_ip": "127.0.0.1", "date_time": "01/Jan/2026 00:00:00",
              "request_line": "GET / HTTP/1.1", "status_code": 200,
              "body_length": 0, "wall_seconds": 0.0}
    try:
        log_format % sample
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("%s: %s" % (type(exc).__name__, exc)) from None


class APISite(server.Site):
    """The Site serving one API; see the module docstring."""

    requestFactory = APIRequest
    noisy = False

    def __init__(self, resource, *, name, log_format, keep_alive=True,
                 max_header_line=16384, timeout=900, max_connections=0,
                 reactor=None):
        super().__init__(resource, timeout=timeout or None, reactor=reactor,
                         parsePOSTFormSubmission=False)
        self.name = name
        self.logFormat = log_format
        self.keepAlive = keep_alive
        self.maxHeaderLine = max_header_line
        self.maxConnections = max_connections
        self.draining = False
        self.port = None
        self.served = 0
        self._servedLimit = None
        self._servedNotice = None
        self._channels = set()
        self._closed = None

    def protocol(self):
        """Build the channel; HTTP/2 switching stays Twisted's (ALPN)."""
        channel = APIChannel()
        channel.MAX_LENGTH = self.maxHeaderLine
        channel.totalHeadersSize = max(channel.totalHeadersSize,
                                       self.maxHeaderLine)
        return APIChannelSwitch(channel)

    def acceptableProtocols(self):
        """No ALPN protocols of the site's own: the TLS settings choose.

        Twisted's Site offers h2 whenever the h2 package imports; minova
        offers it only when ``[wsgi] http2`` asks (see minova_tw.tls).
        """
        return []

    def _accepting(self, accept):
        if self.port is not None and self.port.connected:
            if accept:
                self.port.startReading()
            else:
                self.port.stopReading()

    def channelOpened(self, channel):
        self._channels.add(channel)
        if self.maxConnections and len(self._channels) >= self.maxConnections:
            self._accepting(False)

    def channelClosed(self, channel):
        self._channels.discard(channel)
        if self.draining:
            if not self._channels and not self._closed.called:
                self._closed.callback(None)
        elif (self.maxConnections
                and len(self._channels) == self.maxConnections - 1):
            self._accepting(True)

    def log(self, request):
        """Write nova's access log line for a finished request.

        The format was checked at startup (``check_log_format``).
        """
        self.served += 1
        if self.served == self._servedLimit:
            self._servedNotice.callback(self.served)
        line = self.logFormat % AccessLogFields(request)
        request_id = request.responseHeaders.getRawHeaders(
            b"x-openstack-request-id")
        if request_id:
            line = logs.request_prefix(request_id[0].decode("latin-1")) + line
        access_log.info("{line}", line=line, api=self.name)

    def notifyServed(self, count):
        """A Deferred that fires once ``count`` requests have been served."""
        self._servedLimit = count
        self._servedNotice = defer.Deferred()
        return self._servedNotice

    def drain(self, timeout):
        """Let in-flight requests finish, at most ``timeout`` seconds (0: no limit).

        Call it once the port stopped listening. Responses from now on say
        ``Connection: close``, and connections still idle between requests
        after ``DRAIN_IDLE_GRACE`` are closed. Fires when every connection
        has closed (so each response was flushed to its client), or when the
        time is up and the connections still open were aborted.
        """
        self.draining = True
        self._closed = defer.Deferred()
        if not self._channels:
            self._closed.callback(None)
        for channel in list(self._channels):
            if not channel.idle:
                # Twisted decided persistence when the request arrived; this
                # makes it close the connection once the response is out,
                # and tells the client so, lest it reuse the connection.
                channel.persistent = False
                for request in getattr(channel, "requests", ()):
                    if not request.startedWriting:
                        request.responseHeaders.setRawHeaders(
                            b"connection", [b"close"])
        idle = self.reactor.callLater(DRAIN_IDLE_GRACE, self._closeIdle)
        self._closed.addBoth(self._cancel, idle)
        if timeout:
            deadline = self.reactor.callLater(timeout, self._abortAll)
            self._closed.addBoth(self._cancel, deadline)
        return self._closed

    def _closeIdle(self):
        for channel in list(self._channels):
            if channel.idle:
                # The channel's own loseConnection: it stops producing
                # first, which a TLS transport waits for before closing.
                channel.loseConnection()

    def _abortAll(self):
        for channel in list(self._channels):
            channel.transport.abortConnection()

    @staticmethod
    def _cancel(result, call):
        if call.active():
            call.cancel()
        return result

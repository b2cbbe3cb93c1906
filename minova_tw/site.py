"""minova's HTTP layer on twisted.web: request limits, deadlines, access log, drain.

``APISite`` is the ``Site`` one API is served by. It writes nova's access log
line (``[wsgi] wsgi_log_format``), closes connections after each response
when ``[wsgi] keep_alive`` is off, keeps at most ``default_pool_size``
connections open by pausing ``accept`` at the cap (further clients wait in
the kernel's backlog; one warning each time the cap is reached), knows its
in-flight requests so a stopping server can let them finish, and counts the
requests it served (a worker with ``[wsgi] worker_max_requests`` asks to be
replaced at the limit).

twisted.web has no request-body limit and its idle timer is reset by every
byte, so the host enforces the limits itself, before the app and before
anything is buffered: ``APIRequest`` refuses a body over ``[oslo_middleware]
max_request_body_size`` with nova's 413 as soon as its Content-Length (or
the running size of a chunked body) says so, and ``APIChannel`` answers a
line over ``[wsgi] max_header_line`` or a head over ``max_header_size`` with
431, a malformed head with 400, and a head not complete within ``[wsgi]
header_timeout`` with 408, closing the connection each time.
"""

import io
import time

from twisted.internet import defer
from twisted.logger import Logger
from twisted.web import http, server

from minova_tw import logs

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

access_log = Logger(namespace="minova.access")
log = Logger(namespace="minova.site")

#: How long a draining site keeps connections that are idle between requests
#: open. Closing one at once would fail a request its client sent just
#: before the close arrived; given this long, a busy client sends its next
#: request, which is answered with "Connection: close".
DRAIN_IDLE_GRACE = 1.0

#: nova's fault for a body over the limit (what oslo's sizelimit answers
#: under faultwrap); written by the host, as the app never sees the request.
TOO_LARGE_BODY = (b'{"overLimit": {"code": 413, '
                  b'"message": "Request is too large."}}')


def error_response(status, body=b"", content_type=None):
    """A complete HTTP/1.1 error response, as bytes, that closes the
    connection."""
    head = [b"HTTP/1.1 " + status, b"Connection: close",
            b"Content-Length: %d" % len(body)]
    if content_type:
        head.append(b"Content-Type: " + content_type)
    return b"\r\n".join(head) + b"\r\n\r\n" + body


TOO_LARGE = error_response(b"413 Request Entity Too Large", TOO_LARGE_BODY,
                           b"application/json; charset=UTF-8")
BAD_REQUEST = error_response(b"400 Bad Request")
HEADERS_TOO_LARGE = error_response(b"431 Request Header Fields Too Large")
HEAD_TIMEOUT = error_response(b"408 Request Timeout")


class APIRequest(server.Request):
    """A request that remembers when it started and keeps to the body limit.

    ``gotLength`` refuses a declared length over the site's ``maxBodySize``
    before any buffer exists; ``handleContentChunk`` counts what a chunked
    body brings and refuses it the moment the count passes the limit, so
    no more than the limit is ever written to the request's content.
    """

    refused = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started = time.monotonic()
        self.received = 0
        self.maxBodySize = getattr(getattr(self.channel, "site", None),
                                   "maxBodySize", None)

    def gotLength(self, length):
        if self.maxBodySize is not None and length is not None and (
                length > self.maxBodySize):
            self.content = io.BytesIO()
            self._refuseBody(length)
            return
        super().gotLength(length)

    def handleContentChunk(self, data):
        if self.refused:
            return
        self.received += len(data)
        if self.maxBodySize is not None and self.received > self.maxBodySize:
            self._refuseBody(self.received)
            return
        super().handleContentChunk(data)

    def _refuseBody(self, size):
        self.refused = True
        log.info("refused a request body of {size} bytes or more: over "
                 "[oslo_middleware] max_request_body_size ({limit})",
                 size=size, limit=self.maxBodySize)
        reject = getattr(self.channel, "reject", None)
        if reject is not None:
            reject(TOO_LARGE)
        else:
            # An HTTP/2 stream: reset it, which drops what it buffered.
            self.channel.abortConnection()


class APIChannel(http.HTTPChannel):
    """An HTTPChannel with minova's limits and deadlines (module docstring).

    Honours [wsgi] keep_alive and counts itself on its site. The head
    deadline (``headerTimeout`` seconds, None for none) runs from the
    connection's start for its first request and from the first byte of
    each later one, until the blank line that ends the head; the idle
    timeout between requests stays Twisted's (``client_socket_timeout``).
    """

    #: The H2Connection serving this connection instead, once ALPN chose h2.
    h2 = None
    headerTimeout = None
    _awaitingHead = True
    _headDeadline = None
    _rejected = False

    def connectionMade(self):
        super().connectionMade()
        self.site.channelOpened(self)
        self._startHeadDeadline()

    def connectionLost(self, reason):
        self._stopHeadDeadline()
        self.site.channelClosed(self)
        super().connectionLost(reason)

    def dataReceived(self, data):
        if self._rejected:
            return
        if self._awaitingHead and self._headDeadline is None:
            self._startHeadDeadline()
        super().dataReceived(data)

    def lineReceived(self, line):
        # Twisted counts the head's bytes in _receivedHeaderSize and answers
        # 400 past totalHeadersSize; say 431, as for one line too long.
        if self._receivedHeaderSize + len(line) > self.totalHeadersSize:
            self.reject(HEADERS_TOO_LARGE)
            return
        super().lineReceived(line)

    def allHeadersReceived(self):
        self._awaitingHead = False
        self._stopHeadDeadline()
        super().allHeadersReceived()

    def allContentReceived(self):
        if not self._rejected:
            super().allContentReceived()

    def requestDone(self, request):
        # Before Twisted replays pipelined bytes of the next request.
        self._awaitingHead = True
        super().requestDone(request)

    def _send100Continue(self):
        if not self._rejected:
            super()._send100Continue()

    def _respondToBadRequestAndDisconnect(self):
        """Twisted's 400 for a malformed head, complete and closing."""
        self.reject(BAD_REQUEST)

    def reject(self, response):
        """Send ``response`` (an error_response), then close; read no more."""
        if self._rejected:
            return
        self._rejected = True
        self._stopHeadDeadline()
        self.transport.write(response)
        self.loseConnection()

    def _startHeadDeadline(self):
        if self.headerTimeout:
            self._headDeadline = self.callLater(self.headerTimeout,
                                                self._headTimedOut)

    def _stopHeadDeadline(self):
        if self._headDeadline is not None:
            if self._headDeadline.active():
                self._headDeadline.cancel()
            self._headDeadline = None

    def _headTimedOut(self):
        self._headDeadline = None
        self.reject(HEAD_TIMEOUT)
        # A client that does not read is cut off, as Twisted's idle
        # timeout does (connectionLost cancels this).
        self._abortingCall = self.callLater(self.abortTimeout,
                                            self.forceAbortClient)

    def checkPersistence(self, request, version):
        if not self.site.keepAlive or self.site.draining:
            request.responseHeaders.setRawHeaders(b"connection", [b"close"])
            return False
        return super().checkPersistence(request, version)

    def lineLengthExceeded(self, line):
        """A line over [wsgi] max_header_line: say so (Twisted just hangs up)."""
        self.reject(HEADERS_TOO_LARGE)

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
    #: The API's minova_tw.metrics.APIMetrics, or None when metrics are off.
    metrics = None

    def __init__(self, resource, *, name, log_format, keep_alive=True,
                 max_header_line=16384, max_header_size=65536,
                 header_timeout=30, max_body_size=None, timeout=900,
                 max_connections=0, reactor=None):
        super().__init__(resource, timeout=timeout or None, reactor=reactor,
                         parsePOSTFormSubmission=False)
        self.name = name
        self.logFormat = log_format
        self.keepAlive = keep_alive
        self.maxHeaderLine = max_header_line
        self.maxHeaderSize = max_header_size
        self.headerTimeout = header_timeout or None
        self.maxBodySize = max_body_size
        self.maxConnections = max_connections
        self.atCap = False
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
        channel.totalHeadersSize = self.maxHeaderSize
        channel.headerTimeout = self.headerTimeout
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

    @property
    def channels(self):
        """The connections open now, each an APIChannel."""
        return frozenset(self._channels)

    def channelOpened(self, channel):
        self._channels.add(channel)
        if self.maxConnections and len(self._channels) >= self.maxConnections:
            self._accepting(False)
            if not self.atCap:
                self.atCap = True
                log.warn("{api}: {count} connections open, the [wsgi] "
                         "default_pool_size cap; new clients wait in the "
                         "listen backlog until one closes", api=self.name,
                         count=len(self._channels))

    def channelClosed(self, channel):
        self._channels.discard(channel)
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

    def log(self, request):
        """Write nova's access log line for a finished request.

        The format was checked at startup (``check_log_format``).
        """
        self.served += 1
        if self.served == self._servedLimit:
            self._servedNotice.callback(self.served)
        if self.metrics is not None:
            self.metrics.served(request)
        line = self.logFormat % AccessLogFields(request)
        request_id = request.responseHeaders.getRawHeaders(
            b"x-openstack-request-id")
        if request_id:
            line = logs.request_prefix(request_id[0].decode("latin-1")) + line
        access_log.info("{line}", line=line, api=self.name)

    def getResourceFor(self, request):
        if self.metrics is not None:
            self.metrics.started(request)
        return super().getResourceFor(request)

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

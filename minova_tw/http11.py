"""minova's HTTP/1.1 server protocol: one request's head to one WSGI environ.

twisted.web's HTTPChannel and Request cost a small request about 70 µs of
the reactor's time (a callback per line, a Headers object, a Request with
its producers and Deferreds, then the environ built from all that) where
what a WSGI app needs is one dict. ``HTTP11Channel`` parses the head in one
pass straight into the environ (minova_tw.request_head, whose rules the
HTTP/2 path shares), hands it to the API's WSGIResource
(``serve``) and writes each response as one buffer; it is what APISite
serves HTTP/1.1 with. HTTP/2 (ALPN chose h2, ``[wsgi] http2``) is handed
to twisted.web's H2Connection, which serves it through the same resource
(minova_tw.h2).

What it keeps to (RFC 9112), and the limits it enforces itself before the
app runs and before anything is buffered:

* keep-alive by default in HTTP/1.1, on request in 1.0; ``Connection:
  close`` when ``[wsgi] keep_alive`` is off or the site is draining;
  pipelined requests are answered in order, one at a time;
* a body by ``Content-Length`` or chunked (trailers read and dropped);
  ``100 Continue`` before a body the client waits to send; a declared or
  running size over the API's limit (``<api>_max_request_body_size``,
  minova_tw.apiservice.max_body_size; none: no check) is a 413, written by
  the host at once;
* a line over ``[wsgi] max_header_line`` or a head over
  ``max_header_size`` is 431; a malformed request line or header, a bad or
  repeated ``Content-Length``, ``Transfer-Encoding`` beside it or in an
  HTTP/1.0 request, a coding other than chunked, a bad chunk, an HTTP/1.1
  request without ``Host``, a repeated or malformed ``Host``: 400; a head
  not complete within ``[wsgi] header_timeout`` (from the connection's
  start for the first request, from the first byte for later ones), or a
  body not complete within ``[wsgi] body_timeout`` from the end of the
  head plus a second for each ``body_min_rate`` bytes received: 408.
  Each closes the connection. These early refusals, and the 500 for an
  app that raised, carry one sentence of plain text: the host knows
  nothing of the fault documents of the APIs it serves.
* the idle timeout (``client_socket_timeout``: no byte for that long,
  between requests or within a body) and the head and body deadlines are
  one timer per connection that re-arms itself, so a request costs no
  timer of its own.
* responses without a length are chunked (HTTP/1.1) or end with the
  connection (1.0); HEAD, 1xx, 204 and 304 carry no body; every response
  has a ``Date``.

A request on the thread pool costs the reactor two turns (the request to a
pool thread, the response back) and a client waiting for each answer
(one CLI, a balancer's few connections per backend) three thread wake-ups
a request, where a server that reads, runs and writes in one thread has
one. So a plain TCP connection may be *leased* to the pool thread that
runs its request: the reactor stops reading it, and the thread writes the
response straight to the socket and logs it. Then:

* while minova's pool has a thread free (no call has had to wait for one
  lately), the thread waits a moment (``LINGER``, minova_tw.threadpool)
  for the client's next request and, when that is one complete head with
  no body, serves it too, and so on. It gives the connection back when
  the pool has calls waiting, which end every such wait at once: as the
  pool runs one thread at a time while it keeps a CPU busy, another
  connection's request is queued for the thread that runs, which serves
  it, so that connections taking turns share that thread, each request
  read by the reactor. That suits short requests (the reference app's
  110 µs of CPU), whose reactor turns carry many at once.
* while the app's requests are long (``WSGIResource.loops``: a mean of a
  millisecond of CPU or more, real nova's GET / takes 1.8), the
  connection is leased whether or not a thread is free, and after each
  answer waits in the pool's lease loop for its next request, which a
  loop thread serves the same way: one thread serves every connection of
  the loop, with no reactor turn per request to take the interpreter
  lock from the app (measured in bench/).

A request that ends its connection (``Connection: close``) is leased for
its answer alone: the thread writes it, so the client has it without the
hand-off back, and the reactor only closes. The connection goes back to
the reactor when its client sends nothing for ``LINGER``, a request needs
more (a body, an error, a pipelined request), the response does not fit
the socket or streams, or the site drains or reloads. While a connection
is leased, the reactor does no I/O on it: what would (the watchdog, a
drain, a cap) waits for it to come back, and an abort shuts the socket
down and closes it once the thread let go (its descriptor must not be
reused under the thread). TLS connections are never leased: their writes
need the reactor.
"""

import functools
import io
import re
import tempfile
import threading
import time

from twisted.internet import defer, interfaces, protocol, tcp
from twisted.logger import Logger
from twisted.python.failure import Failure

from minova_tw import compat, request_head, resources, threadpool
from minova_tw.accesslog import PerSecond
from minova_tw.request_head import BadRequest

log = Logger(namespace="minova.site")

def error_response(status, message):
    """A complete HTTP/1.1 error response, as bytes, that closes the connection.

    The host answers these itself, before any app has the request, so the
    body is one sentence of plain text: it knows nothing of the fault
    documents of the APIs it serves (nova's JSON ``overLimit`` is the
    stack's own, from its sizelimit filter).
    """
    return (b"HTTP/1.1 %s\r\nConnection: close\r\nContent-Type: text/plain"
            b"\r\nContent-Length: %d\r\n\r\n%s" % (status, len(message),
                                                   message))


TOO_LARGE = error_response(b"413 Request Entity Too Large",
                           b"The request body is too large.")
BAD_REQUEST = error_response(b"400 Bad Request",
                             b"The request is malformed.")
HEADERS_TOO_LARGE = error_response(b"431 Request Header Fields Too Large",
                                   b"The request head is too large.")
HEAD_TIMEOUT = error_response(b"408 Request Timeout",
                              b"The request head did not come in time.")
BODY_TIMEOUT = error_response(b"408 Request Timeout",
                              b"The request body did not come in time.")
APP_FAILED = error_response(b"500 Internal Server Error",
                            request_head.APP_FAILED[2])
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"

_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}(?:[ \t]*;[^\r\n]*)?\Z")

#: Bodies up to this size are kept in memory, larger ones in a file.
MEMORY_BODY = 100000
#: How long a client that does not read gets after we chose to close.
ABORT_TIMEOUT = 15
#: Response headers the channel looks at: those it writes itself (framing,
#: persistence: the app's are dropped), and those it notes.
_SPECIAL = {"connection": "framing", "transfer-encoding": "framing",
            "keep-alive": "framing", "content-length": "length",
            "date": "date", "x-openstack-request-id": "request-id"}
#: Header name as an app spells it -> its _SPECIAL kind ("" for any other
#: header), for the names apps send (bounded): a response's headers are
#: looked up as they come, not lower-cased one by one.
_KINDS = {}


def _kind(name):
    """``name``'s _SPECIAL kind, or "", remembered."""
    kind = _SPECIAL.get(name.lower(), "")
    if len(_KINDS) < 512:
        _KINDS[name] = kind
    return kind

_NO_BODY = frozenset((204, 304))


@functools.lru_cache()
def _long_line(limit):
    """A pattern that finds a line longer than ``limit`` characters."""
    return re.compile(r"[^\n]{%d}" % (limit + 1))


def log_refused_body(size, limit):
    """The one line a body refused for its size is logged with (HTTP/1.1
    here, HTTP/2 in minova_tw.h2)."""
    log.info("refused a request body of {size} bytes or more: over "
             "[oslo_middleware] max_request_body_size ({limit})",
             size=size, limit=limit)


#: The ``Date`` header line (RFC 9110's IMF-fixdate).
_date = PerSecond(lambda now: "Date: " + time.strftime(
    "%a, %d %b %Y %H:%M:%S GMT", now))


class Exchange:
    """One request and its response: the WSGI responder of a channel.

    Also the record the access log and metrics read: ``method``,
    ``request_line``, ``client_ip``, ``code``, ``sentLength``,
    ``started``, ``requestId``.
    """

    code = None
    requestId = None
    _finished = None

    def __init__(self, channel, method, uri, version, head_only):
        self.channel = channel
        self.method = method.encode("latin-1")  # as twisted.web has it
        self.request_line = "%s %s %s" % (method, uri, version)
        self.version = version
        self.headOnly = head_only
        self.started = time.monotonic()
        self.client_ip = channel.clientIP
        self.sentLength = 0
        self.startedWriting = False
        self.finished = False
        self.gone = False
        self.chunked = False
        self.persistent = True
        self.noBody = head_only

    @property
    def uri(self):
        """The request target, as twisted.web's Request has it (reports)."""
        return self.request_line.split(" ")[1].encode("latin-1")

    def notifyFinish(self):
        """A Deferred that fires when the response ends, or errs when the
        client left first (what metrics count in-flight requests with)."""
        if self._finished is None:
            self._finished = defer.Deferred()
        return self._finished

    def deliver(self, status, headers, chunks, finish):
        """In the reactor: status and headers (first time), body, finish."""
        if self.gone or self.finished:
            return
        if status is not None:
            try:
                head = self._head(status, headers, chunks, finish)
            except (ValueError, UnicodeError) as exc:
                self.fail(Failure(exc))
                return
            self.startedWriting = True
        else:
            head = b""
        if self.noBody:
            body = b""
        else:
            body = b"".join(chunks)
            self.sentLength += len(body)
            if self.chunked and body:
                body = b"%x\r\n%s\r\n" % (len(body), body)
        if finish:
            if self.chunked and not self.noBody:
                body += b"0\r\n\r\n"
            self.channel.write(head + body)
            if not self.gone:  # (a leased connection's thread found it gone)
                self._end()
        elif head or body:
            self.channel.write(head + body)

    def _head(self, status, headers, chunks, finish):
        code = int(status[:3])
        self.code = code
        lines = ["HTTP/1.1 " + status]
        sized = dated = False
        kinds = _KINDS
        for name, value in headers:
            kind = kinds.get(name)
            if kind is None:
                kind = _kind(name)
            if kind:
                if kind == "framing":
                    if name.lower() == "connection" and (
                            "close" in value.lower()):
                        self.persistent = False
                    continue
                if kind == "length":
                    sized = True
                elif kind == "date":
                    dated = True
                else:
                    self.requestId = value
            lines.append(name + ": " + value)
        if code in _NO_BODY or code < 200:
            self.noBody = True
        elif not sized:
            if finish:
                lines.append("Content-Length: %d" % sum(map(len, chunks)))
            elif self.version == "HTTP/1.1":
                self.chunked = True
                lines.append("Transfer-Encoding: chunked")
            else:
                self.persistent = False
        if not dated:
            lines.append(_date())
        if not (self.persistent and self.channel.keepAlive()):
            self.persistent = False
            lines.append("Connection: close")
        elif self.version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        text = "\r\n".join(lines)
        if text.count("\n") != len(lines) - 1 or text.count("\r") != len(
                lines) - 1:
            raise ValueError("a response header has a line break")
        return text.encode("latin-1") + b"\r\n\r\n"

    def fail(self, failure):
        """In the reactor: the app raised. 500 if nothing was sent, else
        drop (request_head.failure_answer)."""
        resources.log_app_failure(failure)
        if self.gone or self.finished:
            return
        answer = request_head.failure_answer(self.startedWriting)
        if answer is None:
            self.finished = True
            self.channel.abortConnection()
            return
        self.code = 500
        self.persistent = False
        self.channel.write(APP_FAILED)
        self.sentLength = len(answer[2])
        if not self.gone:
            self._end()

    def _end(self):
        self.finished = True
        if self._finished is not None:
            self._finished.callback(None)
        self.channel.exchangeDone(self)

    def lost(self):
        """The connection went before the response ended."""
        self.gone = True
        if self._finished is not None and not self._finished.called:
            self._finished.errback(Failure(ConnectionError("client gone")))


class HTTP11Channel(protocol.Protocol):
    """One HTTP/1.1 connection of an APISite (see the module docstring)."""

    #: The H2Connection serving this connection instead, once ALPN chose h2.
    h2 = None
    #: The request in flight (head parsed), or None between requests.
    exchange = None
    #: The pool thread (its ident) that has the connection, or None: see
    #: the module docstring.
    _lessee = None
    #: Whether a pool thread has the connection (set in the reactor).
    _leased = False
    #: After how many more of its responses the connection may still move
    #: to a sibling worker with fewer (minova_tw.balance); the site sets it.
    moveChecks = 0
    #: Whether it moves once the response in flight is sent.
    _moving = False

    def __init__(self, site):
        self.site = site
        self.reactor = site.reactor
        self.maxHeaderLine = site.maxHeaderLine
        self._longLine = _long_line(site.maxHeaderLine).search
        self.maxHeaderSize = site.maxHeaderSize
        self.headerTimeout = site.headerTimeout
        self.bodyTimeout = site.bodyTimeout
        self.bodyMinRate = site.bodyMinRate
        self.idleTimeout = site.timeOut
        self.maxBodySize = site.maxBodySize
        self.persistent = True
        self._buffer = b""
        self._rejected = False
        self._processing = False
        self._paused = False
        self._negotiated = False
        self._headStarted = None
        self._lastActive = None
        self._watchdog = None
        self._abort = None
        self._body = None
        self._bodyStarted = None
        self._bodyReceived = 0
        self._environ = None
        self._keep = True
        self._leaseBroken = False
        self._endWanted = None
        self._closeNoted = False

    # The connection

    def connectionMade(self):
        transport = self.transport
        self._plainTCP = isinstance(transport, tcp.Connection)
        self.secure = not self._plainTCP and interfaces.ISSLTransport(
            transport, None) is not None
        self._peer = transport.getPeer()
        self.clientIP = getattr(self._peer, "host", "-")
        self._base = None
        self._baseFor = None
        self.site.channelOpened(self)
        now = self.reactor.seconds()
        self._lastActive = now
        self._headStarted = now  # the first head's deadline runs from here
        if self._plainTCP:
            self._readArrived()
        # Armed after the read: a request that came with the connection,
        # and is with the app now, needs no timer (one a connection, when
        # each connection carries one request).
        if self._watchdog is None and not self._closeNoted:
            self._arm(now)

    def _readArrived(self):
        """Read what arrived with the connection, without waiting a turn.

        A client sends its request as soon as the connection is up, so it
        is usually there when the connection is accepted, and the reactor
        would only report it on its next turn. Nothing to read, the end of
        the stream and errors are left to the reactor, which finds them
        all the same. An error in serving what was read ends the connection,
        as the reactor does with one raised from its own read.
        """
        transport = self.transport
        try:
            data = compat.read_now(transport)
        except OSError:
            return
        if data:
            try:
                self.dataReceived(data)
            except Exception:
                log.failure("serving a new connection failed")
                transport.abortConnection()

    def connectionLost(self, reason=protocol.connectionDone):
        if self._watchdog is not None and self._watchdog.active():
            self._watchdog.cancel()
        if self._abort is not None and self._abort.active():
            self._abort.cancel()
        if self.exchange is not None and not self.exchange.finished:
            self.exchange.lost()
        self._noteClosed()
        if self.h2 is not None:
            self.h2.connectionLost(reason)

    @property
    def requests(self):
        """The request in flight, if any, as a list (what reports show)."""
        return [self.exchange] if self.exchange is not None else []

    def _noteClosed(self):
        """Tell the site, once, that this connection is gone."""
        if not self._closeNoted:
            self._closeNoted = True
            self.site.channelClosed(self)

    @property
    def idle(self):
        """True between requests (a leased connection's thread may be
        waiting for the next: told to close, it closes once it let go)."""
        if self.h2 is not None:
            return not self.h2.streams
        return self.exchange is None

    @property
    def idleSince(self):
        """When the connection went idle between requests (nothing of the
        next one read yet), or None when it is not: what the site closes
        first to make room at its connection cap."""
        if self.h2 is not None:
            return None if self.h2.streams else self._lastActive
        if (self.exchange is None and self._headStarted is None
                and not self._rejected):
            return self._lastActive
        return None

    def keepAlive(self):
        """Whether the response being written may leave the connection open
        (not while the site drains, or is at its connection cap)."""
        site = self.site
        return (self.persistent and site.keepAlive and not site.draining
                and not site.atCap)

    def write(self, data):
        """Send ``data``, straight to the socket when nothing waits before it.

        Twisted's TCP transport buffers every write and registers with
        epoll to send it on the next turn, then unregisters: two syscalls
        a response besides the send. A response is one buffer, usually
        written to an empty send queue, so it is sent now; only what the
        socket does not take goes through the transport's buffer.
        """
        if self._leased:
            if self._lessee == threading.get_ident():
                self._writeFromThread(data)
                return
            # The reactor writes (a stream): its thread no more, after this.
            self._leaseBroken = True
        transport = self.transport
        if (self._plainTCP and compat.nothing_buffered(transport)
                and transport.connected and not transport.disconnecting):
            sent = compat.write_now(transport, data)
            if sent == len(data):
                return
            if isinstance(sent, int):
                data = data[sent:]
        transport.write(data)

    def loseConnection(self):
        """Close once what was written is sent; abort a client that won't read.

        A plain TCP connection with nothing left to send closes now: the
        transport's own loseConnection waits a reactor turn for its socket
        to be writable before it closes, which a connection per request
        pays every time.
        """
        if self._leased:
            self._endWanted = self._endWanted or "close"
            return
        transport = self.transport
        if (self._plainTCP and transport.connected
                and not transport.disconnecting
                and compat.nothing_buffered(transport)
                and transport.producer is None):
            compat.close_now(transport)
            return
        transport.loseConnection()
        if self._abort is None:
            self._abort = self.reactor.callLater(
                ABORT_TIMEOUT, self.transport.abortConnection)

    def abortConnection(self):
        """Abort the connection now (a drain out of time, an app that
        raised mid-stream).

        A leased connection's socket is shut down, so the client is gone
        at once, but closed only when its thread let go of it: a descriptor
        closed under the thread could be a new connection's by the time
        the thread writes to it.
        """
        if not self._leased:
            self.transport.abortConnection()
            return
        self._endWanted = "abort"
        compat.shut_down(self.transport)
        self._noteClosed()

    def reject(self, response):
        """Send ``response`` (an error_response), then close; read no more."""
        if self._rejected:
            return
        self._rejected = True
        self._buffer = b""
        self.transport.write(response)
        self.loseConnection()

    # Timers: one per connection (module docstring)

    def _arm(self, now):
        deadline = self._deadline()
        if deadline is None:
            return
        self._watchdog = self.reactor.callLater(max(0, deadline - now),
                                                self._check)

    def _deadline(self):
        deadlines = []
        if self._headStarted is not None and self.headerTimeout:
            deadlines.append(self._headStarted + self.headerTimeout)
        if self.idleTimeout and self._reading():
            deadlines.append(self._lastActive + self.idleTimeout)
        if self._body is not None and self.bodyTimeout:
            deadlines.append(self._bodyDeadline())
        return min(deadlines) if deadlines else None

    def _bodyDeadline(self):
        """``body_timeout`` from the end of the head, and a second more for
        each ``body_min_rate`` bytes received (Apache's mod_reqtimeout): a
        steady upload of any size goes on, a trickle is cut."""
        allowance = (self._bodyReceived / self.bodyMinRate
                     if self.bodyMinRate else 0)
        return self._bodyStarted + self.bodyTimeout + allowance

    def _reading(self):
        """Between requests, or reading a body: the idle timeout applies
        (not while the app has the request)."""
        return self.exchange is None or self._body is not None

    def _check(self):
        self._watchdog = None
        if self._rejected or self.h2 is not None or self._leased:
            return  # (a lease's end arms the watchdog again)
        now = self.reactor.seconds()
        if (self._headStarted is not None and self.headerTimeout
                and now >= self._headStarted + self.headerTimeout):
            self.reject(HEAD_TIMEOUT)
            return
        if (self._body is not None and self.bodyTimeout
                and now >= self._bodyDeadline()):
            log.info("closed a request whose body came too slowly: {size} "
                     "bytes in {seconds:.0f} s ([wsgi] body_timeout "
                     "{timeout}, body_min_rate {rate})",
                     size=self._bodyReceived,
                     seconds=now - self._bodyStarted,
                     timeout=self.bodyTimeout, rate=self.bodyMinRate)
            self.reject(BODY_TIMEOUT)
            return
        if (self.idleTimeout and self._reading()
                and now >= self._lastActive + self.idleTimeout):
            self.loseConnection()
            return
        self._arm(now)

    def _headBegins(self, now):
        """The first byte of a later request: its head deadline starts."""
        self._headStarted = now
        if self.headerTimeout:
            self._wakeBy(now + self.headerTimeout, now)

    def _bodyBegins(self, body):
        """The head announced ``body``: its deadline starts."""
        self._body = body
        now = self._lastActive
        self._bodyStarted = now
        self._bodyReceived = 0
        if self.bodyTimeout:
            self._wakeBy(self._bodyDeadline(), now)

    def _wakeBy(self, deadline, now):
        """Have the watchdog check no later than ``deadline``."""
        watchdog = self._watchdog
        if watchdog is None:
            self._arm(now)
        elif watchdog.getTime() > deadline:
            watchdog.reset(deadline - now)

    # Reading

    def dataReceived(self, data):
        if self.h2 is not None:
            self.h2.dataReceived(data)
            return
        if not self._negotiated:
            self._negotiated = True
            if getattr(self.transport, "negotiatedProtocol", None) == b"h2":
                self._switchToH2(data)
                return
        if self._rejected:
            return
        now = self.reactor.seconds()
        self._lastActive = now
        if self.exchange is None and self._headStarted is None:
            self._headBegins(now)
        self._buffer += data
        if not self._processing:
            self._process()

    def _process(self):
        """Parse and serve what the buffer holds, one request at a time."""
        self._processing = True
        try:
            while not self._rejected and self._buffer:
                if self.exchange is not None:
                    if self._body is None:
                        # Pipelined: waits for the response in flight.
                        if (len(self._buffer) > self.maxHeaderSize
                                and not self._paused):
                            self._paused = True
                            self.transport.pauseProducing()
                        return
                    if not self._readBody():
                        return
                    self._dispatch()
                    continue
                if not self._readHead():
                    return
                if self._body is None:
                    self._dispatch()
        finally:
            self._processing = False

    def _readHead(self):
        """Parse a complete head from the buffer; False while it is not."""
        buffer = self._buffer
        if buffer[:1] in (b"\r", b"\n"):
            # Empty lines before a request line are ignored (RFC 9112 2.2).
            buffer = self._buffer = buffer.lstrip(b"\r\n")
            if not buffer:
                return False
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            end = buffer.find(b"\n\n")
            skip = 2
        else:
            skip = 4
        if end < 0:
            if len(buffer) > self.maxHeaderSize:
                self.reject(HEADERS_TOO_LARGE)
            elif len(buffer) - buffer.rfind(b"\n") - 1 > self.maxHeaderLine:
                self.reject(HEADERS_TOO_LARGE)
            return False
        if end + skip > self.maxHeaderSize:
            self.reject(HEADERS_TOO_LARGE)
            return False
        self._buffer = buffer[end + skip:]
        self._headStarted = None
        try:
            self._parseHead(buffer[:end].decode("latin-1"))
        except BadRequest as exc:
            log.debug("bad request: {why}", why=exc)
            self.reject(BAD_REQUEST)
            return False
        return not self._rejected

    def _parseHead(self, head):
        if "\r" in head:
            head = head.replace("\r\n", "\n")
        if self._longLine(head) is not None:
            self.reject(HEADERS_TOO_LARGE)
            return
        base = self._connectionEnviron()
        environ, method, target, version, length, chunked = (
            request_head.parse_head(head, base, self._localHost))
        self._newExchange(environ, method, target, version)
        if chunked:
            self._bodyBegins(_ChunkedBody(self.maxBodySize))
        elif length:
            if self.maxBodySize is not None and length > self.maxBodySize:
                self._refuseBody(length)
                return
            self._bodyBegins(_SizedBody(length))
        else:
            environ["wsgi.input"] = io.BytesIO()
            return
        if (version == "HTTP/1.1" and not self._buffer and environ.get(
                "HTTP_EXPECT", "").lower() == "100-continue"):
            self.transport.write(CONTINUE)

    def _newExchange(self, environ, method, target, version):
        """The request of a parsed head is the one in flight."""
        exchange = Exchange(self, method, target, version, method == "HEAD")
        connection = environ.get("HTTP_CONNECTION", "").lower()
        if version == "HTTP/1.1":
            exchange.persistent = "close" not in connection
        else:
            exchange.persistent = "keep-alive" in connection
        self.exchange = exchange
        self._environ = environ

    def _connectionEnviron(self):
        """What every request of this connection shares (per resource,
        which a reload may replace)."""
        resource = self.site.resource
        if self._baseFor is not resource:
            host = self.transport.getHost()
            self._localHost = getattr(host, "host", "")
            self._base = resources.connection_environ(
                resource, host, self._peer, self.secure,
                self.transport)
            self._baseFor = resource
        return self._base

    def _readBody(self):
        """Move body bytes from the buffer; True once the body is complete."""
        body = self._body
        available = len(self._buffer)
        try:
            self._buffer = body.feed(self._buffer)
        except BadRequest as exc:
            log.debug("bad request: {why}", why=exc)
            self.reject(BAD_REQUEST)
            return False
        except _TooLarge as exc:
            self._refuseBody(exc.args[0])
            return False
        self._bodyReceived += available - len(self._buffer)
        if not body.complete:
            return False
        self._environ["wsgi.input"] = body.stream()
        self._body = None
        return True

    def _refuseBody(self, size):
        log_refused_body(size, self.maxBodySize)
        self.reject(TOO_LARGE)

    def _dispatch(self):
        environ, self._environ = self._environ, None
        site = self.site
        site.requestStarted(self.exchange)
        resource = site.resource
        if self.moveChecks and self._plainTCP:
            # A connection about to move is not leased: the reactor has it
            # once the response is sent.
            self._moving = self._movesNext()
        # A last request too (``Connection: close``): its thread writes
        # the response to the socket itself, and the reactor only closes.
        if (self._plainTCP and not self._moving and not self._buffer
                and resource.lendsThread(environ)
                and compat.nothing_buffered(self.transport)):
            self._lease(resource, environ)
        else:
            resource.serve(environ, self.exchange)

    # After each response

    def exchangeDone(self, exchange):
        """The response was written: log it, then the next request or close
        (a leased connection's thread decides, see _keepsLease).

        The connection is idle from now (``idleSince``, the idle timeout),
        not from when the reactor reads on: a leased one comes back to it
        a ``LINGER`` (minova_tw.threadpool) or more later, and one whose
        thread was slow to let go would seem used after a connection
        answered since, and be kept at the cap in its place.
        """
        self.exchange = None
        self._lastActive = self.reactor.seconds()
        if self._leased:
            self.site.requestEnded(
                exchange, self._lessee == threading.get_ident())
            self._keep = exchange.persistent
            return
        self.site.requestEnded(exchange)
        self._next(exchange.persistent)

    def _next(self, persistent):
        """After a response: read the next request, or close."""
        if not persistent or self.site.draining:
            self._rejected = True  # read nothing more
            self.loseConnection()
            return
        if self._moving:
            self._moving = False
            if self._moveOut():
                return
        self._readNext()

    def _movesNext(self):
        """Whether the connection should move after the response in flight
        (minova_tw.balance), asked after each of its first few: while a
        burst of new connections is being accepted, the counts are still
        changing when the first responses go out."""
        self.moveChecks -= 1
        return self.site.balancer.crowded() is not None

    def _moveOut(self):
        """Pass the connection to a sibling worker with fewer, if one still
        has (minova_tw.balance): only with nothing of the next request read
        and nothing left to send, so the sibling starts afresh."""
        transport = self.transport
        if (self._buffer or self._rejected or not transport.connected
                or transport.disconnecting or transport.producer is not None
                or not compat.nothing_buffered(transport)
                or not self.site.balancer.move(transport.fileno())):
            return False
        compat.let_go(transport)
        return True

    def _readNext(self):
        """Serve what the buffer holds of the next request, and read on.

        With nothing of it read while the site is at its connection cap,
        close instead (APISite.channelOpened): at the cap with none idle,
        responses say close, and one that went out keep-alive just before
        the cap came (its exchange not yet done) would otherwise leave an
        idle connection open while a new client waits in the backlog.
        """
        if not self._buffer and self.site.atCap:
            self._next(False)
            return
        now = self.reactor.seconds()
        if self._buffer:
            self._headBegins(now)
        if self._watchdog is None:
            self._arm(now)
        if self._paused:
            self._paused = False
            self.transport.resumeProducing()
        if self._buffer and not self._processing:
            self._process()

    # Leased to a pool thread (the module docstring)

    def _lease(self, resource, environ):
        """Hand the connection, and ``environ``'s request, to a pool thread."""
        self._leased = True
        self._leaseBroken = False
        self._endWanted = None
        self._keep = True
        self._lessor = resource
        self.transport.pauseProducing()
        resource.threadpool.callAtTurnEnd(self._serveLeased, resource,
                                          environ)

    def _serveLeased(self, resource, environ):
        """In a pool thread: serve requests until the lease ends, then let
        the connection go, or keep it in the pool's lease loop
        (minova_tw.threadpool) when its app's requests are long
        (``WSGIResource.loops``)."""
        if self._inLease(self._serveOwn, resource, environ):
            resource.threadpool.keepLeased(self, self.transport.fileno())
        else:
            self.letGo()

    def _serveOwn(self, resource, environ):
        """In the lease's thread: serve ``environ``'s request, and the next
        ones while the thread keeps the connection to itself; whether the
        connection goes to the lease loop after."""
        pool = resource.threadpool
        fd = self.transport.fileno()
        while True:
            resource.serveHere(environ, self.exchange)
            if not self._keepsLease():
                return False
            if resource.loops:
                return True
            if pool.crowded():
                return False
            environ = self._requestHere(self._nextFromClient(pool, fd))
            if environ is None:
                return False

    def _nextFromClient(self, pool, fd):
        """In the lease's thread: what the client sent of its next request,
        read at once when it is there (under load it often is), else once
        it comes within ``LINGER``; None when nothing came, the pool needs
        the thread, or the read failed (the reactor finds the error again),
        and b"" at the end of the stream."""
        try:
            return compat.read_now(self.transport)
        except BlockingIOError:
            pass
        except OSError:
            return None
        if not pool.waitReadable(fd, threadpool.LINGER):
            return None
        try:
            return compat.read_now(self.transport)
        except OSError:
            return None

    def leaseReadable(self):
        """In a pool thread of the lease loop: the socket is readable; serve
        the request that came when it is one complete head with no body.
        Whether the connection stays in the loop; if not, the loop lets it
        go (``letGo``) and the reactor finds what is left, as it would
        have: the rest of a request, the end of the stream, an error."""
        if self._endWanted:
            return False
        try:
            environ = self._requestHere(compat.read_now(self.transport))
        except OSError:
            return False
        if environ is None:
            return False
        return self._inLease(self._serveLooped, environ)

    def _inLease(self, serve, *args):
        """In the lease's thread: ``serve(*args)``, with the thread noted
        as the one the connection is leased to; what it returns, or False
        when it raised (logged, and the connection is to be aborted)."""
        self._lessee = threading.get_ident()
        try:
            return serve(*args)
        except Exception:
            log.failure("serving a leased connection failed")
            self._endWanted = "abort"
            return False
        finally:
            self._lessee = None

    def _serveLooped(self, environ):
        """In a thread of the lease loop: serve ``environ``'s request;
        whether the connection stays in the loop. An app whose requests
        became short has its connections back with the reactor
        (``WSGIResource.loops``)."""
        self._lessor.serveHere(environ, self.exchange)
        return self._keepsLease() and self._lessor.loops

    def _keepsLease(self):
        """After a leased request: whether the connection stays leased (its
        response was written whole, it stays open, the site neither
        drains nor reloaded, and it does not move to a sibling worker)."""
        if (self.exchange is not None or not self._keep
                or self._leaseBroken or self._endWanted
                or self.site.draining
                or self.site.resource is not self._lessor):
            return False
        if self.moveChecks and self._movesNext():
            self._moving = True  # the reactor moves it
            return False
        return True

    def letGo(self):
        """From a pool thread: the connection goes back to the reactor."""
        self._lessor.handOff.call(self._leaseEnded)

    def _requestHere(self, data):
        """In the lease's thread: the environ of the next request, from
        ``data`` the client sent, counted as started; None when there is
        none (nothing came, or the end of the stream) or it is the
        reactor's to parse (``_headHere``), which then finds the buffer
        as the client sent it."""
        if not data:
            return None
        self._buffer = data
        self._lastActive = self.reactor.seconds()
        environ = self._headHere()
        if environ is not None:
            self.site.requestStarted(self.exchange)
        return environ

    def _headHere(self):
        """In the lease's thread: the environ of the request whose head
        the buffer holds, when it holds just that head, whole, of a
        request without a body; None leaves the buffer to the reactor,
        which parses it as usual (a body, a pipelined request, an error)."""
        buffer = self._buffer
        end = len(buffer) - 4
        if (end <= 0 or len(buffer) > self.maxHeaderSize
                or buffer[:1] in (b"\r", b"\n")
                or buffer.find(b"\r\n\r\n") != end):
            return None
        head = buffer[:end].decode("latin-1").replace("\r\n", "\n")
        if self._longLine(head) is not None:
            return None
        try:
            environ, method, target, version, length, chunked = (
                request_head.parse_head(head, self._connectionEnviron(),
                                        self._localHost))
        except BadRequest:
            return None
        if length or chunked:
            return None
        self._buffer = b""
        self._newExchange(environ, method, target, version)
        self._environ = None
        environ["wsgi.input"] = io.BytesIO()
        return environ

    def _writeFromThread(self, data):
        """In the lease's thread: send ``data`` now; what the socket does
        not take goes to the reactor, and ends the lease."""
        if not self._leaseBroken:
            sent = compat.write_now(self.transport, data)
            if sent == len(data):
                return
            self._leaseBroken = True
            if not isinstance(sent, int):
                # Lost: as the reactor would have found, reading it.
                self._endWanted = "abort"
                self.exchange.gone = True
                return
            data = data[sent:]
        self.reactor.callFromThread(self.transport.write, data)

    def _leaseEnded(self):
        """In the reactor: the thread let go of the connection."""
        self._leased = False
        transport = self.transport
        if not transport.connected or transport.disconnecting:
            return  # lost while leased (the reactor wrote a stream)
        if self._endWanted == "abort":
            transport.abortConnection()
            return
        if self._moving:
            self._moving = False
            if (self._keep and self._endWanted is None
                    and not self.site.draining and self._moveOut()):
                return
        if self._keep and (self._buffer or self._endWanted is None):
            # The last response kept the connection: it stays as open as
            # it said, even if the site began to drain since (a drain lets
            # idle connections be for a grace period first); what the
            # client sent since is served (saying close while draining).
            transport.resumeProducing()
            self._readNext()
        else:
            # Closed as it is: reading again would be an epoll
            # registration the close takes back at once.
            self._next(False)

    # HTTP/2

    def _switchToH2(self, data):
        """ALPN chose h2: twisted.web's H2Connection serves this connection."""
        if self._watchdog is not None and self._watchdog.active():
            self._watchdog.cancel()
        h2 = compat.h2_connection(self.reactor, self.site.h2Site())
        self.h2 = h2
        h2.makeConnection(self.transport)
        self.transport.registerProducer(h2, True)
        h2.dataReceived(data)


class _TooLarge(Exception):
    """The body passed the size limit (the size seen so far)."""


class _SizedBody:
    """A body of ``Content-Length`` bytes."""

    def __init__(self, length):
        self.remaining = length
        self.file = (io.BytesIO() if length <= MEMORY_BODY
                     else tempfile.TemporaryFile())
        self.complete = False

    def feed(self, data):
        """Take what belongs to the body; return what follows it."""
        take = data[:self.remaining]
        self.file.write(take)
        self.remaining -= len(take)
        self.complete = not self.remaining
        return data[len(take):]

    def stream(self):
        self.file.seek(0)
        return self.file


class _ChunkedBody:
    """A chunked body (RFC 9112 7.1), limited to ``limit`` bytes in all."""

    def __init__(self, limit):
        self.limit = limit
        self.received = 0
        self.file = io.BytesIO()
        self.complete = False
        self._state = "size"
        self._remaining = 0

    def feed(self, data):
        while data and not self.complete:
            if self._state == "data":
                take = data[:self._remaining]
                self.file.write(take)
                self._remaining -= len(take)
                data = data[len(take):]
                if not self._remaining:
                    self._state = "crlf"
                continue
            end = data.find(b"\r\n")
            if end < 0:
                if len(data) > 4096:
                    raise BadRequest("chunk line too long")
                return data
            line, data = data[:end], data[end + 2:]
            if self._state == "size":
                if _CHUNK_SIZE.match(line) is None:
                    raise BadRequest("chunk size %r" % line[:40])
                size = int(line.split(b";", 1)[0].strip(), 16)
                if self.limit is not None and (
                        self.received + size > self.limit):
                    raise _TooLarge(self.received + size)
                self.received += size
                if self.received > MEMORY_BODY and isinstance(
                        self.file, io.BytesIO):
                    spill = tempfile.TemporaryFile()
                    spill.write(self.file.getvalue())
                    self.file = spill
                self._remaining = size
                self._state = "data" if size else "trailer"
            elif self._state == "crlf":
                if line:
                    raise BadRequest("no CRLF after a chunk")
                self._state = "size"
            elif not line:  # trailer section ends with an empty line
                self.complete = True
        return data

    def stream(self):
        self.file.seek(0)
        return self.file

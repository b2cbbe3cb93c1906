"""The WSGI side of each API: its app, loaded by name, run by a WSGIResource.

This is the host's only way into the apps it serves, and it knows nothing
else of them. An API's app is, as an operator names it for uWSGI or
gunicorn, the WSGI entry point in ``[DEFAULT] <api>_wsgi_app`` (the
project's own entry module, whose import does that project's process
set-up) or else the paste app of the API's name in ``[wsgi]
api_paste_config``, which PasteDeploy builds with the process
configuration in ``global_conf``. Either is built with ``sys.argv`` cut to
the program name: hosted projects parse it with oslo.config, and twistd's
or a worker's own arguments are not theirs. A failure is logged with its
traceback once and becomes one line naming the option, the app and the
exception.
"""

import collections
import configparser
import contextlib
import functools
import importlib
import sys
import time

from paste.deploy import loadapp
from twisted.internet.threads import blockingCallFromThread
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web import resource

from minova_tw import compat
from minova_tw import conf as minova_conf
from minova_tw import logs, reactors, request_head
from minova_tw.conf.service import parse_entry_point

log = Logger(namespace="minova.wsgi")

#: Section prefixes under which PasteDeploy finds an app by name.
_APP_PREFIXES = ("app", "application", "composite", "composit", "pipeline",
                 "filter-app")


class PasteAppNotFound(LookupError):
    """The paste file has no app of that name (nova's PasteAppNotFound)."""


def has_paste_app(paste_file, name):
    """Whether ``paste_file`` defines an app called ``name``."""
    parser = configparser.RawConfigParser(strict=False)
    parser.read(paste_file)
    sections = {s.replace(" ", "") for s in parser.sections()}
    return any("%s:%s" % (prefix, name) in sections
               for prefix in _APP_PREFIXES)


def entry_point(conf, name):
    """API ``name``'s ``[DEFAULT] <name>_wsgi_app``; None: paste serves it."""
    option = "%s_wsgi_app" % name
    return conf[option] if option in conf else None


def load_app(conf, name, paste_file=None):
    """Build API ``name``'s app: its entry point, or its paste app.

    The paste app is loaded as nova-api's WSGIService did. Raises
    PasteAppNotFound when the paste file has no such app, and
    minova_tw.conf.ConfigError when the app cannot be built: a paste
    factory's own ConfigError as it is, anything else (also SystemExit, as
    argparse and oslo.config raise on arguments they do not know) logged
    with its traceback and said in one line.
    """
    spec = entry_point(conf, name)
    if spec:
        return _import_app(name, spec)
    paste_file = paste_file or minova_conf.find_paste_file(conf)
    if not has_paste_app(paste_file, name):
        raise PasteAppNotFound("no paste app %r in %s" % (name, paste_file))
    try:
        with program_name_only():
            return loadapp("config:" + paste_file, name=name,
                           global_conf=minova_conf.paste_global_conf(conf))
    except minova_conf.ConfigError:
        raise
    except (Exception, SystemExit):
        raise _cannot_build("[wsgi] api_paste_config: cannot load %s from %s"
                            % (name, paste_file)) from None


def _import_app(name, spec):
    """The app of entry point ``spec``, as gunicorn's APP_MODULE and uWSGI's
    --module find it: import the module, take the attribute, call it if
    ``spec`` says ``factory()``."""
    module, attribute, call = parse_entry_point(spec)
    option = "[DEFAULT] %s_wsgi_app" % name
    with program_name_only():
        try:
            app = getattr(importlib.import_module(module), attribute)
        except (Exception, SystemExit):
            raise _cannot_build("%s: cannot import %s" % (option, spec)) \
                from None
        if call is not None:
            try:
                app = app(*call[0], **call[1])
            except (Exception, SystemExit):
                raise _cannot_build("%s: cannot call %s" % (option, spec)) \
                    from None
    if not callable(app):
        raise minova_conf.ConfigError("%s: %s is a %s, not a WSGI app" % (
            option, spec, type(app).__name__))
    return app


def _cannot_build(what):
    """Log the exception being handled with its traceback; its one line.

    Logged as critical: before twistd begins logging (startup), Twisted
    writes critical events straight to stderr, so the traceback is seen
    even though startup stops; later it is in the log.
    """
    failure = Failure()
    log.failure("{what}", failure, what=what)
    message = " ".join(str(failure.value).split())
    return minova_conf.ConfigError("%s: %s%s" % (
        what, failure.type.__name__, ": " + message if message else ""))


@contextlib.contextmanager
def program_name_only():
    """Show code run inside ``sys.argv`` as the program name alone.

    A hosted project parses ``sys.argv`` when its entry module is imported
    (nova's wsgi_app hands it to oslo.config, which stops at twistd's
    ``--config``, or a worker's ``--api``), as it would under uWSGI. The
    real arguments are back afterwards.
    """
    saved = sys.argv
    sys.argv = saved[:1]
    try:
        yield
    finally:
        sys.argv = saved


#: Headers twisted.web sets on every response that an app may replace.
_HOST_HEADERS = frozenset((b"server", b"date"))


def connection_environ(resource, host, peer, secure, transport):
    """The environ keys every request of one connection shares.

    Made once per connection by whichever HTTP layer serves it (minova's
    own HTTP/1.1 channel, or twisted.web for HTTP/2 and embedding).
    """
    base = {
        "SERVER_PORT": str(getattr(host, "port", "")),
        "REMOTE_ADDR": getattr(peer, "host", ""),
        "REMOTE_PORT": str(getattr(peer, "port", "")),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https" if secure else "http",
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": resource.threadpool is not None,
        "wsgi.multiprocess": resource.multiprocess,
        "wsgi.run_once": False,
        "minova.access_logged": resource.accessLogged,
    }
    if secure:
        _add_client_certificate(base, transport)
    return base


class WSGIResource(resource.Resource):
    """Runs a WSGI app for each request on the process's shared thread pool.

    Unlike twisted.web.wsgi, the pool thread runs the app to completion and
    hands the finished response to the reactor in one fire-and-forget
    hand-off (``ReactorQueue``: responses finishing close together cross
    in one wake-up of the reactor): the thread never waits on the
    reactor, so a request costs one hand-off each way, and a thread
    finishing after the reactor stopped cannot deadlock shutdown. A body
    that keeps streaming past ``STREAM_BUFFER`` bytes is written chunk by
    chunk, each chunk waiting for the reactor, which is the flow control a
    long stream needs. With no thread pool (``threadpool=None``, ``[wsgi]
    thread_pool_size = 0``) the app runs in the reactor thread itself: the
    fastest path, for stacks that never block.

    minova's own HTTP/1.1 channel (minova_tw.http11) calls ``serve`` with
    an environ and a responder of its own; as a twisted.web resource
    (HTTP/2, or mounted in someone else's Site) ``render`` does the same
    for a twisted.web Request.

    ``environ`` carries ``wsgi.multiprocess`` (true when the API runs in
    worker processes) and ``minova.access_logged`` (``access_logged``:
    the host writes the access line, and minova's own request_log filter
    then stays quiet; false with ``<api>_access_log = false``). Over TLS, a
    client certificate shows as mod_ssl's ``SSL_CLIENT_S_DN`` (RFC 4514)
    and ``SSL_CLIENT_CERT`` (PEM). What is the same for every request of a
    connection is computed once per connection.
    """

    isLeaf = True
    STREAM_BUFFER = 256 * 1024

    def __init__(self, reactor, threadpool, application, multiprocess=False,
                 reserved_paths=(), access_logged=True):
        super().__init__()
        self.reactor = reactor
        self.threadpool = threadpool
        self.application = application
        self.multiprocess = multiprocess
        self.accessLogged = access_logged
        self.handOff = (None if threadpool is None
                        else ReactorQueue(reactor, threadpool))
        # minova's own pool takes calls at the end of the reactor's turn
        # (SharedThreadPool.callAtTurnEnd); another ThreadPool at once.
        self._toPool = getattr(threadpool, "callAtTurnEnd",
                               getattr(threadpool, "callInThread", None))
        self.isReserved = reserved_path_matcher(reserved_paths)
        # minova's pool lets a thread wait for a connection's next request,
        # and keeps connections in its lease loop.
        self._lends = hasattr(threadpool, "hasIdleThread")
        self.appTime = AppTime()

    @property
    def loops(self):
        """Whether a leased connection goes to the pool's lease loop after
        its answer (minova_tw.threadpool): while the app's requests hold a
        thread's CPU ``AppTime.LONG`` or more."""
        return self.appTime.long and self._lends

    def lendsThread(self, environ):
        """Whether the connection of this request may be served by a pool
        thread from here on (minova_tw.http11's lease: ``serveHere``).

        Only on minova's own pool, while it has a thread asleep (a busy
        pool serves more connections than it has threads, which leases
        would take turns on) or the app's requests are long (``loops``:
        the lease loop serves any number of connections on one thread),
        and not for a reserved path, which runs on a reserved thread so as
        never to wait behind the pool.
        """
        return (self._lends
                and (self.appTime.long or self.threadpool.hasIdleThread())
                and not self.isReserved(environ["PATH_INFO"]))

    def serveHere(self, environ, responder):
        """In a pool thread: run the app now, ``responder`` called in this
        thread; from the reactor once the response streams past
        ``STREAM_BUFFER`` (the reactor writes the stream, and the rest)."""
        _WSGIResponse(self, responder, here=True).run(environ)

    def serve(self, environ, responder):
        """Run the app for ``environ``; ``responder`` gets the response.

        A request for one of the reserved paths runs on the pool's reserved
        thread (minova_tw.threadpool), so that it never queues behind
        requests holding every pool thread.
        """
        pool = self.threadpool
        if pool is None:
            _WSGIResponse(self, responder).run(environ)
        elif self.isReserved(environ["PATH_INFO"]):
            pool.callInReservedThread(
                _WSGIResponse(self, responder).run, environ)
        else:
            self._toPool(_WSGIResponse(self, responder).run, environ)

    def render(self, request):
        # Only twisted.web calls this, so it has loaded twisted.web.server.
        from twisted.web.server import NOT_DONE_YET
        request.defaultContentType = None
        try:
            environ = self._environ(request)
        except request_head.BadRequest as exc:
            log.debug("bad request: {why}", why=exc)
            request.setResponseCode(400)
            request.setHeader(b"content-type", b"text/plain")
            return b"The request is malformed."
        self.serve(environ, RequestResponder(request))
        return NOT_DONE_YET

    def _connection_environ(self, request):
        """The environ keys one connection shares, made on its first request."""
        channel = request.channel
        cached = getattr(channel, "minova_environ", None)
        if cached is not None and cached[0] is self:
            return cached[1]
        # An HTTP/2 stream has no transport; its connection has the TLS one.
        transport = getattr(channel, "_conn", channel).transport
        base = connection_environ(self, request.getHost(),
                                  request.getClientAddress(),
                                  request.isSecure(), transport)
        channel.minova_environ = (self, base)
        return base

    def _environ(self, request):
        """The environ of a twisted.web Request, with the steps of
        minova_tw.request_head that minova's HTTP/1.1 channel parses with."""
        environ = self._connection_environ(request).copy()
        request_head.add_headers(environ, (
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in request.requestHeaders.getAllRawHeaders()
            for value in values))
        environ.setdefault("CONTENT_TYPE", "")
        environ.setdefault("CONTENT_LENGTH", "")
        request_head.add_target(environ, request.method.decode("latin-1"),
                                request.uri.decode("latin-1"))
        if request.prepath:  # mounted below the root of someone's Site
            script_name = "/" + "/".join(
                segment.decode("latin-1") for segment in request.prepath)
            environ["SCRIPT_NAME"] = script_name
            environ["PATH_INFO"] = environ["PATH_INFO"][len(script_name):]
        request_head.add_server_name(
            environ, getattr(request.getHost(), "host", ""), False)
        environ["SERVER_PROTOCOL"] = request.clientproto.decode("latin-1")
        environ["wsgi.input"] = request.content
        return environ


def reserved_path_matcher(paths):
    """A test of a request's PATH_INFO: is it one of ``paths``, or below one?

    ``/healthcheck`` matches ``/healthcheck`` and ``/healthcheck/x``, not
    ``/healthchecks``: the boundary paste's urlmap routes on.
    """
    exact = frozenset(p.rstrip("/") or "/" for p in paths)
    below = tuple(p.rstrip("/") + "/" for p in exact)
    if not exact:
        return lambda path: False
    return lambda path: path in exact or path.startswith(below)


def _add_client_certificate(environ, transport):
    """Put the client's certificate, if it sent one, in ``environ``."""
    peer = transport.getPeerCertificate()
    if peer is not None:
        from cryptography.hazmat.primitives import serialization
        certificate = peer.to_cryptography()
        environ["SSL_CLIENT_S_DN"] = certificate.subject.rfc4514_string()
        environ["SSL_CLIENT_CERT"] = certificate.public_bytes(
            serialization.Encoding.PEM).decode("ascii")


class ReactorQueue:
    """Pool threads hand finished responses to the reactor through this.

    Each ``callFromThread`` wakes the reactor with a write to its waker
    pipe; under load many responses finish between two turns of the
    reactor, so they queue here and the first one alone wakes it, the
    reactor then delivering every response queued by then.
    """

    def __init__(self, reactor, pool=None):
        self.reactor = reactor
        self._calls = collections.deque()
        self._scheduled = False
        # minova's pool wakes the reactor once the thread is done
        # (SharedThreadPool.beforeWaiting); another pool at once.
        self._wake = getattr(pool, "beforeWaiting", _call)

    def call(self, f, *args):
        """From a pool thread: run ``f(*args)`` in the reactor, soon."""
        self._calls.append((f, args))
        if not self._scheduled:
            self._scheduled = True
            self._wake(self.reactor.callFromThread, self._run)

    def _run(self):
        # Cleared before draining: a call queued from now on either is
        # drained below or schedules another run, never neither.
        self._scheduled = False
        calls = self._calls
        while calls:
            f, args = calls.popleft()
            try:
                f(*args)
            except Exception:
                log.failure("delivering a response failed")


class AppTime:
    """How much of a thread's CPU an app's requests take, sampled: what
    decides where a keep-alive connection waits for its next request.

    Short requests (the reference app's 110 µs) are served best by the
    reactor reading them and one pool thread running them back to back;
    long ones (real nova's GET /, 1.8 ms) by the pool's lease loop, where
    the reactor takes no turn per request that would take the interpreter
    lock from the thread running the app (minova_tw.threadpool, measured
    in bench/). ``long`` turns true once the mean reaches ``LONG`` and
    false once it falls below half of it, so that a connection does not
    move between the two for a mean near the line. CPU time, not wall
    time: a request that waits on a database holds no lock meanwhile, and
    one that waits for the interpreter lock would seem long.
    """

    #: The mean CPU time a request, in seconds, from which ``long`` holds.
    LONG = 0.001
    #: One request in this many is timed: ``time.thread_time`` is a system
    #: call (about 1 µs).
    EVERY = 8
    #: The weight of a timed request in the mean.
    WEIGHT = 0.125
    #: The calling thread's CPU time, in seconds (tests replace it).
    clock = staticmethod(time.thread_time)

    def __init__(self):
        self.mean = 0.0
        self.long = False
        self._count = 0

    def start(self):
        """At a request's start: a clock to ``stop``, or None (not timed).
        Threads may lose a count to each other, which moves nothing."""
        self._count += 1
        if self._count % self.EVERY:
            return None
        return self.clock()

    def stop(self, began):
        """At a request's end, with what ``start`` gave."""
        mean = self.mean
        mean += (self.clock() - began - mean) * self.WEIGHT
        self.mean = mean
        self.long = mean >= (self.LONG / 2 if self.long else self.LONG)


class _WSGIResponse:
    """One request's trip through the app, in a pool thread (or inline).

    The ``responder`` (an HTTP layer's view of one request) is called in
    the reactor: ``deliver(status, headers, chunks, finish)`` with the
    status and headers the first time and None after, ``fail(failure)``
    when the app raised; its ``gone`` turns true when the client left.
    """

    def __init__(self, resource, responder, here=False):
        if resource.threadpool is None:
            self._inReactor = self._waitForReactor = _call
        else:
            self._inReactor = _call if here else resource.handOff.call
            self._waitForReactor = functools.partial(blockingCallFromThread,
                                                     resource.reactor)
        self.application = resource.application
        self.appTime = resource.appTime
        self.responder = responder
        self.status = None
        self.headers = None
        self.headersSent = False

    def startResponse(self, status, headers, exc_info=None):
        if exc_info is not None and self.headersSent:
            raise exc_info[1].with_traceback(exc_info[2])
        if not isinstance(status, str):
            raise TypeError("status must be str, not %r" % (status,))
        self.status = status
        self.headers = headers
        return self._write

    def _write(self, data):
        """The legacy ``write`` callable: stream at once, with flow control."""
        self._send([data], finish=False, wait=True)

    def run(self, environ):
        chunks = []
        size = 0
        result = None
        responder = self.responder
        clock = self.appTime.start()
        try:
            result = self.application(environ, self.startResponse)
            for chunk in result:
                if responder.gone:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > WSGIResource.STREAM_BUFFER:
                    self._send(chunks, finish=False, wait=True)
                    chunks, size = [], 0
        except Exception:
            self._inReactor(responder.fail, Failure())
            return
        finally:
            if result is not None and hasattr(result, "close"):
                try:
                    result.close()
                except Exception:
                    log.failure("close() of the WSGI response failed")
            logs.forget_request()
            if clock is not None:
                self.appTime.stop(clock)
        if self.status is None:
            self._inReactor(
                responder.fail, Failure(RuntimeError(
                    "the application returned without calling "
                    "start_response")))
            return
        self._send(chunks, finish=True, wait=False)

    def _send(self, chunks, finish, wait):
        if self.responder.gone:
            return
        status = None
        if not self.headersSent:
            self.headersSent = True
            status = self.status
        if wait:
            self._waitForReactor(self.responder.deliver, status,
                                 self.headers, chunks, finish)
            # What follows a stream goes after it, through the reactor
            # (serveHere delivered in the pool thread until now).
            if self._inReactor is _call:
                self._inReactor = self._waitForReactor
        else:
            self._inReactor(self.responder.deliver, status, self.headers,
                            chunks, finish)


def log_app_failure(failure):
    """Log what the app raised (the client sees a 500 or a cut connection)."""
    log.failure("the WSGI application raised an exception", failure)


class RequestResponder:
    """A twisted.web Request as the responder of one WSGI response."""

    def __init__(self, request):
        self.request = request
        self.gone = False
        request.notifyFinish().addErrback(self._clientGone)

    def _clientGone(self, _):
        self.gone = True

    def deliver(self, status, headers, chunks, finish):
        """In the reactor: status and headers (first time), body, finish."""
        request = self.request
        if compat.request_disconnected(request) or request.finished:
            return
        if status is not None:
            code, _, message = status.partition(" ")
            request.setResponseCode(int(code), message.encode("latin-1"))
            response_headers = request.responseHeaders
            for name, value in headers:
                name = name.lower().encode("latin-1")
                if name in _HOST_HEADERS:
                    response_headers.removeHeader(name)
                response_headers.addRawHeader(name, value.encode("latin-1"))
            if finish and not response_headers.hasHeader(b"content-length"):
                response_headers.setRawHeaders(
                    b"content-length", [b"%d" % sum(map(len, chunks))])
        for chunk in chunks:
            request.write(chunk)
        if finish:
            request.finish()

    def fail(self, failure):
        """In the reactor: the app raised. 500 if nothing was sent, else
        drop (request_head.failure_answer)."""
        log_app_failure(failure)
        request = self.request
        if compat.request_disconnected(request) or request.finished:
            return
        answer = request_head.failure_answer(request.startedWriting)
        if answer is None:
            request.channel.transport.abortConnection()
            return
        status, headers, body = answer
        self.deliver(status, headers, [body], finish=True)


def _call(f, *args):
    return f(*args)


def make_resource(app, reactor=None, multiprocess=False, inline=False,
                  reserved_paths=(), access_logged=True, pool=None):
    """A WSGIResource running ``app`` on ``pool``, or on the reactor's
    thread pool when ``pool`` is None.

    ``inline`` runs it in the reactor thread instead. ``reserved_paths``
    run on the pool's reserved thread, which needs a pool that
    minova_tw.threadpool.shared made. ``access_logged``: whether the
    host writes the access line (the app sees it in its environ). Call
    this once the reactor is about to run (twistd may fork to daemonize
    after makeService; a pool made before that would be lost).
    """
    reactor = reactors.resolve(reactor)
    if inline:
        pool = None
    elif pool is None:
        pool = reactor.getThreadPool()
    return WSGIResource(reactor, pool, app, multiprocess, reserved_paths,
                        access_logged)

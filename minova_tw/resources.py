"""The WSGI side of each API: its paste app, loaded by name, run by a WSGIResource.

This is the host's only way into the stacks: PasteDeploy loads the app whose
name is the API's name from ``[wsgi] api_paste_config``, handing it the
process configuration through ``global_conf``. The host knows nothing else of
the app, so any paste-deployed stack can be served.
"""

import configparser
import functools
import sys
from urllib.parse import unquote_to_bytes

from cryptography.hazmat.primitives import serialization
from paste.deploy import loadapp
from twisted.internet.threads import blockingCallFromThread
from twisted.logger import Logger
from twisted.python.failure import Failure
from twisted.web import resource, server

from minova_tw import conf as minova_conf
from minova_tw import logs

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


def load_app(conf, name, paste_file=None):
    """Load API ``name`` from the paste file, as nova-api's WSGIService did.

    Raises PasteAppNotFound when the file has no such app, and
    minova_tw.conf.ConfigError when the app cannot be built: a factory's
    own ConfigError as it is, anything else as one line naming the file.
    """
    paste_file = paste_file or minova_conf.find_paste_file(conf)
    if not has_paste_app(paste_file, name):
        raise PasteAppNotFound("no paste app %r in %s" % (name, paste_file))
    try:
        return loadapp("config:" + paste_file, name=name,
                       global_conf=minova_conf.paste_global_conf(conf))
    except minova_conf.ConfigError:
        raise
    except Exception as exc:
        raise minova_conf.ConfigError(
            "[wsgi] api_paste_config: cannot load %s from %s: %s" % (
                name, paste_file, " ".join(str(exc).split()) or
                type(exc).__name__)) from None


#: Headers twisted.web sets on every response that an app may replace.
_HOST_HEADERS = frozenset((b"server", b"date"))


class WSGIResource(resource.Resource):
    """Runs a WSGI app for each request on the process's shared thread pool.

    Unlike twisted.web.wsgi, the pool thread runs the app to completion and
    hands the finished response to the reactor in one fire-and-forget
    ``callFromThread``: the thread never waits on the reactor, so a request
    costs one hand-off each way, and a thread finishing after the reactor
    stopped cannot deadlock shutdown. A body that keeps streaming past
    ``STREAM_BUFFER`` bytes is written chunk by chunk, each chunk waiting
    for the reactor, which is the flow control a long stream needs. With no
    thread pool (``threadpool=None``, ``[wsgi] thread_pool_size = 0``) the
    app runs in the reactor thread itself: the fastest path, for stacks that
    never block.

    ``environ`` carries ``wsgi.multiprocess`` (true when the API runs in
    worker processes) and ``minova.access_logged`` (the host writes the
    access line; nova's request_log filter then stays quiet). Over TLS, a
    client certificate shows as mod_ssl's ``SSL_CLIENT_S_DN`` (RFC 4514)
    and ``SSL_CLIENT_CERT`` (PEM). What is the same for every request of a
    connection is computed once per connection.
    """

    isLeaf = True
    STREAM_BUFFER = 256 * 1024

    def __init__(self, reactor, threadpool, application, multiprocess=False):
        super().__init__()
        self.reactor = reactor
        self.threadpool = threadpool
        self.application = application
        self.multiprocess = multiprocess

    def render(self, request):
        request.defaultContentType = None
        environ = self._environ(request)
        if self.threadpool is None:
            _WSGIResponse(self, request, inline=True).run(environ)
        else:
            self.threadpool.callInThread(
                _WSGIResponse(self, request, inline=False).run, environ)
        return server.NOT_DONE_YET

    def _connection_environ(self, request):
        """The environ keys one connection shares, made on its first request."""
        channel = request.channel
        cached = getattr(channel, "minova_environ", None)
        if cached is not None and cached[0] is self:
            return cached[1]
        client = request.getClientAddress()
        secure = request.isSecure()
        base = {
            "SERVER_PORT": str(request.getHost().port),
            "REMOTE_ADDR": getattr(client, "host", ""),
            "REMOTE_PORT": str(getattr(client, "port", "")),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https" if secure else "http",
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": self.threadpool is not None,
            "wsgi.multiprocess": self.multiprocess,
            "wsgi.run_once": False,
            "minova.access_logged": True,
            "CONTENT_TYPE": "",
            "CONTENT_LENGTH": "",
        }
        if secure:
            _add_client_certificate(base, channel)
        channel.minova_environ = (self, base)
        return base

    def _environ(self, request):
        path, _, query = request.uri.partition(b"?")
        path_info = unquote_to_bytes(path).decode("latin-1")
        script_name = ""
        if request.prepath:  # mounted below the root of someone's Site
            script_name = "/" + "/".join(
                segment.decode("latin-1") for segment in request.prepath)
            path_info = path_info[len(script_name):]
        environ = self._connection_environ(request).copy()
        environ["REQUEST_METHOD"] = request.method.decode("latin-1")
        environ["SCRIPT_NAME"] = script_name
        environ["PATH_INFO"] = path_info
        environ["QUERY_STRING"] = query.decode("latin-1")
        environ["SERVER_NAME"] = request.getRequestHostname().decode(
            "latin-1")
        environ["SERVER_PROTOCOL"] = request.clientproto.decode("latin-1")
        environ["wsgi.input"] = request.content
        for name, values in request.requestHeaders.getAllRawHeaders():
            key = name.decode("latin-1").upper().replace("-", "_")
            value = ",".join(v.decode("latin-1") for v in values)
            if key == "CONTENT_TYPE" or key == "CONTENT_LENGTH":
                environ[key] = value
            else:
                environ["HTTP_" + key] = value
        return environ


def _add_client_certificate(environ, channel):
    """Put the client's certificate, if it sent one, in ``environ``."""
    # An HTTP/2 stream has no transport; its connection has the TLS one.
    peer = getattr(channel, "_conn", channel).transport.getPeerCertificate()
    if peer is not None:
        certificate = peer.to_cryptography()
        environ["SSL_CLIENT_S_DN"] = certificate.subject.rfc4514_string()
        environ["SSL_CLIENT_CERT"] = certificate.public_bytes(
            serialization.Encoding.PEM).decode("ascii")


class _WSGIResponse:
    """One request's trip through the app, in a pool thread (or inline)."""

    def __init__(self, resource, request, inline):
        self.reactor = resource.reactor
        self.application = resource.application
        if inline:
            self._inReactor = self._waitForReactor = _call
        else:
            self._inReactor = self.reactor.callFromThread
            self._waitForReactor = functools.partial(blockingCallFromThread,
                                                     self.reactor)
        self.request = request
        self.status = None
        self.headers = None
        self.headersSent = False
        self.gone = False
        request.notifyFinish().addErrback(self._clientGone)

    def _clientGone(self, _):
        self.gone = True

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
        try:
            result = self.application(environ, self.startResponse)
            for chunk in result:
                if self.gone:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > WSGIResource.STREAM_BUFFER:
                    self._send(chunks, finish=False, wait=True)
                    chunks, size = [], 0
        except Exception:
            self._inReactor(self._fail, Failure())
            return
        finally:
            if result is not None and hasattr(result, "close"):
                try:
                    result.close()
                except Exception:
                    log.failure("close() of the WSGI response failed")
            logs.forget_request()
        if self.status is None:
            self._inReactor(
                self._fail, Failure(RuntimeError(
                    "the application returned without calling "
                    "start_response")))
            return
        self._send(chunks, finish=True, wait=False)

    def _send(self, chunks, finish, wait):
        if self.gone:
            return
        first = not self.headersSent
        self.headersSent = True
        if wait:
            self._waitForReactor(self._deliver, first, chunks, finish)
        else:
            self._inReactor(self._deliver, first, chunks, finish)

    def _deliver(self, first, chunks, finish):
        """In the reactor: status and headers (first time), body, finish."""
        request = self.request
        if request._disconnected or request.finished:
            return
        if first:
            code, _, message = self.status.partition(" ")
            request.setResponseCode(int(code), message.encode("latin-1"))
            headers = request.responseHeaders
            for name, value in self.headers:
                name = name.lower().encode("latin-1")
                if name in _HOST_HEADERS:
                    headers.removeHeader(name)
                headers.addRawHeader(name, value.encode("latin-1"))
            if finish and not headers.hasHeader(b"content-length"):
                headers.setRawHeaders(
                    b"content-length", [b"%d" % sum(map(len, chunks))])
        for chunk in chunks:
            request.write(chunk)
        if finish:
            request.finish()

    def _fail(self, failure):
        """In the reactor: the app raised. 500 if nothing was sent, else drop."""
        log.failure("the WSGI application raised an exception", failure)
        request = self.request
        if request._disconnected or request.finished:
            return
        if request.startedWriting:
            request.channel.transport.abortConnection()
            return
        body = b"An unexpected error occurred."
        request.setResponseCode(500)
        request.responseHeaders.setRawHeaders(b"content-type",
                                              [b"text/plain"])
        request.responseHeaders.setRawHeaders(b"content-length",
                                              [b"%d" % len(body)])
        request.write(body)
        request.finish()


def _call(f, *args):
    return f(*args)


def make_resource(app, reactor=None, multiprocess=False, inline=False):
    """A WSGIResource running ``app`` on the reactor's shared thread pool.

    ``inline`` runs it in the reactor thread instead. Call this once the
    reactor is about to run (twistd may fork to daemonize after
    makeService; a pool made before that would be lost).
    """
    if reactor is None:
        from twisted.internet import reactor
    pool = None if inline else reactor.getThreadPool()
    return WSGIResource(reactor, pool, app, multiprocess)

"""The process: one listening service per enabled API, as nova-api's main did.

``makeService(conf)`` walks ``enabled_apis`` in order. For each name it loads
the paste app, binds ``<api>_listen:<api>_listen_port`` at once (so a port in
use stops startup with one line, and privileged ports are bound before
twistd drops privileges) and logs "<api> listening on host:port". A name
without a paste app is a warning; no API at all is an error.

The returned MultiService is what twistd runs, and what another Twisted
program can add to its own application.
"""

import os
import socket

from twisted.application import service
from twisted.internet import defer
from twisted.logger import Logger

from minova_tw import conf as minova_conf
from minova_tw import logs, resources
from minova_tw.site import APISite, check_log_format

log = Logger(namespace="minova.service")

LISTEN_BACKLOG = 128


class APIService(service.Service):
    """Serves one API on a socket that is already bound and listening.

    The WSGI resource and its thread pool are made in startService, after
    twistd has daemonized. stopService stops accepting, then lets the
    requests in flight finish within ``graceful_shutdown_timeout``.
    """

    def __init__(self, conf, name, app, sock, reactor=None):
        self.conf = conf
        self.name = name
        self.app = app
        self.socket = sock
        self.reactor = reactor
        self.site = None
        self.port = None

    @property
    def address(self):
        """The (host, port) this API listens on."""
        return self.socket.getsockname()[:2]

    def startService(self):
        super().startService()
        reactor = self.reactor
        if reactor is None:
            from twisted.internet import reactor
        wsgi = self.conf.wsgi
        reactor.suggestThreadPoolSize(wsgi.thread_pool_size)
        self.site = APISite(
            resources.make_resource(self.app, reactor, multiprocess=False),
            name=self.name,
            log_format=wsgi.wsgi_log_format,
            keep_alive=wsgi.keep_alive,
            max_header_line=wsgi.max_header_line,
            timeout=wsgi.client_socket_timeout,
            max_connections=wsgi.default_pool_size,
            reactor=reactor)
        self.port = reactor.adoptStreamPort(
            self.socket.fileno(), self.socket.family, self.site)
        self.site.port = self.port

    def stopService(self):
        super().stopService()
        if self.port is None:
            return defer.succeed(None)
        stopped = defer.maybeDeferred(self.port.stopListening)
        stopped.addCallback(
            lambda _: self.site.drain(self.conf.graceful_shutdown_timeout))
        return stopped


def bind(name, host, port, keepidle):
    """Bind and listen on host:port as nova-api did (reuseaddr, TCP keepalive).

    Raises ConfigError naming the option when that is impossible.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise minova_conf.ConfigError(
            "%s_listen: cannot listen on %s:%s: %s" % (
                name, host, port, exc.strerror or exc)) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if hasattr(socket, "TCP_KEEPIDLE") and keepidle:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepidle)
        sock.bind(address)
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        raise minova_conf.ConfigError(
            "%s_listen_port: cannot listen on %s:%s: %s" % (
                name, host, port, exc.strerror or exc)) from None
    sock.setblocking(False)
    return sock


def workers(conf, name):
    """How many processes serve ``name``: ``<api>_workers``, unset = CPUs."""
    return conf["%s_workers" % name] or os.cpu_count() or 1


def makeService(conf, reactor=None):
    """Build the service of every enabled API (see the module docstring).

    Raises minova_tw.conf.ConfigError, one line, when nothing can be served.
    """
    logs.setup(conf.debug)
    try:
        check_log_format(conf.wsgi.wsgi_log_format)
    except ValueError as exc:
        raise minova_conf.ConfigError(
            "[wsgi] wsgi_log_format: %s" % exc) from None
    paste_file = minova_conf.find_paste_file(conf)
    top = service.MultiService()
    top.setName("minova")
    for name in conf.enabled_apis:
        if name in top.namedServices:
            log.warn("enabled_apis names {api} twice; serving it once",
                     api=name)
            continue
        if "%s_listen" % name not in conf:
            log.warn("enabled_apis has {api}, which minova cannot serve "
                     "(no {api}_listen option); skipping it", api=name)
            continue
        try:
            app = resources.load_app(conf, name, paste_file)
        except resources.PasteAppNotFound:
            log.warn("enabled_apis has {api}, which is not an app in "
                     "{paste}; skipping it", api=name, paste=paste_file)
            continue
        _check_single_process(conf, name)
        if name in conf.enabled_ssl_apis:
            raise minova_conf.ConfigError(
                "enabled_ssl_apis: %s asks for TLS, which this minova "
                "cannot serve yet" % name)
        host = conf["%s_listen" % name]
        sock = bind(name, host, conf["%s_listen_port" % name],
                    conf.wsgi.tcp_keepidle)
        api = APIService(conf, name, app, sock, reactor)
        api.setName(name)
        api.setServiceParent(top)
        bound_host, bound_port = api.address
        log.info("{api} listening on {host}:{port}", api=name,
                 host=bound_host, port=bound_port)
    if not top.namedServices:
        raise minova_conf.ConfigError(
            "No APIs were started. Check the enabled_apis config option.")
    return top


def _check_single_process(conf, name):
    count = workers(conf, name)
    if count != 1:
        raise minova_conf.ConfigError(
            "%s_workers = %d: this minova serves each API in one process; "
            "set %s_workers = 1" % (name, count, name))

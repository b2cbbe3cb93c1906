"""The process: one listening service per enabled API, as nova-api's main did.

``makeService(conf)`` walks ``enabled_apis`` in order. For each name it loads
the paste app, binds ``<api>_listen:<api>_listen_port`` at once (so a port in
use stops startup with one line, and privileged ports are bound before
twistd drops privileges) and logs "<api> listening on host:port". A name
without a paste app is a warning; no API at all is an error. The APIs in
``enabled_ssl_apis`` share one ``ServerTLS``, checked here too.

With ``<api>_workers = 1`` an APIService serves the API in this process;
with more, a minova_tw.spawner.WorkerPool binds one SO_REUSEPORT socket per
worker and runs the workers, each of which serves the API with an
APIService of its own. Sockets systemd passed (socket activation) are used
instead of binding. ``Launcher.reload`` (SIGHUP under twistd) re-reads the
configuration, swaps in-process apps, re-reads certificates and replaces
workers one at a time.

The returned Launcher is what twistd runs, and what another Twisted
program can add to its own application; ProcessSignals is what twistd's
process (and each worker) adds to turn signals into that work.
"""

import os
import signal
import socket

from twisted.application import service
from twisted.internet import defer, error
from twisted.logger import Logger

from minova_tw import conf as minova_conf
from minova_tw import logs, resources, spawner, systemd, tls
from minova_tw.site import APISite, check_log_format

log = Logger(namespace="minova.service")

LISTEN_BACKLOG = 128


class APIService(service.Service):
    """Serves one API on a socket that is already bound and listening.

    The WSGI resource and its thread pool are made in startService, after
    twistd has daemonized. With ``server_tls`` (a ServerTLS) the API is
    served over TLS only. stopService stops accepting, then lets the
    requests in flight finish within ``graceful_shutdown_timeout``.
    """

    def __init__(self, conf, name, app, sock, reactor=None, server_tls=None,
                 multiprocess=False):
        self.conf = conf
        self.name = name
        self.app = app
        self.socket = sock
        self.reactor = reactor
        self.server_tls = server_tls
        self.multiprocess = multiprocess
        self.site = None
        self.port = None

    @property
    def address(self):
        """The (host, port) this API listens on."""
        return self.socket.getsockname()[:2]

    def startService(self):
        super().startService()
        reactor = _reactor(self.reactor)
        wsgi = self.conf.wsgi
        reactor.suggestThreadPoolSize(wsgi.thread_pool_size)
        self.site = APISite(
            resources.make_resource(self.app, reactor, self.multiprocess),
            name=self.name,
            log_format=wsgi.wsgi_log_format,
            keep_alive=wsgi.keep_alive,
            max_header_line=wsgi.max_header_line,
            timeout=wsgi.client_socket_timeout,
            max_connections=wsgi.default_pool_size,
            reactor=reactor)
        factory = self.site
        if self.server_tls is not None:
            factory = self.server_tls.wrap(self.site)
        self.port = reactor.adoptStreamPort(
            self.socket.fileno(), self.socket.family, factory)
        self.site.port = self.port

    def reload(self, conf):
        """Serve new requests with the paste app as ``conf`` now defines it.

        Raises ConfigError (the running app stays) when it cannot be loaded.
        """
        app = resources.load_app(conf, self.name)
        self.conf = conf
        self.app = app
        self.site.resource = resources.make_resource(
            app, _reactor(self.reactor), self.multiprocess)
        log.info("{api} now serves the reloaded paste app", api=self.name)

    def stopService(self):
        super().stopService()
        if self.port is None:
            return defer.succeed(None)
        stopped = defer.maybeDeferred(self.port.stopListening)
        # The port listened on a copy: close ours too, so that the kernel
        # refuses new clients instead of queueing them until we exit.
        stopped.addCallback(lambda _: self.socket.close())
        stopped.addCallback(
            lambda _: self.site.drain(self.conf.graceful_shutdown_timeout))
        return stopped


class Launcher(service.MultiService):
    """Every API of this process, and what the process does on SIGHUP.

    ``reload()`` re-reads the config files: on a ConfigError it logs the one
    line and keeps serving as before; otherwise each in-process API swaps
    in its reloaded paste app, the shared ServerTLS re-reads its files, and
    each WorkerPool replaces its workers one at a time. A SIGHUP arriving
    during a reload runs one more reload after it.
    """

    def __init__(self, conf, reactor=None):
        super().__init__()
        self.setName("minova")
        self.conf = conf
        self.reactor = reactor
        self.server_tls = None
        self._reloading = None
        self._reloadAgain = False

    @property
    def apis(self):
        """The service of each API (APIService or WorkerPool), in order."""
        return list(self.namedServices.values())

    def whenReady(self):
        """A Deferred that fires once every API (and worker) is ready."""
        return defer.gatherResults([api.whenReady() for api in self.apis
                                    if hasattr(api, "whenReady")])

    def startService(self):
        # Before the children start, so "minova ready" is logged before
        # systemd.Notifier (a child) says READY=1.
        _reactor(self.reactor).callWhenRunning(self._announceReady)
        super().startService()

    def _announceReady(self):
        self.whenReady().addCallback(
            lambda _: log.info("minova ready: {apis}", apis=", ".join(
                "%s (%s)" % (api.name, _processes(api)) for api in self.apis)))

    def reload(self):
        """Re-read the configuration and apply it (see the class docstring)."""
        if self._reloading is not None:
            log.info("reload already running; another follows it")
            self._reloadAgain = True
            return self._reloading
        self._reloading = self._reload()
        self._reloading.addBoth(self._reloaded)
        return self._reloading

    def _reloaded(self, result):
        self._reloading = None
        if self._reloadAgain and self.running:
            self._reloadAgain = False
            self.reload()
        return result

    @defer.inlineCallbacks
    def _reload(self):
        log.info("reloading the configuration")
        try:
            conf = minova_conf.load(self.conf.default_config_files,
                                    self.conf.default_config_dirs)
            prepare(conf)
        except minova_conf.ConfigError as exc:
            log.error("reload failed, still serving the running "
                      "configuration: {error}", error=exc)
            return
        self.conf = conf
        if self.server_tls is not None:
            self.server_tls.reload()
        for api in self.apis:
            if not self.running:
                return
            try:
                yield api.reload(conf)
            except (minova_conf.ConfigError, resources.PasteAppNotFound,
                    spawner.WorkerFailed) as exc:
                log.error("reload of {api} failed, it keeps serving as "
                          "before: {error}", api=api.name, error=exc)
        log.info("reload done")


def _processes(api):
    count = getattr(api, "count", 1)
    return "%d workers" % count if count > 1 else "in process"


class ProcessSignals(service.Service):
    """Turns this process's signals into reactor work (twistd's process, workers).

    ``handlers`` maps a signal to what the reactor thread runs when it
    arrives, or to None to ignore it; ``STOP`` stops the reactor, so
    services drain and twistd exits 0 (twistd's own SIGTERM handling would
    end it with the signal, status 143). The handlers are installed once
    the reactor runs (replacing the reactor's own) and only hand the work
    to the reactor thread: logging or reading files inside a signal
    handler is not safe.
    """

    STOP = "stop"

    def __init__(self, handlers, reactor=None):
        self.handlers = handlers
        self.reactor = reactor

    def startService(self):
        super().startService()
        self.reactor = _reactor(self.reactor)
        self.reactor.callWhenRunning(self._install)

    def _install(self):
        for signum, work in self.handlers.items():
            if work is None:
                signal.signal(signum, signal.SIG_IGN)
            else:
                if work == self.STOP:
                    work = self._stop
                signal.signal(signum, self._handler(work))

    def _handler(self, work):
        def handle(signum, frame):
            self.reactor.callFromThread(work)
        return handle

    def _stop(self):
        stop_reactor(self.reactor)


def stop_reactor(reactor):
    """Stop ``reactor`` unless it is stopping already."""
    try:
        reactor.stop()
    except error.ReactorNotRunning:
        pass


def _reactor(reactor):
    """``reactor``, or the global one, imported only once twistd set it up."""
    if reactor is None:
        from twisted.internet import reactor
    return reactor


def bind(name, host, port, keepidle, reuse_port=False):
    """Bind and listen on host:port as nova-api did (reuseaddr, TCP keepalive).

    ``reuse_port`` sets SO_REUSEPORT, so that more sockets can bind the same
    address and the kernel spreads new connections over them. Raises
    ConfigError naming the option when binding is impossible.
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
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
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


def listen(conf, name, count, inherited):
    """The listening sockets of API ``name``, served by ``count`` processes.

    The socket systemd passed for it, if any (all workers then share it);
    else one socket bound here, or ``count`` SO_REUSEPORT sockets on the
    same address (the first may get port 0's random port, the others bind
    that port).
    """
    if name in inherited:
        return [inherited[name]]
    host = conf["%s_listen" % name]
    keepidle = conf.wsgi.tcp_keepidle
    first = bind(name, host, conf["%s_listen_port" % name], keepidle,
                 reuse_port=count > 1)
    port = first.getsockname()[1]
    return [first] + [bind(name, host, port, keepidle, reuse_port=True)
                      for _ in range(count - 1)]


def prepare(conf):
    """What every minova process does first with its configuration.

    Routes Python logging into Twisted's log and checks what only shows
    when used; raises ConfigError.
    """
    logs.setup(conf.debug)
    try:
        check_log_format(conf.wsgi.wsgi_log_format)
    except ValueError as exc:
        raise minova_conf.ConfigError(
            "[wsgi] wsgi_log_format: %s" % exc) from None


def makeService(conf, reactor=None, log_path=None):
    """Build the service of every enabled API (see the module docstring).

    ``log_path`` is twistd's log file, which worker processes write to
    through twistd's own fd (None: they inherit twistd's stdout). Raises
    minova_tw.conf.ConfigError, one line, when nothing can be served.
    """
    prepare(conf)
    logs.log_options(conf)
    paste_file = minova_conf.find_paste_file(conf)
    inherited = systemd.listen_sockets(list(dict.fromkeys(conf.enabled_apis)))
    top = Launcher(conf, reactor)
    server_tls = None
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
        api_tls = None
        if name in conf.enabled_ssl_apis:
            server_tls = api_tls = server_tls or tls.ServerTLS(conf)
        count = workers(conf, name)
        sockets = listen(conf, name, count, inherited)
        if count == 1:
            api = APIService(conf, name, app, sockets[0], reactor, api_tls)
        else:
            # The app was loaded to check it; the workers load their own.
            api = spawner.WorkerPool(conf, name, sockets, count, reactor,
                                     log_path)
        api.setName(name)
        api.setServiceParent(top)
        bound_host, bound_port = api.address
        log.info("{api} listening on {host}:{port}{tls}", api=name,
                 host=bound_host, port=bound_port,
                 tls=" (TLS)" if api_tls else "")
    if not top.namedServices:
        raise minova_conf.ConfigError(
            "No APIs were started. Check the enabled_apis config option.")
    top.server_tls = server_tls
    return top

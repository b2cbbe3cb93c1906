"""The process: one listening service per enabled API, as nova-api's main did.

``makeService(conf)`` walks ``enabled_apis`` in order. For each name it
builds the app (``<api>_wsgi_app``, or the paste app of that name; in a
throw-away process when only workers serve it), binds
``<api>_listen:<api>_listen_port`` at once (so a port in use stops startup
with one line, and privileged ports are bound before twistd drops
privileges) and logs "<api> listening on host:port". A name without an app
is a warning; no API at all is an error that says which names were skipped
and why. The APIs in ``enabled_ssl_apis`` share one ``ServerTLS``, checked
here too.

With ``<api>_workers = 1`` an APIService serves the API in this process,
unless it is of another process group than the APIs this process serves
(ProcessSharing: hosted projects keep process-global state); with more, or
then, a minova_tw.spawner.WorkerPool binds one SO_REUSEPORT socket per
worker and runs the workers, each of which serves the API with an
APIService of its own. Sockets systemd passed (socket activation) are used
instead of binding. ``Launcher.reload`` (SIGHUP under twistd) re-reads the
configuration, swaps in-process apps, re-reads certificates and replaces
workers one at a time.

Startup's checks are ``check``, which ``minova-manage check`` runs too
(every problem, one line each, where startup stops at the first). With
``[metrics] listen_port`` set, a MetricsListener serves minova_tw.metrics'
``/metrics`` from this process. SIGUSR2 writes a Guru Meditation Report
(``Launcher.writeReport``, minova_tw.gmr).

The returned Launcher is what twistd runs, and what another Twisted
program can add to its own application; ProcessSignals is what twistd's
process (and each worker) adds to turn signals into that work.
"""

import collections
import errno
import ipaddress
import os
import signal
import socket

from twisted.application import service
from twisted.internet import defer, error
from twisted.logger import ILogObserver, Logger

from minova_tw import conf as minova_conf
from minova_tw import (gmr, logs, metrics, resources, spawner, systemd,
                       threadpool, tls)
from minova_tw.accesslog import check_log_format
from minova_tw.conf.service import is_api_name, process_group
from minova_tw.site import APISite

log = Logger(namespace="minova.service")

LISTEN_BACKLOG = 128


class ListeningService(service.Service):
    """Serves on ``sock``, a socket that is already bound and listening."""

    def __init__(self, sock, reactor=None):
        self.socket = sock
        self.reactor = reactor
        self.port = None

    @property
    def address(self):
        """The (host, port) this service listens on."""
        return self.socket.getsockname()[:2]

    def listen(self, factory):
        """Serve ``factory`` on the socket, from the reactor."""
        self.port = _reactor(self.reactor).adoptStreamPort(
            self.socket.fileno(), self.socket.family, factory)
        return self.port


class MetricsListener(ListeningService):
    """Serves ``/metrics`` (minova_tw.metrics) on the ``[metrics]`` socket.

    On stop it stops listening and removes the multiprocess directory.
    """

    def __init__(self, recorded, sock, reactor=None):
        super().__init__(sock, reactor)
        self.metrics = recorded

    def startService(self):
        super().startService()
        self.listen(metrics.site(self.metrics))

    def stopService(self):
        super().stopService()
        self.socket.close()
        metrics.remove_files(self.metrics)
        if self.port is not None:
            return self.port.stopListening()
        return None


class APIService(ListeningService):
    """Serves one API on a socket that is already bound and listening.

    The WSGI resource and its thread pool are made in startService, after
    twistd has daemonized. With ``server_tls`` (a ServerTLS) the API is
    served over TLS only. stopService stops accepting, then lets the
    requests in flight finish within ``graceful_shutdown_timeout``.
    """

    #: Where the access log is written directly, as (text file, tag or
    #: None) (minova_tw.accesslog), when this process owns its log stream;
    #: None: through twisted.logger.
    accessLogOutput = None

    def __init__(self, conf, name, app, sock, reactor=None, server_tls=None,
                 multiprocess=False):
        super().__init__(sock, reactor)
        self.conf = conf
        self.name = name
        self.app = app
        self.server_tls = server_tls
        self.multiprocess = multiprocess
        self.site = None

    def startService(self):
        super().startService()
        reactor = _reactor(self.reactor)
        wsgi = self.conf.wsgi
        access_log = self.conf["%s_access_log" % self.name]
        self.site = APISite(
            self._resource(self.app, reactor, access_log),
            name=self.name,
            log_format=wsgi.wsgi_log_format,
            keep_alive=wsgi.keep_alive,
            max_header_line=wsgi.max_header_line,
            max_header_size=wsgi.max_header_size,
            header_timeout=wsgi.header_timeout,
            body_timeout=wsgi.body_timeout,
            body_min_rate=wsgi.body_min_rate,
            max_body_size=max_body_size(self.conf, self.name),
            timeout=wsgi.client_socket_timeout,
            max_connections=wsgi.default_pool_size,
            access_log=access_log,
            reactor=reactor)
        self.site.metrics = metrics.for_api(self.name)
        if (self.accessLogOutput is not None
                and self.site.accessLog is not None):
            self.site.accessLog.writeTo(*self.accessLogOutput)
        factory = self.site
        if self.server_tls is not None:
            factory = self.server_tls.wrap(self.site)
        self.site.port = self.listen(factory)

    def _resource(self, app, reactor, access_logged):
        """The app's WSGIResource: on the shared pool, its ``[wsgi]
        reserved_thread_paths`` on a reserved thread, or inline when
        ``[wsgi] thread_pool_size`` is 0; ``access_logged`` when the site
        writes the access line."""
        size = self.conf.wsgi.thread_pool_size
        paths = self.conf.wsgi.reserved_thread_paths
        if size:
            threadpool.install(reactor, size, reserved=1 if paths else 0)
        return resources.make_resource(
            app, reactor, self.multiprocess, inline=not size,
            reserved_paths=paths, access_logged=access_logged)

    def reload(self, conf):
        """Serve new requests with the app as ``conf`` now defines it.

        A paste app is built afresh. An entry point that did not change is
        not: Python imports a module once per process, and calling a
        factory again would repeat its project's process set-up in a
        process that already did it, so the running app stays (workers are
        new processes and import it afresh). The site's settings (the
        ``[wsgi]`` limits, ``<api>_access_log``, the body size limit) stay
        those it started with. Raises ConfigError (the running app stays)
        when the app cannot be built.
        """
        spec = resources.entry_point(conf, self.name)
        if spec and spec == resources.entry_point(self.conf, self.name):
            app = self.app
            log.info("{api} keeps serving {spec}: an entry point is imported "
                     "once per process", api=self.name, spec=spec)
        else:
            app = resources.load_app(conf, self.name)
            log.info("{api} now serves the reloaded app", api=self.name)
        self.conf = conf
        self.app = app
        self.site.resource = self._resource(
            app, _reactor(self.reactor), self.site.accessLog is not None)

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

    #: The log observer for twistd's application: minova's own for
    #: ``--logfile`` (see minova_tw.logs; tap sets it), or None for twistd's.
    logObserver = None

    @property
    def apis(self):
        """The service of each API (APIService or WorkerPool), in order."""
        return list(self.namedServices.values())

    def setServiceParent(self, parent):
        """Join ``parent``; given twistd's application, set its log observer."""
        if self.logObserver is not None and hasattr(parent, "setComponent"):
            parent.setComponent(ILogObserver, self.logObserver)
        super().setServiceParent(parent)

    def reopenLogs(self):
        """twistd's log file was rotated: the workers reopen it too."""
        for api in self.apis:
            if hasattr(api, "reopenLogs"):
                api.reopenLogs()

    def writeReport(self):
        """SIGUSR2: the Guru Meditation Report of this process (minova_tw.gmr)."""
        gmr.write("twistd process", self.conf, self.apis,
                  _reactor(self.reactor))

    def whenReady(self):
        """A Deferred that fires once every API (and worker) is ready, and
        the process's signal handlers are installed (a SIGUSR2 or SIGHUP
        sent after "minova ready" must not meet the default action)."""
        return defer.gatherResults([child.whenReady() for child in self
                                    if hasattr(child, "whenReady")])

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
    if not isinstance(api, spawner.WorkerPool):
        return "in process"
    return "%d worker%s" % (api.count, "s" if api.count > 1 else "")


class ProcessSignals(service.Service):
    """Turns this process's signals into reactor work (twistd's process, workers).

    ``handlers`` maps a signal to what the reactor thread runs when it
    arrives, or to None to ignore it; ``STOP`` stops the reactor, so
    services drain and twistd exits 0 (twistd's own SIGTERM handling would
    end it with the signal, status 143). The handlers are installed once
    the reactor runs (replacing the reactor's own) and only hand the work
    to the reactor thread: logging or reading files inside a signal
    handler is not safe.

    For a signal in ``chained``, a Python handler found there at install
    time is called too, after the work is handed over: a hosted project's
    entry module may have registered one when it was imported (nova's
    Guru Meditation Report on SIGUSR2, from oslo.reports), and the project
    keeps what is its own.
    """

    STOP = "stop"

    def __init__(self, handlers, reactor=None, chained=()):
        self.handlers = handlers
        self.reactor = reactor
        self.chained = frozenset(chained)
        self._installed = defer.Deferred()

    def whenReady(self):
        """Fires once the handlers are installed."""
        done = defer.Deferred()
        self._installed.addCallback(lambda r: done.callback(r) or r)
        return done

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
                previous = None
                if signum in self.chained:
                    previous = signal.getsignal(signum)
                    if not callable(previous):  # SIG_DFL, SIG_IGN, None
                        previous = None
                    else:
                        log.info("{signal} also runs the handler the "
                                 "hosted app registered: {handler}",
                                 signal=signal.Signals(signum).name,
                                 handler=getattr(previous, "__qualname__",
                                                 repr(previous)))
                signal.signal(signum, self._handler(work, previous))
        self._installed.callback(None)

    def _handler(self, work, previous=None):
        def handle(signum, frame):
            self.reactor.callFromThread(work)
            if previous is not None:
                previous(signum, frame)
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


def bind(name, host, port, keepidle, reuse_port=False, options=None):
    """Bind and listen on host:port as nova-api did (reuseaddr, TCP keepalive).

    ``reuse_port`` sets SO_REUSEPORT, so that more sockets can bind the same
    address and the kernel spreads new connections over them. Raises
    ConfigError naming the option when binding is impossible: ``options``
    (address option, port option), by default ``[DEFAULT] <name>_listen``
    and ``[DEFAULT] <name>_listen_port``.
    """
    options = options or _listen_options(name)
    sock = _bound(host, port, options, reuse_port)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if hasattr(socket, "TCP_KEEPIDLE") and keepidle:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, keepidle)
        sock.listen(LISTEN_BACKLOG)
    except OSError as exc:
        sock.close()
        raise _cannot_listen(options[1], host, port, exc) from None
    sock.setblocking(False)
    return sock


def probe_port(name, host, port):
    """Raise ConfigError if another socket listens on host:port already.

    SO_REUSEPORT lets a socket join any other socket of the same user that
    set it too, so the sockets of an API with several workers would share,
    silently, a port another minova (or anything with SO_REUSEPORT) serves,
    and take a share of its clients. A bind without SO_REUSEPORT (with
    SO_REUSEADDR, so a recently stopped server's TIME_WAIT connections do
    not count) fails whenever anything listens there; it is closed at once,
    never listening, so no client connects to it. Our own workers' sockets
    do not exist yet: the parent binds them after this.
    """
    _bound(host, port, _listen_options(name), reuse_port=False,
           in_use=" by another process").close()


def _listen_options(name):
    return ("[DEFAULT] %s_listen" % name, "[DEFAULT] %s_listen_port" % name)


def _cannot_listen(option, host, port, exc, suffix=""):
    return minova_conf.ConfigError("%s: cannot listen on %s:%s: %s%s" % (
        option, host, port, exc.strerror or exc, suffix))


def _bound(host, port, options, reuse_port, in_use=""):
    """A socket bound to host:port with SO_REUSEADDR (and SO_REUSEPORT if
    ``reuse_port``); ConfigError naming ``options``' address or port option,
    with ``in_use`` after the reason when the address is in use."""
    host_option, port_option = options
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, socket.AF_UNSPEC, socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise _cannot_listen(host_option, host, port, exc) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise _cannot_listen(
            port_option, host, port, exc,
            in_use if exc.errno == errno.EADDRINUSE else "") from None
    return sock


def _loopback(host):
    """Whether ``host`` (an address a socket is bound to) is loopback only."""
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def max_body_size(conf, name):
    """The largest body the host accepts for API ``name``; None: no limit.

    ``<name>_max_request_body_size`` (0: none); unset, ``[oslo_middleware]
    max_request_body_size`` for a paste app, which minova builds with its
    own configuration, and none for an entry point: its project reads its
    own configuration, and its own limit is the one that counts.
    """
    size = conf["%s_max_request_body_size" % name]
    if size is None:
        if resources.entry_point(conf, name):
            return None
        size = conf.oslo_middleware.max_request_body_size
    return size or None


def workers(conf, name):
    """How many processes serve ``name``: ``<api>_workers``, unset = CPUs."""
    return conf["%s_workers" % name] or os.cpu_count() or 1


def listen(conf, name, count, inherited):
    """The listening sockets of API ``name``, served by ``count`` processes.

    The socket systemd passed for it, if any (all workers then share it);
    else one socket bound here, or ``count`` SO_REUSEPORT sockets on the
    same address (the first may get port 0's random port, the others bind
    that port), once ``probe_port`` found no other process on it.
    """
    if name in inherited:
        return [inherited[name]]
    host = conf["%s_listen" % name]
    port = conf["%s_listen_port" % name]
    if port is None:
        raise minova_conf.ConfigError(
            "[DEFAULT] %s_listen_port is not set: %s has no default port "
            "(0 picks a free one)" % (name, name))
    keepidle = conf.wsgi.tcp_keepidle
    if count > 1 and port:
        probe_port(name, host, port)
    first = bind(name, host, port, keepidle, reuse_port=count > 1)
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


class ServableAPI(collections.namedtuple(
        "ServableAPI", "name app tls count sockets in_process")):
    """An API that passed startup's checks: its app (None when only
    workers serve it), ServerTLS or None, number of processes, bound
    listening sockets, and whether the twistd process serves it (else
    ``count`` workers do)."""


class ProcessSharing:
    """Which ``<api>_workers = 1`` APIs the twistd process serves itself.

    A hosted project keeps its configuration in process-global state
    (oslo.config's CONF, the root logger, its database engine), so APIs
    share a process only within one process group
    (minova_tw.conf.service.process_group). The first API served in
    process claims the twistd process for its group; one of another group
    runs in a worker process of its own, and the log says why.
    """

    def __init__(self):
        self.group = None
        self.owner = None

    def in_process(self, conf, name, count):
        """Whether the twistd process serves API ``name`` itself."""
        if count > 1:
            return False
        group = process_group(conf, name)
        if self.group is None:
            self.group, self.owner = group, name
            return True
        if group == self.group:
            return True
        log.info("{api} runs in a worker process of its own: its process "
                 "group is {group}, and the twistd process serves {owner}'s, "
                 "{owner_group}", api=name, group=group, owner=self.owner,
                 owner_group=self.group)
        return False


def check(conf, error, warn, inherited=None):
    """Startup's checks, in startup's order: makeService and ``minova-manage check`` share them.

    The values and the log format (``prepare``), then for each enabled API
    its app (``<api>_wsgi_app``, or the paste app of its name, the paste
    file found when one is needed), the TLS files and the listening address
    (bound, so a port in use is found; systemd's sockets in ``inherited``
    are taken instead). An API served in this process (``<api>_workers =
    1``, and of the process group this process serves: ProcessSharing)
    has its app built here; one that only workers serve is built in a
    throw-away process instead (minova_tw.spawner.check_app), so that this
    process never imports a hosted project it does not serve, while a
    broken app still stops startup before anything listens.
    ``error(line)`` is called with each problem's one line: makeService
    raises there, so the first problem stops startup, while minova-manage
    check collects them all; ``warn(line)`` with each API startup skips,
    and when none is left, the error says which were skipped and why.
    Returns ``(apis, server_tls, metrics_socket)``: a ServableAPI per API
    that passed (its app None when only workers serve it), the ServerTLS
    the TLS APIs share, and the bound socket of the ``[metrics]`` listener,
    if it is enabled. The caller owns the sockets (``minova-manage check``
    closes them).
    """
    try:
        prepare(conf)
    except minova_conf.ConfigError as exc:
        error(str(exc))
    inherited = inherited or {}
    apis = []
    seen = set()
    skipped = []
    attempted = False
    paste = _PasteFile(conf, error)
    server_tls = None
    tls_failed = False
    sharing = ProcessSharing()
    for name in conf.enabled_apis:
        if name in seen:
            warn("enabled_apis names %s twice; serving it once" % name)
            continue
        seen.add(name)
        why = _unservable(conf, name, paste)
        if why:
            skipped.append("%s %s" % (name or "''", why))
            warn("enabled_apis has %s, which %s; skipping it"
                 % (name or "''", why))
            continue
        attempted = True
        if resources.entry_point(conf, name) is None and paste.find() is None:
            continue  # no paste file: said once already
        count = workers(conf, name)
        in_process = sharing.in_process(conf, name, count)
        try:
            app = None
            if in_process:
                app = resources.load_app(conf, name, paste.path)
            else:
                spawner.check_app(conf, name)
        except minova_conf.ConfigError as exc:
            error(str(exc))
            continue
        api_tls = None
        if name in conf.enabled_ssl_apis:
            if server_tls is None and not tls_failed:
                try:
                    server_tls = tls.ServerTLS(conf)
                except minova_conf.ConfigError as exc:
                    tls_failed = True
                    error(str(exc))
            api_tls = server_tls
        try:
            sockets = listen(conf, name, count, inherited)
        except minova_conf.ConfigError as exc:
            error(str(exc))
            continue
        if name in conf.enabled_ssl_apis and tls_failed:
            for sock in sockets:  # checked only: it cannot be served
                sock.close()
            continue
        apis.append(ServableAPI(name, app, api_tls, count, sockets,
                                in_process))
    if not attempted:
        error("No APIs were started. Check the enabled_apis config option: "
              + ("; ".join(skipped) or "it is empty"))
    metrics_socket = None
    if conf.metrics.listen_port is not None:
        try:
            metrics_socket = bind(
                "metrics", conf.metrics.listen, conf.metrics.listen_port, 0,
                options=("[metrics] listen", "[metrics] listen_port"))
        except minova_conf.ConfigError as exc:
            error(str(exc))
    return apis, server_tls, metrics_socket


class _PasteFile:
    """``[wsgi] api_paste_config``, found when an API first needs it.

    ``path`` is None until then, and stays None when it is missing (said
    once, through ``error``): a deployment whose APIs all have entry points
    needs no paste file.
    """

    def __init__(self, conf, error):
        self.conf = conf
        self.error = error
        self.path = None
        self._looked = False

    def find(self):
        """The paste file's path, or None when it is missing."""
        if not self._looked:
            self._looked = True
            try:
                self.path = minova_conf.find_paste_file(self.conf)
            except minova_conf.ConfigError as exc:
                self.error(str(exc))
        return self.path


def _unservable(conf, name, paste):
    """Why startup skips API ``name`` (a phrase after "which"), or None."""
    if not is_api_name(name):
        return "is not an API name (letters, digits and _ only)"
    if resources.entry_point(conf, name) is not None:
        return None
    path = paste.find()
    if path is not None and not resources.has_paste_app(path, name):
        return "is not an app in %s and has no [DEFAULT] %s_wsgi_app" % (
            path, name)
    return None


def _raise(line):
    raise minova_conf.ConfigError(line)


def makeService(conf, reactor=None, log_path=None):
    """Build the service of every enabled API (see the module docstring).

    ``log_path`` is twistd's log file, which worker processes write to
    through twistd's own fd (None: they inherit twistd's stdout). Raises
    minova_tw.conf.ConfigError, one line, at the first problem ``check``
    finds.
    """
    logs.setup(conf.debug)
    logs.log_options(conf)
    inherited = systemd.listen_sockets(list(dict.fromkeys(conf.enabled_apis)))
    apis, server_tls, metrics_socket = check(
        conf, _raise, lambda line: log.warn("{line}", line=line), inherited)
    if metrics_socket is not None:
        metrics.enable(metrics.fresh_directory()
                       if not all(api.in_process for api in apis) else None)
    top = Launcher(conf, reactor)
    for name, app, api_tls, count, sockets, in_process in apis:
        if in_process:
            api = APIService(conf, name, app, sockets[0], reactor, api_tls)
        else:
            api = spawner.WorkerPool(conf, name, sockets, count, reactor,
                                     log_path)
        api.setName(name)
        api.setServiceParent(top)
        bound_host, bound_port = api.address
        log.info("{api} listening on {host}:{port}{tls}", api=name,
                 host=bound_host, port=bound_port,
                 tls=" (TLS)" if api_tls else "")
        if conf.api.auth_strategy == "noauth2" and not _loopback(bound_host):
            log.warn("INSECURE: {api} listens on {host} with [api] "
                     "auth_strategy = noauth2: anyone who reaches this "
                     "address acts as any user and project, unchecked. Use "
                     "keystone, or listen on a loopback address only.",
                     api=name, host=bound_host)
    if metrics_socket is not None:
        listener = MetricsListener(metrics.current, metrics_socket, reactor)
        listener.setServiceParent(top)
        log.info("metrics listening on {host}:{port}",
                 host=listener.address[0], port=listener.address[1])
    top.server_tls = server_tls
    return top

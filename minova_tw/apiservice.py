"""The services that serve on a listening socket: one API, or ``/metrics``.

An APIService serves one API in this process (the twistd process for
``<api>_workers = 1``, or a worker); a MetricsListener serves
minova_tw.metrics' ``/metrics``. Each is given a minova_tw.sockets
Listener (or the Adopted socket a worker's parent bound) and binds it in
``privilegedStartService``, as Twisted's StreamServerEndpointService does:
twistd calls it before it drops privileges, so a port below 1024 can be
bound; a program that only calls ``startService`` gets it bound then.
"""

from twisted.application import service
from twisted.internet import defer
from twisted.logger import Logger

from minova_tw import metrics, reactors, resources, threadpool
from minova_tw.site import APISite

log = Logger(namespace="minova.service")


class ListeningService(service.Service):
    """Serves on the socket ``listener`` binds (minova_tw.sockets)."""

    def __init__(self, listener, reactor=None):
        self.listener = listener
        self.reactor = reactor
        self.socket = None
        self.port = None

    def privilegedStartService(self):
        """Bind the listening socket; ConfigError naming the option when
        the address cannot be used."""
        super().privilegedStartService()
        if self.socket is None:
            self.socket = self.listener.bind()[0]

    def startService(self):
        if self.socket is None:
            self.privilegedStartService()
        super().startService()

    @property
    def address(self):
        """The (host, port) this service listens on."""
        return self.socket.getsockname()[:2]

    def listen(self, factory):
        """Serve ``factory`` on the socket, from the reactor."""
        self.port = reactors.resolve(self.reactor).adoptStreamPort(
            self.socket.fileno(), self.socket.family, factory)
        return self.port


class MetricsListener(ListeningService):
    """Serves ``/metrics`` (minova_tw.metrics) on the ``[metrics]`` socket.

    On stop it stops listening; the Launcher removes the multiprocess
    directory once its workers have exited too.
    """

    def __init__(self, recorded, listener, reactor=None):
        super().__init__(listener, reactor)
        self.metrics = recorded

    def startService(self):
        super().startService()
        self.listen(metrics.site(self.metrics))

    def stopService(self):
        super().stopService()
        if self.socket is not None:
            self.socket.close()
        if self.port is not None:
            return self.port.stopListening()
        return None


class APIService(ListeningService):
    """Serves one API on the socket ``listener`` binds.

    The WSGI resource and its thread pool are made in startService, after
    twistd has daemonized. With ``server_tls`` (a ServerTLS) the API is
    served over TLS only. stopService stops accepting, then lets the
    requests in flight finish within ``graceful_shutdown_timeout``.
    """

    #: Where the access log is written directly, as (text file, tag or
    #: None) (minova_tw.accesslog), when this process owns its log stream;
    #: None: through twisted.logger.
    accessLogOutput = None
    #: A worker's minova_tw.balance.Balancer, which moves kept connections
    #: to the sibling workers with fewer; None in one process.
    balancer = None

    def __init__(self, conf, name, app, listener, reactor=None,
                 server_tls=None, multiprocess=False):
        super().__init__(listener, reactor)
        self.conf = conf
        self.name = name
        self.app = app
        self.server_tls = server_tls
        self.multiprocess = multiprocess
        self.site = None

    def startService(self):
        super().startService()
        reactor = reactors.resolve(self.reactor)
        settings = self._siteSettings()
        self.site = APISite(
            self._resource(self.app, reactor, settings["access_log"]),
            name=self.name, reactor=reactor, **settings)
        self.site.metrics = metrics.for_api(self.name)
        self._directAccessLog()
        factory = self.site
        if self.server_tls is not None:
            factory = self.server_tls.wrap(self.site)
        self.site.port = self.listen(factory)
        if self.balancer is not None:
            self.balancer.start(self.site)

    def _siteSettings(self):
        """The APISite settings ``self.conf`` gives this API, at start and at
        each reload alike."""
        wsgi = self.conf.wsgi
        return dict(
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
            access_log=self.conf["%s_access_log" % self.name])

    def _directAccessLog(self):
        """Have the site's access log write to ``accessLogOutput``, if set."""
        if (self.accessLogOutput is not None
                and self.site.accessLog is not None):
            self.site.accessLog.writeTo(*self.accessLogOutput)

    def _resource(self, app, reactor, access_logged):
        """The app's WSGIResource: on the shared pool, its ``[wsgi]
        reserved_thread_paths`` on a reserved thread, or inline when
        ``[wsgi] thread_pool_size`` is 0; ``access_logged`` when the site
        writes the access line."""
        size = self.conf.wsgi.thread_pool_size
        paths = self.conf.wsgi.reserved_thread_paths
        pool = None
        if size:
            pool = threadpool.shared(reactor, size, reserved=1 if paths else 0)
        return resources.make_resource(
            app, reactor, self.multiprocess, inline=not size,
            reserved_paths=paths, access_logged=access_logged, pool=pool)

    def reload(self, conf):
        """Serve new requests with the app as ``conf`` now defines it.

        A paste app is built afresh. An entry point that did not change is
        not: Python imports a module once per process, and calling a
        factory again would repeat its project's process set-up in a
        process that already did it, so the running app stays (workers are
        new processes and import it afresh). The site takes ``conf``'s
        settings too (APISite.configure: the ``[wsgi]`` limits, keep-alive
        and log format, ``<api>_access_log``, the body size limit), as a
        new worker would; the address, TLS and process count stay. Raises
        ConfigError (the running app and settings stay) when the app
        cannot be built.
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
        settings = self._siteSettings()
        self.site.configure(**settings)
        self._directAccessLog()
        self.site.resource = self._resource(
            app, reactors.resolve(self.reactor), settings["access_log"])

    def stopService(self):
        super().stopService()
        if self.port is None:
            return defer.succeed(None)
        if self.balancer is not None:
            self.balancer.leave()
        stopped = defer.maybeDeferred(self.port.stopListening)
        # The port listened on a copy: close ours too, so that the kernel
        # refuses new clients instead of queueing them until we exit.
        stopped.addCallback(lambda _: self.socket.close())
        stopped.addCallback(
            lambda _: self.site.drain(self.conf.graceful_shutdown_timeout))
        if self.balancer is not None:
            stopped.addBoth(self._closeBalancer)
        return stopped

    def _closeBalancer(self, result):
        self.balancer.close()
        return result


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

"""The Launcher: every API of a process, what the process does on SIGHUP and
when it is ready.

What twistd runs (minova_tw.service.makeService builds it) and what an
embedding program adds to its application (docs/embedding.md).
"""

from twisted.application import service
from twisted.internet import defer
from twisted.logger import ILogObserver, Logger

from minova_tw import conf as minova_conf
from minova_tw import gmr, metrics, reactors, resources, spawner
from minova_tw.apiservice import MetricsListener
from minova_tw.sockets import is_loopback
from minova_tw.startup import prepare

log = Logger(namespace="minova.service")


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
        self._bound = False

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
                  reactors.resolve(self.reactor))

    def whenReady(self):
        """A Deferred that fires once every API (and worker) is ready, and
        the process's signal handlers are installed (a SIGUSR2 or SIGHUP
        sent after "minova ready" must not meet the default action)."""
        return defer.gatherResults([child.whenReady() for child in self
                                    if hasattr(child, "whenReady")])

    def privilegedStartService(self):
        """Bind every API's sockets, and the metrics one (before twistd
        drops privileges), then say where each listens. Raises ConfigError
        naming the option of an address that cannot be bound now."""
        if self._bound:
            return
        super().privilegedStartService()
        self._bound = True
        self._announceListening()

    def startService(self):
        # A program that embeds minova may start it without
        # privilegedStartService (MultiService.startService does not call it).
        self.privilegedStartService()
        # Before the children start, so "minova ready" is logged before
        # systemd.Notifier (a child) says READY=1.
        reactors.resolve(self.reactor).callWhenRunning(self._announceReady)
        super().startService()

    def _announceListening(self):
        """"<api> listening on host:port" for each API, then the metrics
        listener's; a loud warning for noauth2 on an address that is not
        loopback."""
        conf = self.conf
        for api in self.apis:
            host, port = api.address
            log.info("{api} listening on {host}:{port}{tls}", api=api.name,
                     host=host, port=port,
                     tls=" (TLS)" if api.name in conf.enabled_ssl_apis
                     else "")
            if conf.api.auth_strategy == "noauth2" and not is_loopback(host):
                log.warn("INSECURE: {api} listens on {host} with [api] "
                         "auth_strategy = noauth2: anyone who reaches this "
                         "address acts as any user and project, unchecked. "
                         "Use keystone, or listen on a loopback address "
                         "only.", api=api.name, host=host)
        for child in self:
            if isinstance(child, MetricsListener):
                log.info("metrics listening on {host}:{port}",
                         host=child.address[0], port=child.address[1])

    def _announceReady(self):
        self.whenReady().addCallback(
            lambda _: log.info("minova ready: {apis}", apis=", ".join(
                "%s (%s)" % (api.name, _processes(api)) for api in self.apis)))

    def stopService(self):
        """Stop every API and, once they all stopped (every worker drained
        and exited), remove the metrics' multiprocess directory: a worker
        still draining writes its requests' values there."""
        stopped = super().stopService()
        listeners = [child for child in self
                     if isinstance(child, MetricsListener)]

        def remove_files(result):
            for listener in listeners:
                metrics.remove_files(listener.metrics)
            return result
        return stopped.addBoth(remove_files)

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

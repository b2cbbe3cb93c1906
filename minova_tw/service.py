"""The process, assembled: one listening service per enabled API, as nova-api's main did.

``makeService(conf)`` runs startup's checks (minova_tw.startup.check),
which walk ``enabled_apis`` in order: each API's app (``<api>_wsgi_app``,
or the paste app of that name; in a throw-away process when only workers
serve it), its TLS files and its listening address, probed at once
(minova_tw.sockets) so that a port in use stops startup with one line
before twistd daemonizes. A name without an app is a warning; no API at
all is an error that says which names were skipped and why. It then builds
the services, which bind their sockets when they start
(``privilegedStartService``: before twistd drops privileges, so ports
below 1024 work); the Launcher then logs "<api> listening on host:port":

- ``<api>_workers = 1``: an APIService (minova_tw.apiservice) serves the
  API in this process, unless it is of another process group than the
  APIs this process serves (minova_tw.startup.ProcessSharing);
- more, or then: a minova_tw.spawner.WorkerPool runs the workers, one
  SO_REUSEPORT socket each, and each serves the API with an APIService of
  its own. Sockets systemd passed (socket activation) are used instead of
  binding;
- with ``[metrics] listen_port``: a MetricsListener for ``/metrics``.

They are the children of a Launcher (minova_tw.launcher): what twistd
runs, what another Twisted program can add to its own application, and
what reloads on SIGHUP. minova_tw.signals.ProcessSignals is what twistd's
process (and each worker) adds to turn signals into that work.
"""

from twisted.logger import Logger

from minova_tw import logs, metrics, spawner, systemd
from minova_tw import conf as minova_conf
from minova_tw.apiservice import APIService, MetricsListener
from minova_tw.launcher import Launcher
from minova_tw.startup import check

log = Logger(namespace="minova.service")


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
    apis, server_tls, metrics_listener = check(
        conf, _raise, lambda line: log.warn("{line}", line=line), inherited)
    if metrics_listener is not None:
        metrics.enable(metrics.fresh_directory()
                       if not all(api.in_process for api in apis) else None)
    top = Launcher(conf, reactor)
    for name, app, api_tls, count, listener, in_process in apis:
        if in_process:
            api = APIService(conf, name, app, listener, reactor, api_tls)
        else:
            api = spawner.WorkerPool(conf, name, listener, count, reactor,
                                     log_path)
        api.setName(name)
        api.setServiceParent(top)
    if metrics_listener is not None:
        MetricsListener(metrics.current, metrics_listener,
                        reactor).setServiceParent(top)
    top.server_tls = server_tls
    return top

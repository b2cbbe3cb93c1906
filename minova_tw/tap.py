"""twistd's entry to minova: the ``minova`` sub-command's options and makeService.

``twistd -n minova --config etc/api.conf`` parses the files with oslo.config
(``--config`` and ``--config-dir`` may repeat, like oslo's --config-file and
--config-dir) and returns the service that serves every enabled API. A
configuration problem ends twistd with status 1 and one line on stderr.

The twistd process also owns its signals: SIGTERM and SIGINT drain and
exit 0, SIGHUP reloads (minova_tw.launcher.Launcher.reload), SIGUSR2 writes
a Guru Meditation Report (minova_tw.gmr; a hosted app's own SIGUSR2
handler runs too), and with a log file SIGUSR1
rotates it as twistd does, the workers then reopening it; and it tells
systemd READY=1 and STOPPING=1 when run as a Type=notify unit. Worker
processes write to twistd's log file (``--logfile``, which minova opens
for twistd: minova_tw.logs), or to its stdout.

Nothing here imports the reactor before the configuration is read:
``makeService`` installs it, with Twisted's TLS only when an enabled API
serves it (minova_tw.tls.install_twisted).
"""

import os
import signal
import sys

from oslo_config import cfg
from twisted.logger import textFileLogObserver
from twisted.python import usage

from minova_tw import conf as minova_conf
from minova_tw import heap, logs, systemd, tls


class Options(usage.Options):
    """Options of ``twistd minova``."""

    synopsis = "[--config FILE]... [--config-dir DIR]..."
    longdesc = ("Serve the APIs in enabled_apis (osapi_compute, metadata, "
                "or any other name) from their <api>_wsgi_app entry points "
                "or [wsgi] api_paste_config, as nova-api does. Without "
                "--config, the files oslo.config finds for project 'minova' "
                "are read (e.g. /etc/minova/minova.conf).")

    def __init__(self):
        super().__init__()
        self["config"] = []
        self["config-dir"] = []

    def opt_config(self, path):
        """A config file to read; repeat for more (later files win)."""
        self["config"].append(os.path.abspath(path))

    def opt_config_dir(self, path):
        """A directory whose *.conf files are read after the --config files."""
        self["config-dir"].append(os.path.abspath(path))

    def postOptions(self):
        if not self["config"] and not self["config-dir"]:
            self["config"] = cfg.find_config_files(project="minova",
                                                   prog="minova")
            if not self["config"]:
                raise usage.UsageError(
                    "no config file: pass --config FILE (e.g. etc/api.conf)")


def makeService(options):
    """Load the configuration and build the service; exit on a config error."""
    path = log_path(options)
    try:
        conf = minova_conf.load(options["config"], options["config-dir"])
        # Before anything imports them (twistd's --reactor installs the
        # reactor this early too): the configuration says whether Twisted's
        # TLS is needed (minova_tw.tls.install_twisted).
        tls.install_twisted(conf, conf.enabled_apis)
        from minova_tw import apiservice, service, signals
        launcher = service.makeService(conf, log_path=path)
    except minova_conf.ConfigError as exc:
        raise SystemExit("minova: %s" % exc) from None
    heap.trim()
    stop = signals.ProcessSignals.STOP
    handlers = {signal.SIGTERM: stop, signal.SIGINT: stop,
                signal.SIGHUP: launcher.reload,
                signal.SIGUSR2: launcher.writeReport}
    log_file = None
    if path:
        log_file = logs.LogFile.fromFullPath(path)
        log_file.onRotate.append(launcher.reopenLogs)
        launcher.logObserver = textFileLogObserver(log_file)
        handlers[signal.SIGUSR1] = log_file.rotate
    output = access_log_output(options, log_file)
    for api in launcher.apis:
        if output is not None and isinstance(api, apiservice.APIService):
            api.accessLogOutput = (output, None)
    signals.ProcessSignals(handlers, chained=[signal.SIGUSR2]
                           ).setServiceParent(launcher)
    systemd.Notifier(launcher).setServiceParent(launcher)
    return launcher


def access_log_output(options, log_file):
    """The stream twistd's observer writes to, when minova can tell.

    minova's own ``log_file`` (``--logfile``). Without one (``log_path``
    said None), twistd logs to the process's stdout unless it was given
    syslog or a custom logger; then, or outside twistd, None: access lines
    go through twisted.logger.
    """
    if log_file is not None:
        return log_file
    twistd = getattr(options, "parent", None)
    if twistd is None or twistd.get("syslog") or twistd.get("logger"):
        return None
    return sys.__stdout__


def log_path(options):
    """The absolute path of twistd's log file, or None when it logs to stdout."""
    twistd = getattr(options, "parent", None) or {}
    path = twistd.get("logfile")
    if (path == "-" or twistd.get("syslog")
            or (path is None and twistd.get("nodaemon", True))):
        return None
    return os.path.abspath(path or "twistd.log")

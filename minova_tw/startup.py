"""Startup's checks, in startup's order: makeService and ``minova-manage check`` share them.

``check`` finds every problem of a configuration, one line each: the
values, the options no one knows, each enabled API's app, TLS files and
listening address. twistd stops at the first; ``minova-manage check``
prints them all. ``prepare`` is what every minova process (the twistd
process, each worker, each reload) does first with a configuration.
"""

import collections
import os

from twisted.logger import Logger

from minova_tw import conf as minova_conf
from minova_tw import logs, resources, spawner, tls
from minova_tw.accesslog import check_log_format
from minova_tw.conf import checks as conf_checks
from minova_tw.conf.service import is_api_name, process_group
from minova_tw.sockets import Listener

log = Logger(namespace="minova.service")


def workers(conf, name):
    """How many processes serve ``name``: ``<api>_workers``, unset = CPUs."""
    return conf["%s_workers" % name] or os.cpu_count() or 1


def prepare(conf):
    """What every minova process does first with its configuration.

    Routes Python logging into Twisted's log and checks what only shows
    when used or in combination (minova_tw.conf.checks); raises
    ConfigError.
    """
    logs.setup(conf.debug)
    try:
        check_log_format(conf.wsgi.wsgi_log_format)
    except ValueError as exc:
        raise minova_conf.ConfigError(
            "[wsgi] wsgi_log_format: %s" % exc) from None
    conf_checks.metadata_proxy_unsigned(conf)


class ServableAPI(collections.namedtuple(
        "ServableAPI", "name app tls count listener in_process")):
    """An API that passed startup's checks: its app (None when only
    workers serve it), ServerTLS or None, number of processes, its
    minova_tw.sockets.Listener (probed, not bound yet), and whether the twistd process serves it (else
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


def check(conf, error, warn, inherited=None, unknown=None):
    """Startup's checks, in startup's order: makeService and ``minova-manage check`` share them.

    The values and the log format (``prepare``), the options no one knows
    (minova_tw.conf.checks.unknown_options: ``unknown(line)`` with each,
    ``warn`` by default: startup goes on without them, while
    ``minova-manage check`` fails), then for each enabled API
    its app (``<api>_wsgi_app``, or the paste app of its name, the paste
    file found when one is needed), the TLS files and the listening address
    (bound and closed again, so a port in use is found; systemd's sockets
    in ``inherited`` are taken instead; the API's service binds it when it
    starts). An API served in this process (``<api>_workers =
    1``, and of the process group this process serves: ProcessSharing)
    has its app built here; one that only workers serve is built in a
    throw-away process instead (minova_tw.spawner.check_app), so that this
    process never imports a hosted project it does not serve, while a
    broken app still stops startup before anything listens.
    ``error(line)`` is called with each problem's one line: makeService
    raises there, so the first problem stops startup, while minova-manage
    check collects them all; ``warn(line)`` with each API startup skips,
    and when none is left, the error says which were skipped and why.
    Returns ``(apis, server_tls, metrics_listener)``: a ServableAPI per
    API that passed (its app None when only workers serve it), the
    ServerTLS the TLS APIs share, and the minova_tw.sockets.Listener of the
    ``[metrics]`` listener, if it is enabled.
    """
    try:
        prepare(conf)
    except minova_conf.ConfigError as exc:
        error(str(exc))
    for option in conf_checks.unknown_options(conf):
        (unknown or warn)(conf_checks.describe(option))
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
            listener = Listener.of_api(conf, name, count, inherited)
            listener.probe()
        except minova_conf.ConfigError as exc:
            error(str(exc))
            continue
        if name in conf.enabled_ssl_apis and tls_failed:
            continue  # checked only: it cannot be served
        apis.append(ServableAPI(name, app, api_tls, count, listener,
                                in_process))
    if not attempted:
        error("No APIs were started. Check the enabled_apis config option: "
              + ("; ".join(skipped) or "it is empty"))
    metrics_listener = None
    if conf.metrics.listen_port is not None:
        listener = Listener(
            "metrics", conf.metrics.listen, conf.metrics.listen_port,
            options=("[metrics] listen", "[metrics] listen_port"))
        try:
            listener.probe()
            metrics_listener = listener
        except minova_conf.ConfigError as exc:
            error(str(exc))
    return apis, server_tls, metrics_listener


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

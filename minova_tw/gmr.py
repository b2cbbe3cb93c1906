"""Guru Meditation Report: what a minova process is doing, written when it gets SIGUSR2.

nova-api starts oslo.reports' report on SIGUSR2. oslo.reports builds the
report inside the signal handler, interrupting whatever the process was
doing, and knows nothing of a reactor; minova's report is built on the
reactor thread instead (the signal handler, ProcessSignals', only hands it
over), where the reactor's state can be read safely, and the process goes
on serving. A hosted project that registered oslo.reports' own handler
(nova does, on import) still gets its report: minova's handler calls it
after handing its own over (minova_tw.signals.ProcessSignals).

A report has the versions, this process's role, the worker table (in the
twistd process of an API with workers), each API's open connections with
their peers and in-flight requests, the reactor's pending delayed calls,
every thread's stack, and the configuration with secrets masked the way
the startup dump (``[DEFAULT] log_options``) masks them: ``secret`` options,
``[database] connection`` among them, show as ``****``. It goes to the log,
or to a file in ``[guru_meditation] report_dir``.
"""

import datetime
import os
import platform
import sys
import threading
import time
import traceback

import twisted
from twisted.logger import Logger

import minova_tw
from minova_tw import conf as minova_conf

log = Logger(namespace="minova.gmr")

RULE = "=" * 72


def report(role, conf, apis, reactor):
    """The report's text. ``apis``: this process's APIService and WorkerPool objects."""
    sections = [
        ("Package", _package(role)),
        ("Workers", _workers(apis)),
        ("Connections", _connections(apis)),
        ("Delayed calls", _delayed_calls(reactor)),
        ("Threads", _threads()),
        ("Configuration", _configuration(conf)),
    ]
    lines = [RULE, "Guru Meditation Report of pid %d (%s)" % (os.getpid(), role)]
    for title, body in sections:
        lines += [RULE, "==== " + title, RULE] + body
    return "\n".join(lines + [RULE])


def write(role, conf, apis, reactor):
    """Build the report and write it to ``report_dir``, or else to the log."""
    text = report(role, conf, apis, reactor)
    directory = conf.guru_meditation.report_dir
    if directory:
        directory = os.path.join(minova_conf.config_dir(conf), directory)
        path = os.path.join(directory, "minova-gmr-%d-%s.txt" % (
            os.getpid(), datetime.datetime.now().strftime("%Y%m%dT%H%M%S.%f")))
        try:
            os.makedirs(directory, exist_ok=True)
            with open(path, "x") as f:
                f.write(text + "\n")
        except OSError as exc:
            log.error("cannot write the Guru Meditation Report to {path}: "
                      "{error}; it follows here", path=path, error=exc)
        else:
            log.info("Guru Meditation Report written to {path}", path=path)
            return path
    log.info("{report}", report=text)
    return None


def _package(role):
    return ["minova %s" % minova_tw.__version__,
            "Python %s (%s)" % (platform.python_version(),
                                sys.executable),
            "Twisted %s" % twisted.__version__,
            "process: %s, pid %d, parent pid %d" % (role, os.getpid(),
                                                    os.getppid()),
            "command line: %s" % " ".join(sys.argv),
            "time: %s" % datetime.datetime.now().astimezone().isoformat()]


def _workers(apis):
    rows = [row for api in apis if hasattr(api, "table")
            for row in api.table()]
    if not rows:
        return ["(no worker processes in this process's care)"]
    columns = ("api", "slot", "pid", "state", "started", "restarts")
    table = [columns] + [tuple(str(row[c]) for c in columns) for row in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    return ["  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip()
            for line in table]


def _connections(apis):
    lines = []
    now = time.monotonic()
    for api in apis:
        site = getattr(api, "site", None)
        if site is None:
            continue
        channels = site.channels
        lines.append("%s: %d open" % (api.name, len(channels)))
        for channel in sorted(channels, key=lambda c: str(_peer(c))):
            busy = not channel.idle
            lines.append("  %s %s" % (_peer(channel),
                                      "in flight" if busy else "idle"))
            for request in getattr(channel, "requests", ()):
                lines.append("    %s %s (%.3f s)" % (
                    request.method.decode("latin-1"),
                    request.uri.decode("latin-1"), now - request.started))
    return lines or ["(no API is served in this process)"]


def _peer(channel):
    transport = channel.transport
    peer = transport.getPeer() if transport is not None else None
    if peer is None:
        return "-"
    return "%s:%s" % (getattr(peer, "host", peer), getattr(peer, "port", ""))


def _delayed_calls(reactor):
    now = reactor.seconds()
    calls = sorted(reactor.getDelayedCalls(), key=lambda c: c.getTime())
    return ["in %8.3f s: %s" % (call.getTime() - now, _name(call.func))
            for call in calls] or ["(none)"]


def _name(func):
    owner = getattr(func, "__self__", None)
    name = getattr(func, "__qualname__", None) or repr(func)
    if owner is not None and not isinstance(owner, type):
        return "%s of %s" % (name, type(owner).__name__)
    return name


def _threads():
    frames = sys._current_frames()
    lines = []
    for thread in threading.enumerate():
        lines.append("Thread %s (ident %s%s):" % (
            thread.name, thread.ident, ", daemon" if thread.daemon else ""))
        frame = frames.get(thread.ident)
        if frame is not None:
            lines += [line.rstrip("\n") for line
                      in traceback.format_stack(frame)]
        lines.append("")
    return lines


class _Lines(list):
    """What conf.log_opt_values writes, collected as lines."""

    def log(self, level, message, *args):
        self.append(message % args if args else message)


def _configuration(conf):
    lines = _Lines()
    conf.log_opt_values(lines, 0)
    return lines

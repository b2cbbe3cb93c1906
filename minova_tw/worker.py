"""A worker process: serves one API on the listening socket its parent passed down.

``python -m minova_tw.worker --api NAME --slot N --reactor NAME --config F``
is what minova_tw.spawner runs; nobody else needs to. The worker reads the
same config files as the parent, installs the reactor twistd was given
before anything imports one (with Twisted's TLS only if its API serves it:
minova_tw.tls.install_twisted), builds its API's app
(minova_tw.resources.load_app: the entry point, imported with ``sys.argv``
cut to the program name, or the paste app; the parent builds neither),
adopts fd 3 and serves it with the same APIService and APISite as a
single-process minova (``wsgi.multiprocess`` is true here); with
``--balance DIR`` (a pool of several) it also moves kept connections to
the siblings that hold fewer, and takes theirs (minova_tw.balance).
Then it writes ``ready`` to fd 4. With ``--check-fd`` it only builds the
app and exits (minova_tw.spawner.check_app).

It stops (stop listening, drain within ``graceful_shutdown_timeout``, exit
0) on SIGTERM from the parent, and on its own when the parent dies: its
stdin, a pipe from the parent, reaches end of file (and on Linux the
kernel also sends SIGTERM, PR_SET_PDEATHSIG). SIGINT and SIGHUP are the
parent's to handle. Log lines go to stdout, which is the parent's stream
(twistd's stdout, or the fd of its log file), in twistd's format, tagged
"<api>/<slot>"; SIGUSR1 from the parent, once it rotated its log file,
makes the worker reopen that file (``--log-file``). SIGUSR2 writes the
worker's Guru Meditation Report, and runs the SIGUSR2 handler its app
registered, if any (nova's oslo.reports one). With ``[metrics]`` on, the worker records
its requests in the multiprocess directory its parent exported.
"""

import argparse
import ctypes
import os
import signal
import socket
import sys

from twisted.internet import defer, protocol
from twisted.logger import (FileLogObserver, Logger, formatEventAsClassicLogText,
                            globalLogBeginner)

from minova_tw import conf as minova_conf
from minova_tw import accesslog, threadpool, tls
from minova_tw.sockets import Adopted
from minova_tw.workerproto import (BOOT_ERROR, CONTROL_FD, LISTEN_FD, READY,
                                   RECYCLE)

log = Logger(namespace="minova.worker")

_PR_SET_PDEATHSIG = 1


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m minova_tw.worker")
    parser.add_argument("--api", required=True)
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--reactor")
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--config", action="append", default=[])
    parser.add_argument("--config-dir", action="append", default=[])
    parser.add_argument("--max-requests", type=int, default=0)
    parser.add_argument("--log-file")
    parser.add_argument("--check-fd", type=int)
    parser.add_argument("--balance")
    return parser.parse_args(argv)


def tagged_observer(out, tag):
    """Writes events as twistd does, the system field prefixed with ``tag``."""
    def format_event(event):
        system = event.get("log_system")
        if system in (None, "-"):
            system = "%s#%s" % (event.get("log_namespace", "-"),
                                event["log_level"].name)
        return formatEventAsClassicLogText(
            dict(event, log_system="%s %s" % (tag, system)))
    return FileLogObserver(out, format_event)


def die_with_parent(parent_pid):
    """Ask Linux for SIGTERM when the parent dies; exit if it already has."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the stdin pipe alone tells us
    if parent_pid and os.getppid() != parent_pid:
        sys.exit(0)


def cannot_start(error):
    """Log why this worker cannot serve and exit with BOOT_ERROR."""
    log.critical("cannot start: {error}", error=error)
    sys.exit(BOOT_ERROR)


def check(args):
    """``--check-fd FD``: build the app as a worker would, say why not, exit.

    minova_tw.spawner.check_app runs this, so that a worker-only app is
    built outside the parent. Logging has not begun, so Twisted writes the
    traceback of a failure (logged as critical) to stderr, which is the
    parent's; the one line goes to FD. The exit is immediate: threads the
    app started must not keep a throw-away process alive.
    """
    from minova_tw import resources, startup

    line = ""
    try:
        conf = minova_conf.load(args.config, args.config_dir)
        startup.prepare(conf)
        resources.load_app(conf, args.api)
    except (minova_conf.ConfigError, resources.PasteAppNotFound) as exc:
        line = str(exc)
    with os.fdopen(args.check_fd, "w") as report:
        report.write(line)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1 if line else 0)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    # Ctrl-C and a hangup reach the whole process group; the parent decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    die_with_parent(args.parent_pid)
    if args.check_fd is not None:
        check(args)
    globalLogBeginner.beginLoggingTo(
        [tagged_observer(sys.stdout, "%s/%d" % (args.api, args.slot))],
        redirectStandardIO=False)
    try:
        conf = minova_conf.load(args.config, args.config_dir)
    except minova_conf.ConfigError as exc:
        cannot_start(exc)
    # The configuration says whether this API needs Twisted's TLS; nothing
    # may import the reactor before.
    tls.install_twisted(conf, [args.api], args.reactor)
    from twisted.internet import reactor, stdio

    from minova_tw import (apiservice, balance, gmr, heap, logs, metrics,
                           resources, signals, startup)

    try:
        startup.prepare(conf)
        app = resources.load_app(conf, args.api)
        server_tls = (tls.ServerTLS(conf)
                      if args.api in conf.enabled_ssl_apis else None)
    except (minova_conf.ConfigError, resources.PasteAppNotFound) as exc:
        cannot_start(exc)
    heap.trim()
    if conf.metrics.listen_port is not None:
        metrics.enable(os.environ.get(metrics.MULTIPROC_ENV))
    api = apiservice.APIService(conf, args.api, app,
                                Adopted(socket.socket(fileno=LISTEN_FD)),
                                reactor,
                             server_tls, multiprocess=True)
    api.accessLogOutput = (sys.stdout, "%s/%d" % (args.api, args.slot))
    if args.balance:
        try:
            api.balancer = balance.Balancer(args.balance, args.slot, reactor)
        except OSError as exc:
            log.warn("serving without moving connections to siblings: "
                     "{error}", error=exc)
    control = ParentControl(lambda: signals.stop_reactor(reactor))
    stdio.StandardIO(control, stdin=0, stdout=CONTROL_FD, reactor=reactor)
    role = "worker %s/%d" % (args.api, args.slot)
    signals.ProcessSignals({
        signal.SIGTERM: signals.ProcessSignals.STOP,
        signal.SIGINT: None, signal.SIGHUP: None,
        signal.SIGUSR1: (lambda: logs.reopen_output(args.log_file))
        if args.log_file else None,
        signal.SIGUSR2: lambda: gmr.write(role, conf, [api], reactor),
    }, reactor, chained=[signal.SIGUSR2]).startService()

    def started():
        api.startService()
        if args.max_requests:
            api.site.notifyServed(args.max_requests).addCallback(
                lambda _: control.say(RECYCLE))
        control.say(READY)

    reactor.callWhenRunning(started)
    def stopping():
        control.shutdown()
        timeout = conf.graceful_shutdown_timeout
        deadline = reactor.seconds() + timeout if timeout else None
        return api.stopService().addCallback(lambda _: leave_the_app(
            reactor, threadpool.current(reactor), deadline))

    reactor.addSystemEventTrigger("before", "shutdown", stopping)
    reactor.run()


def leave_the_app(reactor, pool, deadline, exit=os._exit):
    """Fires once no request runs in the app; at ``deadline``, exits instead.

    The drain is over once the last connection closed, and the pool thread
    that sent the last response hands it to the reactor before it returns:
    at that moment it still counts as busy. So the worker waits for the
    pool to be idle (``pool.whenIdle``) rather than count its busy threads
    once. At ``deadline`` (``reactor.seconds()`` graceful_shutdown_timeout
    after the stop began; None: no limit) the requests still in the app
    are abandoned: their clients were disconnected, and the pool's stop
    after the reactor's shutdown would wait for them however long the app
    takes, so ``exit(0)`` ends the process at once.
    """
    if pool is None:
        return defer.succeed(None)
    idle = pool.whenIdle()
    if idle.called or deadline is None:
        return idle

    def abandon():
        log.warn("{count} requests still run in the app after the drain; "
                 "exiting without waiting for them", count=len(pool.working))
        accesslog.flush_all()
        sys.stdout.flush()
        exit(0)

    late = reactor.callLater(max(0, deadline - reactor.seconds()), abandon)
    idle.addCallback(lambda _: late.active() and late.cancel())
    return idle


class ParentControl(protocol.Protocol):
    """The pipes to the parent: lines to it on fd 4, its death as end of stdin."""

    def __init__(self, stop):
        self.stop = stop
        self.stopping = False

    def say(self, line):
        if self.transport is not None and not self.stopping:
            self.transport.write(line.encode("ascii") + b"\n")

    def shutdown(self):
        """The worker is stopping: stdin closing now is no news."""
        self.stopping = True

    def connectionLost(self, reason):
        if not self.stopping:
            self.stopping = True
            log.info("the parent process is gone; stopping")
            self.stop()


if __name__ == "__main__":
    main()

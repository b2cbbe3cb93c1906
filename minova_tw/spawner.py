"""The parent side of workers: a WorkerPool spawns, supervises and replaces one API's processes.

With ``<api>_workers = N`` (N > 1) the twistd process serves nothing itself.
For each API it holds N listening sockets bound to the same address with
SO_REUSEPORT (or the one socket systemd passed), and its WorkerPool runs one
fresh interpreter (``python -m minova_tw.worker``, never a fork of a process
whose reactor exists) per slot, with the reactor twistd was given. Slot i
gets socket i as its fd 3, so the kernel spreads new connections over the
workers instead of letting one worker take every keep-alive connection
from a shared queue. The kernel's spread goes by a hash, not by load: the
workers move kept connections among themselves until their counts are
even (minova_tw.balance, with the table and inboxes in a private
directory the pool makes when it starts and removes when it stopped).
The parent keeps its copy of each socket, so a replacement adopts the
very socket its predecessor listened on; but while a dead worker's slot
waits to respawn, its socket is closed if another slot has a worker (the
kernel would keep handing it new clients nobody accepts) and bound afresh
for the next worker (``WorkerPool.rebind``).

A worker reads its stdin, a pipe from the parent, to notice the parent's
death, and writes one-line messages to fd 4: ``ready`` once it listens,
``recycle`` when it served ``[wsgi] worker_max_requests``. A worker that
dies is logged with its exit status or signal and respawned after a delay
that doubles while workers keep dying young (twisted.runner.procmon's
back-off). ``replace`` starts a slot's new worker and retires the old one
only once the new one is ready: SIGHUP reloads and max-requests recycling
both go through it, so no request is dropped.

The parent never builds the app its workers serve; ``check_app`` has a
throw-away worker build it once at startup, so that an app that cannot be
built stops startup with its one line instead.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from twisted.application import reactors as twisted_reactors
from twisted.application import service
from twisted.internet import defer, error, protocol
from twisted.logger import Logger

from minova_tw import balance, metrics, reactors, resources
from minova_tw.conf import ConfigError
from minova_tw.workerproto import CONTROL_FD, LISTEN_FD, READY, RECYCLE

log = Logger(namespace="minova.spawner")

#: Back-off between respawns of a slot whose workers keep dying young.
MIN_RESTART_DELAY = 1.0
MAX_RESTART_DELAY = 60.0
#: A worker that lived this long died of something else than its start-up.
RESTART_THRESHOLD = 10.0
#: How long a new worker may take to say "ready".
READY_TIMEOUT = 60.0
#: Extra time a retiring worker gets beyond graceful_shutdown_timeout.
KILL_MARGIN = 5.0

#: Environment a worker must not inherit: systemd's is the parent's alone.
_PARENT_ONLY_ENV = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
                    "NOTIFY_SOCKET")


class WorkerFailed(Exception):
    """A new worker ended, or hung, before it was ready."""


def reactor_name(reactor):
    """twistd's ``--reactor`` name of ``reactor``, or None for a custom one."""
    module = type(reactor).__module__
    for installable in twisted_reactors.getReactorTypes():
        if installable.moduleName == module:
            return installable.shortName
    return None


def describe_exit(reason, killed_by_us=False):
    """"exited with status S" or "killed by signal SIGKILL (out of memory?)"."""
    status = reason.value
    if getattr(status, "signal", None):
        name = signal.Signals(status.signal).name
        hint = ""
        if status.signal == signal.SIGKILL and not killed_by_us:
            hint = " (out of memory?)"
        return "killed by signal %s%s" % (name, hint)
    return "exited with status %s" % (getattr(status, "exitCode", 0) or 0)


class WorkerProcess(protocol.ProcessProtocol):
    """One worker process of a pool: its slot, pid and what it told us."""

    def __init__(self, pool, slot):
        self.pool = pool
        self.slot = slot
        self.pid = None
        self.started = None
        self.ready = defer.Deferred()
        self.ended = defer.Deferred()
        self.retiring = False
        self.killed = False
        self._buffer = b""

    @property
    def name(self):
        return "%s/%d" % (self.pool.name, self.slot)

    def childDataReceived(self, fd, data):
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        for line in lines:
            self.pool.message(self, line.decode("ascii", "replace").strip())

    def processEnded(self, reason):
        self.pool.ended(self, reason)

    def signal(self, name):
        """Send SIGTERM ("TERM"), SIGKILL ("KILL") or a signal number, if it still runs."""
        self.killed = self.killed or name == "KILL"
        try:
            self.transport.signalProcess(name)
        except error.ProcessExitedAlready:
            pass


class Slot:
    """One place of a pool's ``count``: its socket, worker and respawn state.

    ``socket`` is the one its workers listen on (None while it is closed,
    waiting to respawn); ``worker`` the worker serving it, ``replacement``
    the new one ``replace`` started and that is not ready yet; ``respawn``
    the pending respawn (a DelayedCall) after a worker died, ``delay`` the
    back-off the next one waits, ``restarts`` how many workers died and
    were respawned; ``starting`` until it first had a ready worker.
    """

    def __init__(self, index, socket):
        self.index = index
        self.socket = socket
        self.worker = None
        self.replacement = None
        self.respawn = None
        self.delay = MIN_RESTART_DELAY
        self.restarts = 0
        self.starting = True


class WorkerPool(service.Service):
    """Serves one API with ``count`` worker processes; see the module docstring.

    ``listener`` (a minova_tw.sockets Listener) binds, when the service
    starts, ``count`` SO_REUSEPORT sockets (socket i for slot i), or gives
    the one socket all slots share (systemd's). ``log_path`` is twistd's log
    file: workers get the fd twistd writes it with as their stdout and
    stderr (sharing its file offset, so lines interleave instead of
    overwriting each other); without it they inherit twistd's stdout and
    stderr.
    """

    def __init__(self, conf, name, listener, count, reactor=None,
                 log_path=None):
        self.conf = conf
        self.name = name
        self.listener = listener
        #: One per worker process, once the sockets are bound.
        self.slots = []
        #: Binds a fresh socket for a slot whose socket was closed while it
        #: waited to respawn (``_closeDeadSockets``); None when the slots
        #: share one socket (systemd's), which is never closed early.
        self.rebind = None
        self.count = count
        self.reactor = reactor
        self.log_path = log_path
        #: Every worker process running, retiring ones included.
        self.processes = set()
        #: The private directory of minova_tw.balance's table and the
        #: workers' inboxes, while the pool runs (None with one worker).
        self.balanceDirectory = None
        self._readyWaiters = []

    @property
    def address(self):
        """The (host, port) this API listens on."""
        return next(slot.socket for slot in self.slots
                    if slot.socket is not None).getsockname()[:2]

    def privilegedStartService(self):
        """Bind the workers' sockets (``listener``: ``count`` SO_REUSEPORT
        sockets, socket i for slot i, or systemd's one that all share)."""
        super().privilegedStartService()
        if not self.slots:
            sockets = self.listener.bind()
            self.slots = [Slot(index, sockets[index % len(sockets)])
                          for index in range(self.count)]
            self.rebind = self.listener.rebinder(sockets)

    def startService(self):
        if not self.slots:
            self.privilegedStartService()
        super().startService()
        self.reactor = reactors.resolve(self.reactor)
        if self.count > 1 and self.balanceDirectory is None:
            self.balanceDirectory = tempfile.mkdtemp(
                prefix="minova-%s-" % self.name)
            balance.prepare(self.balanceDirectory, self.count)
        for slot in self.slots:
            slot.worker = self._spawn(slot)

    def whenReady(self):
        """A Deferred that fires once every slot has had a ready worker."""
        if self.running and not any(slot.starting for slot in self.slots):
            return defer.succeed(None)
        waiter = defer.Deferred()
        self._readyWaiters.append(waiter)
        return waiter

    def _spawn(self, slot):
        """Start a worker for ``slot``; WorkerFailed if it cannot listen."""
        sock = self._socket(slot)
        worker = WorkerProcess(self, slot.index)
        out, err = self._output()
        self.reactor.spawnProcess(
            worker, sys.executable, self._arguments(slot.index),
            env=worker_env(),
            childFDs={0: "w", 1: out, 2: err, LISTEN_FD: sock.fileno(),
                      CONTROL_FD: "r"})
        worker.pid = worker.transport.pid
        worker.started = self.reactor.seconds()
        self.processes.add(worker)
        metrics.worker_started(self.name)
        log.info("worker {worker} pid {pid} started", worker=worker.name,
                 pid=worker.pid)
        return worker

    def _socket(self, slot):
        """``slot``'s listening socket, bound afresh if it was closed."""
        if slot.socket is None:
            try:
                slot.socket = self.rebind()
            except ConfigError as exc:
                raise WorkerFailed("worker %s/%d cannot listen again: %s"
                                   % (self.name, slot.index, exc)) from None
        return slot.socket

    def _closeDeadSockets(self):
        """Close the sockets of slots that wait to respawn, while another
        slot has a worker.

        The kernel spreads new connections over a port's SO_REUSEPORT
        sockets whether anyone accepts from them or not: a slot waiting out
        its back-off (up to MAX_RESTART_DELAY) would keep its share of new
        clients waiting while the other workers idle. Closed, it takes none;
        its next worker gets a fresh socket (``_socket``). Connections
        already queued in it are reset when it closes (unless Linux's
        ``net.ipv4.tcp_migrate_req`` moves them to another socket of the
        port): their clients can retry at once instead of waiting for the
        respawn. The last open socket stays, so that with every worker
        dead clients wait for one instead of being refused.
        """
        if self.rebind is None or not any(slot.worker for slot in self.slots):
            return
        for slot in self.slots:
            if slot.respawn is not None and slot.socket is not None:
                slot.socket.close()
                slot.socket = None
                log.info("closed the listening socket of {api}/{slot} until "
                         "its worker is back; the other workers take its "
                         "clients", api=self.name, slot=slot.index)

    def _output(self):
        """The fds for a worker's stdout and stderr: twistd's log, or ours."""
        if self.log_path:
            target = os.path.realpath(self.log_path)
            for fd in os.listdir("/proc/self/fd"):
                try:
                    if os.readlink("/proc/self/fd/" + fd) == target:
                        return int(fd), int(fd)
                except OSError:
                    continue
        return 1, 2

    def _arguments(self, slot):
        conf = self.conf
        args = worker_command(conf, self.name) + ["--slot", str(slot)]
        name = reactor_name(self.reactor)
        if name:
            args += ["--reactor", name]
        if self.log_path:
            args += ["--log-file", self.log_path]
        limit = conf.wsgi.worker_max_requests
        if limit:
            limit += random.randint(0, conf.wsgi.worker_max_requests_jitter)
            args += ["--max-requests", str(limit)]
        if self.balanceDirectory is not None:
            args += ["--balance", self.balanceDirectory]
        return args

    def message(self, worker, line):
        """A line a worker wrote to its control pipe."""
        if line == READY:
            log.info("worker {worker} pid {pid} ready", worker=worker.name,
                     pid=worker.pid)
            worker.ready.callback(None)
            self.slots[worker.slot].starting = False
            if not any(slot.starting for slot in self.slots):
                waiters, self._readyWaiters = self._readyWaiters, []
                for waiter in waiters:
                    waiter.callback(None)
        elif line == RECYCLE:
            slot = self.slots[worker.slot]
            if (self.running and slot.worker is worker
                    and slot.replacement is None):
                log.info("worker {worker} pid {pid} served its "
                         "worker_max_requests; replacing it",
                         worker=worker.name, pid=worker.pid)
                self.replace(worker.slot).addErrback(self._replaceFailed)
        else:
            log.warn("worker {worker} pid {pid} said {line!r}; ignoring it",
                     worker=worker.name, pid=worker.pid, line=line)

    def ended(self, worker, reason):
        """A worker process ended: log why, and respawn its slot if needed."""
        self.processes.discard(worker)
        how = describe_exit(reason, worker.killed)
        expected = worker.retiring and how == "exited with status 0"
        (log.info if expected else log.error)(
            "worker {worker} pid {pid} {how}", worker=worker.name,
            pid=worker.pid, how=how)
        slot = self.slots[worker.slot]
        if slot.replacement is worker and not worker.ready.called:
            worker.ready.errback(WorkerFailed(
                "worker %s pid %s %s before it was ready"
                % (worker.name, worker.pid, how)))
        worker.ended.callback(None)
        if slot.worker is worker:
            slot.worker = None
        respawn = (self.running and slot.worker is None
                   and slot.replacement is None
                   and slot.respawn is None and not worker.retiring)
        metrics.worker_ended(self.name, worker.pid, respawn)
        if respawn:
            slot.restarts += 1
            self._respawnLater(slot, worker.started)
            self._closeDeadSockets()

    def _respawnLater(self, slot, started):
        """Respawn ``slot``, whose last worker started at ``started``, after
        its back-off."""
        if self.reactor.seconds() - started >= RESTART_THRESHOLD:
            slot.delay = MIN_RESTART_DELAY
        delay = slot.delay
        slot.delay = min(delay * 2, MAX_RESTART_DELAY)
        log.info("respawning worker {api}/{slot} in {delay:g} s",
                 api=self.name, slot=slot.index, delay=delay)
        slot.respawn = self.reactor.callLater(delay, self._respawn, slot)

    def _respawn(self, slot):
        slot.respawn = None
        try:
            slot.worker = self._spawn(slot)
        except WorkerFailed as exc:
            log.error("{error}", error=exc)
            self._respawnLater(slot, self.reactor.seconds())
            return
        self._closeDeadSockets()

    def replace(self, index):
        """Start a new worker for slot ``index``; once it is ready, retire the
        old one.

        Fires when the old worker was told to stop, or fails with
        WorkerFailed (the old worker then stays).
        """
        slot = self.slots[index]
        try:
            new = self._spawn(slot)
        except WorkerFailed:
            return defer.fail()
        slot.replacement = new
        deadline = self.reactor.callLater(READY_TIMEOUT, self._notReady, new)

        def ready(_):
            deadline.cancel()
            slot.replacement = None
            old, slot.worker = slot.worker, new
            if slot.respawn is not None:
                slot.respawn.cancel()
                slot.respawn = None
            if old is not None:
                self._retire(old)

        def failed(failure):
            if deadline.active():
                deadline.cancel()
            slot.replacement = None
            return failure

        return new.ready.addCallbacks(ready, failed)

    def _notReady(self, worker):
        log.error("worker {worker} pid {pid} was not ready within {timeout:g} "
                  "s; killing it", worker=worker.name, pid=worker.pid,
                  timeout=READY_TIMEOUT)
        worker.signal("KILL")

    def _replaceFailed(self, failure):
        failure.trap(WorkerFailed)
        log.error("{error}; the running worker stays", error=failure.value)

    def _retire(self, worker):
        """SIGTERM: the worker stops listening, drains and exits."""
        worker.retiring = True
        worker.signal("TERM")
        timeout = self.conf.graceful_shutdown_timeout
        if timeout:
            kill = self.reactor.callLater(timeout + KILL_MARGIN,
                                          self._kill, worker)
            worker.ended.addCallback(lambda _: kill.active() and kill.cancel())
        return worker.ended

    def _kill(self, worker):
        log.warn("worker {worker} pid {pid} did not stop in time; killing it",
                 worker=worker.name, pid=worker.pid)
        worker.signal("KILL")

    def reopenLogs(self):
        """twistd rotated its log file: tell each worker to reopen it (SIGUSR1)."""
        for worker in self.processes:
            worker.signal(signal.SIGUSR1)

    def table(self):
        """One row per worker process, for the Guru Meditation Report."""
        rows = []
        for worker in sorted(self.processes, key=lambda w: (w.slot, w.pid)):
            state = ("retiring" if worker.retiring else
                     "ready" if worker.ready.called else "starting")
            rows.append({"api": self.name, "slot": worker.slot,
                         "pid": worker.pid, "state": state,
                         "started": time.strftime(
                             "%Y-%m-%d %H:%M:%S",
                             time.localtime(worker.started)),
                         "restarts": self.slots[worker.slot].restarts})
        return rows

    @defer.inlineCallbacks
    def reload(self, conf):
        """Replace the workers one slot at a time with ones that read ``conf``'s files."""
        self.conf = conf
        for slot in self.slots:
            if not self.running:
                return
            yield self.replace(slot.index)

    def stopService(self):
        """Stop accepting, let every worker drain, then return."""
        super().stopService()
        for slot in self.slots:
            if slot.respawn is not None:
                slot.respawn.cancel()
                slot.respawn = None
            # The socket closes (refusing new clients) as soon as the
            # workers stop listening; until then they keep accepting from it.
            if slot.socket is not None:
                slot.socket.close()
        stopped = defer.DeferredList([self._retire(worker)
                                      for worker in list(self.processes)])
        return stopped.addCallback(self._removeBalanceDirectory)

    def _removeBalanceDirectory(self, result):
        if self.balanceDirectory is not None:
            shutil.rmtree(self.balanceDirectory, ignore_errors=True)
            self.balanceDirectory = None
        return result


def worker_command(conf, name):
    """The command line that starts a worker of API ``name`` with ``conf``'s files."""
    args = [sys.executable, "-m", "minova_tw.worker", "--api", name,
            "--parent-pid", str(os.getpid())]
    for path in conf.default_config_files or ():
        args += ["--config", os.path.abspath(path)]
    for path in conf.default_config_dirs or ():
        args += ["--config-dir", os.path.abspath(path)]
    return args


def check_app(conf, name, timeout=READY_TIMEOUT):
    """Build API ``name``'s app once in a throw-away worker; ConfigError if not.

    The parent of workers never builds an app only its workers serve: a
    hosted project's entry module does its process set-up on import
    (nova's: config, logging, rpc, database; some 150 MB) that the parent
    would carry for nothing. A broken app must still stop startup with its
    one line before anything listens, not leave workers dying in a loop:
    so a worker started with ``--check-fd`` (same command line and
    environment as the real ones) builds it, writes the one line on that
    pipe if it cannot, and exits; its stdout and stderr are ours, so the
    traceback it logs is seen once. This costs one more build of the app
    at startup (not at reload: a new worker that cannot start leaves the
    old one serving).
    """
    read, write = os.pipe()
    try:
        child = subprocess.Popen(
            worker_command(conf, name) + ["--check-fd", str(write)],
            env=worker_env(), stdin=subprocess.DEVNULL, pass_fds=(write,))
    finally:
        os.close(write)
    try:
        status = child.wait(timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        status = None
    # Read without waiting: a process the app started may hold the pipe.
    os.set_blocking(read, False)
    with os.fdopen(read, "rb") as report:
        line = (report.read() or b"").decode("utf-8", "replace").strip()
    if status is None:
        raise ConfigError("%s: building its app took longer than %g s"
                          % (_app_option(conf, name), timeout))
    if status:
        raise ConfigError(line or "%s: building its app in a worker exited "
                          "with status %d" % (_app_option(conf, name), status))


def _app_option(conf, name):
    """The option that names API ``name``'s app, for a line about it."""
    if resources.entry_point(conf, name):
        return "[DEFAULT] %s_wsgi_app" % name
    return "[wsgi] api_paste_config"


def worker_env():
    """The environment a worker starts with: ours, minus systemd's variables."""
    return {key: value for key, value in os.environ.items()
            if key not in _PARENT_ONLY_ENV}

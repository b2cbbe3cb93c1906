"""The process's shared thread pool: Twisted's ThreadPool, with a cheap hand-off.

Every API a process serves runs its WSGI stack on one pool of minova's
own, ``shared(reactor, size)``, next to the reactor's pool (which
``deferToThread`` and the host name resolver keep using). Twisted's own
pool passes each call through its ``Team`` coordinator and a
``queue.Queue``, which costs more than the whole HTTP parsing of a request
(measured in bench/: about 60 µs a request, a fifth of the CPU).
``SharedThreadPool`` keeps the ThreadPool interface but hands work to a
fixed set of threads through a ``_Feed``, which wakes exactly one sleeping
thread per call, the one that went to sleep last.

The requests the reactor hands over run one thread at a time while that
thread keeps a CPU busy: the threads share one interpreter lock, so a
second thread running Python beside the first makes nothing go faster
and costs lock hand-offs, context switches and cold caches (measured in
bench/: with 8 connections and one process a request took 268 µs of CPU
with four threads running, 198 µs with one; real nova's GET / 2185 µs
against 1780). The thread that runs takes the next waiting request when
it is done, and the reactor's wake-up for what it finished is put off
while it has more to run (``BATCH``): the reactor then writes their
responses together, in one turn. Every ``STALL_TICK`` while requests
wait, the reactor looks at the process's CPU time: when it used less
than ``STALL_CPU`` of one CPU, the running threads wait (on a database,
another service, a lock), and one more thread is woken for a waiting
request. So a stack that blocks gets as many threads as it has requests
waiting, up to the pool's size, and one that computes gets one: threads
woken while the process waited go back to sleep, one by one, once it
keeps a CPU busy again (``RETIRE_CPU``).

minova owns that pool as twisted.web's ``twistd web --wsgi`` owns its own:
it starts when the reactor runs and stops after the reactor shut down. It
never replaces the reactor's pool, which a program embedding minova may
already use (a replaced pool's threads would never be stopped, and the
program would hang at exit).

A pool thread may also wait a moment for a socket (``waitReadable``)
before it sleeps: the HTTP/1.1 channel's thread that just answered a
keep-alive connection waits there for the client's next request and serves
it too (minova_tw.http11, "leased"), unless a call comes for the pool,
which ends every such wait at once, or the pool is busy (``crowded``).

Keep-alive connections of an app whose requests are long
(minova_tw.resources.AppTime) are leased whether the pool is busy or
not, and served in the pool's lease loop (``_Leases``): the thread that
answered a connection's request keeps it in the pool's epoll and serves
every connection of the loop whose next request comes, reading, running
and writing it itself, with the calls the reactor hands over run in
between. No hop through the reactor per request: measured in bench/
(bench/README.md, "The lease loop"), real nova's GET / over two
processes and 64 connections took 2087 µs of CPU a request with each
request crossing from the reactor to a pool thread and back, 1752 in the
loop (uWSGI 1864 and 1691 in those runs). For short requests the
hand-off is the cheaper (the reference app's GET / at 64 connections
over two processes: 1.23x uWSGI's requests a second with it, 0.96x in
the loop), as the reactor's turns then carry many requests each. A
connection with nothing for ``LINGER`` goes back to the reactor, as does
one whose request needs more (a body, a pipeline, an error, a response
that does not fit the socket). One thread runs the loop; when the
reactor's look at the pool (above) finds it stalled while the loop's
thread runs a request, another thread is woken to serve the loop's other
connections beside it, until a request it served kept the process busy.
While the loop is all the pool has to do, the looks that find the
process busy come less and less often, down to one every ``LOOP_TICK``.

A pool can also keep reserved threads (``reserve``), fed by a queue of
their own (``callInReservedThread``): work sent there never waits behind
the pool's calls, so a quick request (a load balancer's health check) is
answered while every pool thread waits on something slow. They start and
stop with the pool, and count in ``working`` like its other threads.
"""

import collections
import contextlib
import os
import select
import threading
import time
import weakref

from twisted.internet import defer
from twisted.python import failure, threadpool
from twisted.logger import Logger

log = Logger(namespace="minova.threadpool")

_STOP = object()

#: How long after a call last waited for a thread the pool lends none to a
#: connection (``hasIdleThread``), in seconds: a pool that just had more
#: work than threads is kept for the reactor's hand-offs, which serve any
#: number of connections on few threads.
QUIET = 0.1

#: How long a leased connection waits for its client's next request, in
#: its thread (``waitReadable``) or in the lease loop, before it goes back
#: to the reactor, in seconds: a client that waits for each answer (a
#: script, a balancer) sends its next request well within it, and one that
#: went quiet is the reactor's again (its idle timeout, a drain, the
#: connection cap) soon enough. A wait costs no CPU.
LINGER = 0.002

#: The most ready connections one poll of the lease loop takes.
_MAX_EVENTS = 256

#: How long what pool threads do before they wait (``beforeWaiting``: the
#: reactor's wake-up for a finished response) may be put off while they
#: have more calls to run, from the start of the call it was added in,
#: in seconds. A call that took longer has its wake-up go at once.
BATCH = 0.005

#: How often, while calls wait for a thread, the reactor looks whether the
#: running ones wait (``SharedThreadPool._checkStall``), in seconds.
STALL_TICK = 0.002

#: The share of one CPU below which the process is taken to be waiting
#: over a ``STALL_TICK``: one more thread is woken.
STALL_CPU = 0.5

#: The share of one CPU the process must have used, over at least
#: ``RETIRE_AFTER`` seconds of looks at the pool while two or more of its
#: threads ran calls, for one of them to sleep once its call is done
#: though calls wait (``_Feed.retireOne``): the interpreter lock was never
#: free then, so a thread more only waits for it. Without this a thread
#: woken once stays awake for as long as calls wait. Threads that take
#: turns at the lock around C calls that release it (sqlite3, per row)
#: make the process seem to wait at times, and look busy again once
#: another thread runs beside them: measured on the compute stack's
#: servers/detail at 8 connections, four threads awake cost 10.3 ms of
#: CPU a request, 800 context switches and 2.4 ms in the kernel among
#: them, where one thread costs 5.5 ms, as the reactor thread does.
RETIRE_CPU = 1.0
RETIRE_AFTER = 0.02

#: The longest the reactor waits between looks at a pool whose only work
#: is the lease loop, in seconds: each look that finds the process busy
#: doubles the wait from ``STALL_TICK`` up to this, one that finds it
#: stalled starts again at ``STALL_TICK``. A stack that computes is then
#: looked at a few times a second rather than every ``STALL_TICK`` (each
#: look is a turn of the reactor, which takes the interpreter lock from
#: the thread running the app: measured with real nova's GET / over two
#: processes, 48 µs of the reactor's CPU a request at every tick).
LOOP_TICK = 0.016


class _Sleeper:
    """A pool thread as its feed sees it: a lock it sleeps on, held until
    a call for it is in ``call``; what its call added to do before it waits
    (``later``, see SharedThreadPool.beforeWaiting); when its call began
    (``started``, time.monotonic) and when the call began that first added
    to ``later`` (``since``)."""

    __slots__ = ("wake", "call", "later", "started", "since")

    def __init__(self):
        self.wake = threading.Lock()
        self.wake.acquire()
        self.call = None
        self.later = []
        self.started = self.since = 0.0


def _run_all(calls):
    """Run ``(f, args)`` pairs put off until a thread waits; what raises is
    logged, and the thread goes on serving."""
    for f, args in calls:
        try:
            f(*args)
        except Exception:
            log.failure("a call before the pool thread waits raised")


def _interrupt_pipe():
    """A pipe whose write end wakes a poll on its read end, which reads
    without blocking (``_drain``)."""
    pipe = os.pipe()
    os.set_blocking(pipe[0], False)
    return pipe


def _drain(fd):
    """Read what an interrupt pipe holds, so that its poll sleeps again."""
    try:
        os.read(fd, 4096)
    except BlockingIOError:
        pass


class _Feed:
    """Calls waiting for threads, and threads waiting for calls.

    Each waiting thread sleeps on a lock of its own (``_Sleeper``) and a
    call wakes one thread, the one that went to sleep last (its stack and
    caches are the warmest). A ``queue.SimpleQueue`` shared by all the
    threads wakes two at a time: CPython's ``get`` releases the queue's
    lock after it took an item, which wakes the next sleeper although the
    queue is empty; that thread takes the GIL only to sleep again, three
    context switches a request more (seen with ``strace -f`` on a pool of
    idle threads under one client).
    """

    def __init__(self):
        self._mutex = threading.Lock()
        self._calls = collections.deque()
        self._sleepers = []
        #: The threads that take calls from here (asleep or not).
        self._members = 0
        #: What threads put off doing before they wait, while they had
        #: calls to run (``get``), and when the call that first added to it
        #: began.
        self._putOff = []
        self._putOffSince = 0.0
        #: Whether the reactor looks at the pool while calls wait
        #: (SharedThreadPool._checkStall): only then is anything put off,
        #: so that the reactor can run it if the thread does not.
        self.watched = False
        #: Threads in waitReadable, and the pipe that ends their waits.
        self._waiting = 0
        self._interrupt = None
        #: When a call last had to wait for a thread (time.monotonic).
        self.queuedAt = float("-inf")
        #: Whether the next thread done with its call, while another is
        #: awake, sleeps though calls wait (``retireOne``).
        self._retire = False
        #: Threads in the lease loop, the pipe a call queued for them
        #: writes to (it ends their poll), and whether it holds a byte.
        self._looping = 0
        self._loopPipe = None
        self._loopInterrupted = False

    def join(self):
        """From a thread about to take calls: count it in."""
        with self._mutex:
            self._members += 1

    def leave(self):
        """From a thread that takes no more calls: count it out."""
        with self._mutex:
            self._members -= 1

    def put(self, call, gated=False):
        """From any thread: hand ``call`` to a sleeping thread, or queue it
        and end the waits of ``waitReadable`` and the lease loop's poll (a
        thread there takes it).

        ``gated``: queue it also while any thread is awake (running a call,
        or about to take one): that thread takes it next, unless
        ``wakeOne`` wakes another for it first.
        """
        with self._mutex:
            sleepers = self._sleepers
            if not sleepers or (gated and len(sleepers) < self._members):
                self._calls.append(call)
                self.queuedAt = time.monotonic()
                if self._waiting:
                    os.write(self._interrupt[1], b"!")
                if self._looping and not self._loopInterrupted:
                    self._loopInterrupted = True
                    os.write(self._loopPipe[1], b"!")
                return
            sleeper = sleepers.pop()
        sleeper.call = call
        sleeper.wake.release()

    def queued(self):
        """Whether calls wait for a thread (a glance, unlocked)."""
        return bool(self._calls)

    def wakeOne(self, call=None):
        """Hand ``call``, else the first waiting call, to a sleeping thread,
        if both are there (and take back ``retireOne``)."""
        with self._mutex:
            self._retire = False
            if not (self._sleepers and (call or self._calls)):
                return
            sleeper = self._sleepers.pop()
            call = call or self._calls.popleft()
        sleeper.call = call
        sleeper.wake.release()

    def retireOne(self):
        """From the reactor: the next thread done with its call, while
        another thread is awake, sleeps instead of taking a waiting call
        (``RETIRE_CPU``)."""
        with self._mutex:
            self._retire = True

    def interrupter(self):
        """The read end of the pipe that ends the lease loop's poll when a
        call is queued while a thread is in it (``looping``)."""
        with self._mutex:
            if self._loopPipe is None:
                self._loopPipe = _interrupt_pipe()
            return self._loopPipe[0]

    @contextlib.contextmanager
    def looping(self):
        """While a thread is in the lease loop: calls queued interrupt it."""
        with self._mutex:
            self._looping += 1
        try:
            yield
        finally:
            with self._mutex:
                self._looping -= 1

    def interruptSeen(self):
        """From a thread in the lease loop whose poll the pipe ended."""
        with self._mutex:
            self._loopInterrupted = False
            _drain(self._loopPipe[0])

    def takeNow(self):
        """From a thread in the lease loop: the first waiting call, or None
        (none, or the pool stops: that call is a thread's to take)."""
        if not self._calls:
            return None
        with self._mutex:
            if not self._calls or self._calls[0] is _STOP:
                return None
            return self._calls.popleft()

    def waitReadable(self, fd, timeout):
        """From a pool thread: wait at most ``timeout`` seconds for ``fd``
        to be readable; True if it is. False at once when the pool is
        ``crowded``, and as soon as a call is queued (``put``): a thread
        waiting here is not asleep, and queued work comes first.
        """
        with self._mutex:
            if self.crowded():
                return False
            if self._interrupt is None:
                self._interrupt = _interrupt_pipe()
            self._waiting += 1
        interrupt = self._interrupt[0]
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        poller.register(interrupt, select.POLLIN)
        ready = False
        interrupted = False
        try:
            for ready_fd, _ in poller.poll(timeout * 1000):
                if ready_fd == interrupt:
                    interrupted = True
                else:
                    ready = True
        finally:
            with self._mutex:
                self._waiting -= 1
                # The last waiter empties the pipe: an interrupt left there
                # would end the next wait at once, for nothing (once).
                if interrupted and not self._waiting:
                    _drain(interrupt)
        return ready and not interrupted

    def sleeping(self):
        """How many threads sleep, waiting for a call (a glance, unlocked)."""
        return len(self._sleepers)

    def crowded(self):
        """Whether a thread serving a connection of its own gives it up
        (a glance, unlocked): calls wait for a thread, or none sleeps and a
        call had to wait for one within ``QUIET`` seconds. A quiet pool
        lends its threads: a client that waits for each answer is then
        served hand-off free; another connection's request, queued for the
        thread that runs, ends the lease (the module docstring)."""
        return bool(self._calls) or (
            not self._sleepers and self.queuedLately())

    def queuedLately(self):
        """Whether a call had to wait for a thread within ``QUIET``
        seconds: the pool had more work than threads just now."""
        return time.monotonic() - self.queuedAt <= QUIET

    def close(self):
        """Close the interrupt pipes, once no thread can wait on them."""
        for pipe in (self._interrupt, self._loopPipe):
            if pipe is not None:
                for fd in pipe:
                    os.close(fd)
        self._interrupt = self._loopPipe = None

    def get(self, sleeper):
        """From a pool thread: the next call, sleeping on ``sleeper`` until
        there is one.

        What its call added to ``later`` runs first, with what other
        threads put off, once it is a sleeper that a call can be handed to.
        With a call waiting while the reactor watches (``watched``), it is
        put off instead, until ``BATCH`` after the call that first added to
        it began, when this or another thread takes its next call, or the
        reactor finds it that old or the pool stalled (``takePutOff``): the
        reactor's wake-ups for the responses of a run of short calls go as
        one.
        """
        now = time.monotonic()
        due = None
        with self._mutex:
            call = None
            if self._calls:
                if self._retire and len(self._sleepers) + 1 < self._members:
                    self._retire = False
                else:
                    call = self._calls.popleft()
            if call is None:
                self._sleepers.append(sleeper)
            later = sleeper.later
            if later:
                if not self._putOff:
                    self._putOffSince = sleeper.since
                self._putOff.extend(later)
                later.clear()
            if self._putOff and (
                    call is None or not self.watched
                    or now - self._putOffSince >= BATCH):
                due, self._putOff = self._putOff, []
        if due:
            _run_all(due)
        if call is None:
            sleeper.wake.acquire()
            call, sleeper.call = sleeper.call, None
            now = time.monotonic()
        sleeper.started = now
        return call

    def takePutOff(self, since=float("inf")):
        """What threads put off while they had calls to run, taken (to run
        in another thread: the reactor), if its first call began no later
        than ``since`` (time.monotonic); else nothing."""
        with self._mutex:
            if self._putOffSince > since:
                return []
            due, self._putOff = self._putOff, []
        return due

    def keepWatching(self):
        """From the reactor: whether calls wait for a thread or threads put
        off what they do before they wait, which the reactor then keeps
        looking at (``watched``; locked: a thread takes a call and puts
        off at once)."""
        with self._mutex:
            self.watched = bool(self._calls or self._putOff)
            return self.watched


class _Leases:
    """The lease loop: connections leased to the pool, each waiting for
    its client's next request in one epoll, and the threads serving them.

    A lease is an object with ``leaseReadable()``, called in a pool thread
    when its socket is readable: it serves what came and says whether the
    connection stays leased; and ``letGo()``, called once it does not (or
    went ``LINGER`` without a request, or the pool stops), which hands it
    back to the reactor. A connection is registered one-shot: a poll gives
    it to one thread, and it is re-armed once that thread served it, so two
    threads never serve one connection. Readable connections wait in one
    deque every thread in the loop takes from, so a thread held up in the
    app holds no other connection up (another thread woken for them takes
    them: ``helpNeeded``).
    """

    def __init__(self, feed):
        self._feed = feed
        self._mutex = threading.Lock()
        self._epoll = select.epoll()
        self._interrupt = feed.interrupter()
        self._epoll.register(self._interrupt, select.EPOLLIN)
        #: fd -> (lease, when it was armed), the longest armed first.
        self._armed = collections.OrderedDict()
        #: (fd, lease) found readable, not yet taken.
        self._ready = collections.deque()
        #: Threads in the loop, and how many of them poll now.
        self._threads = 0
        self._polling = 0
        #: Whether the loop's own (not helping) thread runs a request.
        self._held = False
        self._local = threading.local()

    def inside(self):
        """Whether the calling thread serves the loop now."""
        return getattr(self._local, "inside", False)

    def __len__(self):
        """The connections the loop holds now, but for those being served
        (a glance, unlocked)."""
        return len(self._armed) + len(self._ready)

    def add(self, lease, fd):
        """From the pool thread that served ``lease``: the loop waits for
        its next request on ``fd``."""
        with self._mutex:
            self._armed[fd] = (lease, time.monotonic())
            self._epoll.register(fd, _ARMED)

    def helpNeeded(self):
        """From the reactor: whether connections of the loop may be waiting
        for a thread while the loop's own runs a request and none polls
        (a glance)."""
        return (self._held and bool(self._armed or self._ready)
                and not self._polling)

    def serve(self, pool, helping=False):
        """In a pool thread: serve the loop's connections until it holds
        none or the pool stops; ``helping`` (woken for a loop whose thread
        is held up), only while one is readable. The last thread to leave
        hands back what is left.

        A thread already in the loop (running a call it took there) returns
        at once, as does one not ``helping`` when another serves the loop.
        """
        if self.inside():
            return
        with self._mutex:
            if self._threads and not helping:
                return
            self._threads += 1
        self._local.inside = True
        try:
            with self._feed.looping():
                self._run(pool, helping)
        finally:
            self._local.inside = False
            with self._mutex:
                self._threads -= 1
                left = []
                if not self._threads:
                    left = list(self._ready) + [
                        (fd, entry[0]) for fd, entry in self._armed.items()]
                    for fd, _ in left:
                        self._epoll.unregister(fd)
                    self._armed.clear()
                    self._ready.clear()
            _let_go(lease for _, lease in left)

    def _run(self, pool, helping):
        """Serve until ``_take`` says leave. A helping thread also leaves
        once a request it served kept the process busy (``STALL_CPU``): it
        was woken for a loop held up, not to run Python beside it."""
        feed = self._feed
        sleeper = getattr(pool._local, "sleeper", None)
        while not pool.joined:
            if sleeper is not None and sleeper.later:
                later = list(sleeper.later)
                sleeper.later.clear()
                _run_all(later)
            call = feed.takeNow()
            if call is not None:
                self._serving(helping, True)
                try:
                    pool.invoke(call, counted=False)
                finally:
                    self._serving(helping, False)
                continue
            taken = self._take(helping)
            if taken is None:
                return
            if taken is _POLLED:
                continue
            fd, lease = taken
            if helping:
                cpu, began = pool.cpuTime(), time.monotonic()
            self._serving(helping, True)
            try:
                keep = lease.leaseReadable()
            except Exception:
                log.failure("serving a leased connection failed")
                keep = False
            finally:
                self._serving(helping, False)
            keep = keep and not pool.joined
            with self._mutex:
                if keep:
                    self._armed[fd] = (lease, time.monotonic())
                    self._epoll.modify(fd, _ARMED)
                else:
                    self._epoll.unregister(fd)
            if not keep:
                _let_go([lease])
            if helping and (pool.cpuTime() - cpu
                            >= STALL_CPU * (time.monotonic() - began)):
                return

    def _serving(self, helping, busy):
        """Note whether the loop's own thread runs a request or a call
        (what a helping thread is there for)."""
        if not helping:
            self._held = busy

    def _take(self, helping):
        """A readable ``(fd, lease)`` to serve, or _POLLED after a poll
        that found none (or a call queued); None when the thread leaves:
        the loop holds nothing, or the thread helps and the loop's own
        thread is not held up, or nothing is readable. The loop's own
        thread waits until the connection armed longest has been for
        ``LINGER``, and hands back those armed that long."""
        mutex = self._mutex
        with mutex:
            if self._ready:
                return self._ready.popleft()
            armed = self._armed
            if not armed or (helping and not self._held):
                return None
            if helping:
                timeout = 0
            else:
                since = next(iter(armed.values()))[1]
                timeout = max(0.0, since + LINGER - time.monotonic())
            self._polling += 1
        events = ()
        interrupted = False
        idle = []
        try:
            events = self._epoll.poll(timeout, _MAX_EVENTS)
        finally:
            with mutex:
                self._polling -= 1
                for fd, _ in events:
                    if fd == self._interrupt:
                        interrupted = True
                        continue
                    entry = armed.pop(fd, None)
                    if entry is not None:  # (else another thread let it go)
                        self._ready.append((fd, entry[0]))
                if len(events) < _MAX_EVENTS:
                    # Those still armed were not readable at the poll: the
                    # ones armed LINGER ago or more go back.
                    now = time.monotonic()
                    while armed:
                        fd, (lease, since) = next(iter(armed.items()))
                        if now - since < LINGER:
                            break
                        del armed[fd]
                        self._epoll.unregister(fd)
                        idle.append(lease)
                taken = self._ready.popleft() if self._ready else None
        if interrupted:
            self._feed.interruptSeen()
        if idle:
            _let_go(idle)
        if taken is not None:
            return taken
        if helping and not events:
            return None
        return _POLLED

    def close(self):
        self._epoll.close()


#: A leased connection's registration: one poll reports it, to one thread.
_ARMED = select.EPOLLIN | select.EPOLLONESHOT

#: What _Leases._take returns after a poll that gave no connection.
_POLLED = object()


def _let_go(leases):
    """Hand ``leases`` back to the reactor (their ``letGo``)."""
    for lease in leases:
        try:
            lease.letGo()
        except Exception:
            log.failure("handing a leased connection back failed")


class SharedThreadPool(threadpool.ThreadPool):
    """A ThreadPool of ``maxthreads`` threads fed by one ``_Feed``.

    ``reactor`` is the one ``whenIdle`` fires in, and whose clock and
    timers look for a stalled pool (``_checkStall``).
    """

    #: The process's CPU time, in seconds (tests replace it).
    cpuTime = staticmethod(time.process_time)

    def __init__(self, maxthreads, name, reactor=None):
        super().__init__(0, maxthreads, name)
        self.reactor = reactor
        self._idleWaiters = []
        self._calls = _Feed()
        self._reservedCalls = _Feed()
        self._reservedCount = 0
        self.reservedThreads = []
        self._busy = 0
        self._busyLock = threading.Lock()
        self._count = 0
        self._atTurnEnd = []
        self._stallCheck = None
        #: (CPU time, reactor time) when the looks at the pool began to
        #: find two or more threads running calls (``_retireIfSaturated``).
        self._sharedFrom = None
        self._local = threading.local()
        self._leases = None

    @property
    def workers(self):
        return len(self.threads) + len(self.reservedThreads)

    @property
    def working(self):
        return [None] * self._busy

    @property
    def waiters(self):
        return [None] * (self.workers - self._busy)

    def start(self):
        self.joined = False
        self.started = True
        if self._leases is None:
            self._leases = _Leases(self._calls)
        self._grow()

    def _grow(self):
        while len(self.threads) < self.max:
            self.threads.append(self._thread(self._calls, "PoolThread"))
        while len(self.reservedThreads) < self._reservedCount:
            self.reservedThreads.append(
                self._thread(self._reservedCalls, "ReservedThread"))

    def _thread(self, calls, kind):
        self._count += 1
        thread = threading.Thread(
            target=self._work, args=(calls,), name="%s-%s-%d" % (
                kind, self.name or id(self), self._count))
        thread.start()
        return thread

    def reserve(self, count):
        """Keep at least ``count`` reserved threads for callInReservedThread.

        Reserved threads are never taken back while the pool runs, as the
        pool's own threads are not: a reload that asks for fewer keeps them.
        """
        self._reservedCount = max(self._reservedCount, count)
        if self.started:
            self._grow()

    def whenIdle(self):
        """A Deferred that fires, in the reactor thread, once no call runs.

        A call counts as running until its function returned, which is
        after a WSGI response was handed to the reactor: a stopping process
        waits for this rather than count ``working`` once its last
        response is sent.
        """
        with self._busyLock:
            if self._busy:
                waiter = defer.Deferred()
                self._idleWaiters.append(waiter)
                return waiter
        return defer.succeed(None)

    def callInReservedThread(self, func, *args, **kw):
        """Run ``func`` on a reserved thread, or on the pool if none is
        reserved; its result is dropped and what it raises is logged."""
        if self.joined:
            return
        calls = self._reservedCalls if self._reservedCount else self._calls
        calls.put((None, func, args, kw))

    def beforeWaiting(self, f, *args):
        """Call ``f(*args)`` once this pool thread is done with its call,
        just before it waits for the next (at once in any other thread).

        For the wake-up of the reactor that a finished response needs: made
        while the thread still has Python to run, it wakes the reactor to
        wait for the GIL, and the thread is not yet ready for the next
        request, which the reactor then hands to another, cold, thread.
        """
        sleeper = getattr(self._local, "sleeper", None)
        if sleeper is None:
            f(*args)
        else:
            if not sleeper.later:
                sleeper.since = sleeper.started
            sleeper.later.append((f, args))

    def callAtTurnEnd(self, func, *args):
        """Run ``func(*args)`` on the pool, handed over at the end of the
        reactor's turn (from the reactor thread only), to a sleeping thread
        if no other runs, else to the running one's queue (the module
        docstring).

        A thread woken in the middle of a turn wakes to wait for the GIL,
        which the reactor holds until it sleeps in its poll: two more
        context switches a request. Handed over just before the poll, the
        thread mostly finds the GIL free; the calls of one turn go over
        together.
        """
        if self.joined:
            return
        if not self._atTurnEnd:
            self.reactor.callLater(0, self._handOver)
        self._atTurnEnd.append((None, func, args, {}))

    def _handOver(self):
        calls, self._atTurnEnd = self._atTurnEnd, []
        feed = self._calls
        for call in calls:
            feed.put(call, gated=True)
        if self._stallCheck is None and (feed.queued() or self._leases):
            self._watchStall(self.cpuTime(), self.reactor.seconds())

    def _watchStall(self, cpu, now, tick=STALL_TICK):
        self._calls.watched = True
        self._stallCheck = self.reactor.callLater(
            tick, self._checkStall, cpu, now, tick)

    def _checkStall(self, cpu, then, tick=STALL_TICK):
        """In the reactor, while calls wait, wake-ups are put off or the
        lease loop holds connections: if the process used less than
        ``STALL_CPU`` of a CPU since ``then`` (the running threads wait on
        something), wake one more thread for the waiting calls, or for the
        loop's connections when no thread polls for them, and run what the
        threads put off; else run it once it is ``BATCH`` old, and have
        a thread sleep again when more than one ran while the process
        kept a CPU busy (``RETIRE_CPU``). Looks at the loop alone come
        less often while they find the process busy (``LOOP_TICK``)."""
        self._stallCheck = None
        feed = self._calls
        used, now = self.cpuTime(), self.reactor.seconds()
        stalled = used - cpu < STALL_CPU * (now - then)
        if stalled:
            self._sharedFrom = None
            feed.wakeOne()
            if self._leases.helpNeeded():
                feed.wakeOne((None, self._leases.serve, (self, True), {}))
            _run_all(feed.takePutOff())
        else:
            _run_all(feed.takePutOff(time.monotonic() - BATCH))
            self._retireIfSaturated(used, now)
        if feed.keepWatching():
            self._watchStall(used, now)
            return
        self._sharedFrom = None
        if self._leases:
            self._watchStall(used, now, STALL_TICK if stalled
                             else min(2 * tick, LOOP_TICK))

    def _retireIfSaturated(self, used, now):
        """In the reactor, at a look that found the process busy: once two
        or more threads have run calls for ``RETIRE_AFTER`` and the
        process used ``RETIRE_CPU`` of a CPU over that time, one of them
        goes back to sleep when its call is done (``_Feed.retireOne``)."""
        if self._busy < 2:
            self._sharedFrom = None
            return
        if self._sharedFrom is None:
            self._sharedFrom = (used, now)
            return
        cpu, then = self._sharedFrom
        if now - then < RETIRE_AFTER:
            return
        self._sharedFrom = None
        if used - cpu >= RETIRE_CPU * (now - then):
            self._calls.retireOne()

    def hasIdleThread(self):
        """From the reactor thread: whether a call handed over now would
        find a thread asleep (counting the calls of this turn, which the
        turn's end hands over), as every call did for ``QUIET`` seconds."""
        calls = self._calls
        return (calls.sleeping() > len(self._atTurnEnd)
                and not calls.queuedLately())

    def waitReadable(self, fd, timeout):
        """From a pool thread: wait at most ``timeout`` seconds for ``fd``
        to be readable, unless the pool has calls waiting (``_Feed``)."""
        if self.joined:
            return False
        return self._calls.waitReadable(fd, timeout)

    def crowded(self):
        """From a pool thread: whether it gives up the connection it serves
        (``_Feed.crowded``, the pool stopped, or the thread is the lease
        loop's, whose other connections it must not keep waiting)."""
        return (self.joined or self._calls.crowded()
                or (self._leases is not None and self._leases.inside()))

    def keepLeased(self, lease, fd):
        """From the pool thread that just served ``lease``: keep it in the
        lease loop (``_Leases``), and serve the loop unless a thread does;
        let it go when the pool stopped."""
        leases = self._leases
        if leases is None or self.joined:
            lease.letGo()
            return
        leases.add(lease, fd)
        leases.serve(self)

    def callInThreadWithCallback(self, onResult, func, *args, **kw):
        if self.joined:
            return
        self._calls.put((onResult, func, args, kw))

    def _work(self, calls):
        sleeper = self._local.sleeper = _Sleeper()
        calls.join()
        while True:
            call = calls.get(sleeper)
            if call is _STOP:
                calls.leave()
                _run_all(calls.takePutOff())
                return
            self.invoke(call)
            del call

    def invoke(self, call, counted=True):
        """In a pool thread: run ``call`` (``(onResult, func, args, kw)``),
        counted busy unless ``counted`` is False (run within another call:
        the lease loop's)."""
        onResult, func, args, kw = call
        if counted:
            with self._busyLock:
                self._busy += 1
        try:
            result = func(*args, **kw)
            ok = True
        except BaseException:
            result = failure.Failure()
            ok = False
        finally:
            if counted:
                with self._busyLock:
                    self._busy -= 1
                    idle = not self._busy and self._idleWaiters
                    if idle:
                        self._idleWaiters = []
                if idle:
                    self.reactor.callFromThread(_fire, idle)
        if onResult is not None:
            onResult(ok, result)
        elif not ok:
            log.failure("a call in the thread pool raised", result)

    def stop(self):
        self.joined = True
        self.started = False
        if self._stallCheck is not None and self._stallCheck.active():
            self._stallCheck.cancel()
        self._stallCheck = None
        self._calls.watched = False
        threads, self.threads = self.threads, []
        reserved, self.reservedThreads = self.reservedThreads, []
        for _ in threads:
            self._calls.put(_STOP)
        for _ in reserved:
            self._reservedCalls.put(_STOP)
        for thread in threads + reserved:
            thread.join()
        if self._leases is not None:
            self._leases.close()
            self._leases = None
        self._calls.close()

    def adjustPoolsize(self, minthreads=None, maxthreads=None):
        if maxthreads is not None:
            self.max = max(maxthreads, 1)
        if self.started:
            self._grow()


def _fire(waiters):
    for waiter in waiters:
        waiter.callback(None)


#: The pool ``shared`` made for each reactor (a process has one; tests more).
_pools = weakref.WeakKeyDictionary()


def shared(reactor, size, reserved=0):
    """The process's SharedThreadPool for ``reactor``, with at least
    ``size`` threads and ``reserved`` reserved ones.

    The first call makes it, to start once ``reactor`` runs and stop after
    it shut down; later calls (another API, a reload) only grow it.
    """
    pool = _pools.get(reactor)
    if pool is not None:
        pool.adjustPoolsize(maxthreads=size)
        pool.reserve(reserved)
        return pool
    pool = _pools[reactor] = SharedThreadPool(size, "minova", reactor)
    pool.reserve(reserved)
    if reactor.running:
        pool.start()
    else:
        reactor.callWhenRunning(pool.start)
    reactor.addSystemEventTrigger("after", "shutdown", pool.stop)
    return pool


def current(reactor):
    """The pool ``shared`` made for ``reactor``, or None."""
    return _pools.get(reactor)

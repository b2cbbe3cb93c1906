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
waiting, up to the pool's size, and one that computes gets one.

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

A pool can also keep reserved threads (``reserve``), fed by a queue of
their own (``callInReservedThread``): work sent there never waits behind
the pool's calls, so a quick request (a load balancer's health check) is
answered while every pool thread waits on something slow. They start and
stop with the pool, and count in ``working`` like its other threads.
"""

import collections
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
        and end the waits of ``waitReadable`` (a thread there takes it).

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
                return
            sleeper = sleepers.pop()
        sleeper.call = call
        sleeper.wake.release()

    def queued(self):
        """Whether calls wait for a thread (a glance, unlocked)."""
        return bool(self._calls)

    def wakeOne(self):
        """Hand the first waiting call to a sleeping thread, if both are
        there."""
        with self._mutex:
            if not (self._calls and self._sleepers):
                return
            sleeper = self._sleepers.pop()
            call = self._calls.popleft()
        sleeper.call = call
        sleeper.wake.release()

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
                self._interrupt = os.pipe()
                os.set_blocking(self._interrupt[0], False)
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
                    try:
                        os.read(interrupt, 4096)
                    except BlockingIOError:
                        pass
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
        """Close the interrupt pipe, once no thread can wait on it."""
        if self._interrupt is not None:
            for fd in self._interrupt:
                os.close(fd)
            self._interrupt = None

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
            call = self._calls.popleft() if self._calls else None
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
        self._local = threading.local()

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
        if feed.queued() and self._stallCheck is None:
            self._watchStall(self.cpuTime(), self.reactor.seconds())

    def _watchStall(self, cpu, now):
        self._calls.watched = True
        self._stallCheck = self.reactor.callLater(
            STALL_TICK, self._checkStall, cpu, now)

    def _checkStall(self, cpu, then):
        """In the reactor, while calls wait or wake-ups are put off: if the
        process used less than ``STALL_CPU`` of a CPU since ``then`` (the
        running threads wait on something), wake one more thread for the
        waiting calls and run what the threads put off; else run it once
        it is ``BATCH`` old (a thread may run one call for long: a leased
        connection's many requests)."""
        self._stallCheck = None
        feed = self._calls
        used, now = self.cpuTime(), self.reactor.seconds()
        if used - cpu < STALL_CPU * (now - then):
            feed.wakeOne()
            _run_all(feed.takePutOff())
        else:
            _run_all(feed.takePutOff(time.monotonic() - BATCH))
        if feed.keepWatching():
            self._watchStall(used, now)

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
        (``_Feed.crowded``, or the pool stopped)."""
        return self.joined or self._calls.crowded()

    def callInThreadWithCallback(self, onResult, func, *args, **kw):
        if self.joined:
            return
        self._calls.put((onResult, func, args, kw))

    def _work(self, calls):
        lock = self._busyLock
        sleeper = self._local.sleeper = _Sleeper()
        calls.join()
        while True:
            call = calls.get(sleeper)
            if call is _STOP:
                calls.leave()
                _run_all(calls.takePutOff())
                return
            onResult, func, args, kw = call
            with lock:
                self._busy += 1
            try:
                result = func(*args, **kw)
                ok = True
            except BaseException:
                result = failure.Failure()
                ok = False
            finally:
                with lock:
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
            del call, onResult, func, args, kw, result

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

"""The process's shared thread pool: Twisted's ThreadPool, with a cheap hand-off.

Every API a process serves runs its WSGI stack on one pool of minova's
own, ``shared(reactor, size)``, next to the reactor's pool (which
``deferToThread`` and the host name resolver keep using). Twisted's own
pool passes each call through its ``Team`` coordinator and a
``queue.Queue``, which costs more than the whole HTTP parsing of a request
(measured in bench/: about 60 µs a request, a fifth of the CPU).
``SharedThreadPool`` keeps the ThreadPool interface but hands work to a
fixed set of threads through a ``queue.SimpleQueue``, whose C
implementation only wakes a thread when one is waiting.

minova owns that pool as twisted.web's ``twistd web --wsgi`` owns its own:
it starts when the reactor runs and stops after the reactor shut down. It
never replaces the reactor's pool, which a program embedding minova may
already use (a replaced pool's threads would never be stopped, and the
program would hang at exit).

A pool can also keep reserved threads (``reserve``), fed by a queue of
their own (``callInReservedThread``): work sent there never waits behind
the pool's calls, so a quick request (a load balancer's health check) is
answered while every pool thread waits on something slow. They start and
stop with the pool, and count in ``working`` like its other threads.
"""

import queue
import threading
import weakref

from twisted.internet import defer
from twisted.python import failure, threadpool
from twisted.logger import Logger

log = Logger(namespace="minova.threadpool")

_STOP = object()


class SharedThreadPool(threadpool.ThreadPool):
    """A ThreadPool of ``maxthreads`` threads fed by one SimpleQueue.

    ``reactor`` is the one ``whenIdle`` fires in.
    """

    def __init__(self, maxthreads, name, reactor=None):
        super().__init__(0, maxthreads, name)
        self.reactor = reactor
        self._idleWaiters = []
        self._calls = queue.SimpleQueue()
        self._reservedCalls = queue.SimpleQueue()
        self._reservedCount = 0
        self.reservedThreads = []
        self._busy = 0
        self._busyLock = threading.Lock()
        self._count = 0

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

    def callInThreadWithCallback(self, onResult, func, *args, **kw):
        if self.joined:
            return
        self._calls.put((onResult, func, args, kw))

    def _work(self, calls):
        lock = self._busyLock
        while True:
            call = calls.get()
            if call is _STOP:
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
        threads, self.threads = self.threads, []
        reserved, self.reservedThreads = self.reservedThreads, []
        for _ in threads:
            self._calls.put(_STOP)
        for _ in reserved:
            self._reservedCalls.put(_STOP)
        for thread in threads + reserved:
            thread.join()

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

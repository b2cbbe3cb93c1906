"""The process's shared thread pool: Twisted's ThreadPool, with a cheap hand-off.

Every API of a process runs its WSGI stack on the reactor's thread pool
(``reactor.getThreadPool()``, also used by ``deferToThread`` and the host
name resolver). Twisted's own pool passes each call through its ``Team``
coordinator and a ``queue.Queue``, which costs more than the whole HTTP
parsing of a request (measured in bench/: about 60 µs a request, a fifth of
the CPU). ``SharedThreadPool`` keeps the ThreadPool interface but hands work
to a fixed set of threads through a ``queue.SimpleQueue``, whose C
implementation only wakes a thread when one is waiting.

``install(reactor, size)`` makes it the reactor's pool, keeping the
reactor's own start and shutdown hooks, so ``reactor.getThreadPool()``,
``suggestThreadPoolSize`` and the shutdown that stops the pool all see it.
"""

import queue
import threading

from twisted.python import failure, threadpool
from twisted.logger import Logger

log = Logger(namespace="minova.threadpool")

_STOP = object()


class SharedThreadPool(threadpool.ThreadPool):
    """A ThreadPool of ``maxthreads`` threads fed by one SimpleQueue."""

    def __init__(self, maxthreads, name):
        super().__init__(0, maxthreads, name)
        self._calls = queue.SimpleQueue()
        self._busy = 0
        self._busyLock = threading.Lock()
        self._count = 0

    @property
    def workers(self):
        return len(self.threads)

    @property
    def working(self):
        return [None] * self._busy

    @property
    def waiters(self):
        return [None] * (len(self.threads) - self._busy)

    def start(self):
        self.joined = False
        self.started = True
        self._grow()

    def _grow(self):
        while len(self.threads) < self.max:
            self._count += 1
            thread = threading.Thread(
                target=self._work, name="PoolThread-%s-%d" % (
                    self.name or id(self), self._count))
            self.threads.append(thread)
            thread.start()

    def callInThreadWithCallback(self, onResult, func, *args, **kw):
        if self.joined:
            return
        self._calls.put((onResult, func, args, kw))

    def _work(self):
        calls = self._calls
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
            if onResult is not None:
                onResult(ok, result)
            elif not ok:
                log.failure("a call in the thread pool raised", result)
            del call, onResult, func, args, kw, result

    def stop(self):
        self.joined = True
        self.started = False
        threads, self.threads = self.threads, []
        for _ in threads:
            self._calls.put(_STOP)
        for thread in threads:
            thread.join()

    def adjustPoolsize(self, minthreads=None, maxthreads=None):
        if maxthreads is not None:
            self.max = max(maxthreads, 1)
        if self.started:
            self._grow()


def install(reactor, size):
    """Make a SharedThreadPool of ``size`` threads the reactor's pool; return it.

    Called again (another API, a reload), it only grows the pool to ``size``.
    """
    pool = reactor.getThreadPool()
    if isinstance(pool, SharedThreadPool):
        pool.adjustPoolsize(maxthreads=size)
        return pool
    shared = SharedThreadPool(size, pool.name)
    # The reactor stops whatever its ``threadpool`` is at shutdown; Twisted's
    # pool, never given work, has no thread to start or stop.
    reactor.threadpool = shared
    if reactor.running:
        shared.start()
    else:
        reactor.callWhenRunning(shared.start)
    return shared

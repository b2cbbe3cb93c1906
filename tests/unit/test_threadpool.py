"""minova_tw.threadpool: the shared pool keeps Twisted's ThreadPool contract."""

import threading

from twisted.internet.testing import MemoryReactorClock
from twisted.python.threadpool import ThreadPool

from minova_tw import threadpool


def run_pool(size=3):
    pool = threadpool.SharedThreadPool(size, "test")
    pool.start()
    return pool


def test_calls_run_in_the_pool_and_report_results():
    pool = run_pool()
    results = []
    done = threading.Event()

    def on_result(ok, value):
        results.append((ok, value))
        if len(results) == 2:
            done.set()

    pool.callInThreadWithCallback(on_result, lambda: 7)
    pool.callInThreadWithCallback(on_result, lambda: 1 / 0)
    assert done.wait(10)
    pool.stop()
    ok = sorted(results, key=lambda r: r[0], reverse=True)
    assert ok[0] == (True, 7)
    assert ok[1][0] is False and ok[1][1].check(ZeroDivisionError)


def test_size_threads_and_busy_count():
    pool = run_pool(3)
    assert [t.name for t in pool.threads] == [
        "PoolThread-test-1", "PoolThread-test-2", "PoolThread-test-3"]
    release = threading.Event()
    started = threading.Semaphore(0)

    def hold():
        started.release()
        release.wait(10)

    for _ in range(2):
        pool.callInThread(hold)
    for _ in range(2):
        assert started.acquire(timeout=10)
    assert len(pool.working) == 2 and len(pool.waiters) == 1
    release.set()
    pool.stop()
    assert pool.threads == [] and pool.joined
    pool.callInThread(lambda: None)  # ignored once stopped, like Twisted's


def test_adjust_grows_a_running_pool():
    pool = run_pool(1)
    pool.adjustPoolsize(maxthreads=4)
    assert pool.workers == 4
    pool.stop()


def test_install_replaces_the_reactors_pool_once():
    reactor = MemoryReactorClock()
    reactor.getThreadPool = lambda: reactor.threadpool
    reactor.threadpool = ThreadPool(0, 10, "twisted.internet.reactor")
    shared = threadpool.install(reactor, 4)
    assert reactor.threadpool is shared and shared.max == 4
    assert shared.name == "twisted.internet.reactor"
    assert not shared.started
    assert threadpool.install(reactor, 6) is shared and shared.max == 6


def test_a_reserved_thread_runs_while_every_pool_thread_is_busy():
    pool = run_pool(2)
    pool.reserve(1)
    assert [t.name for t in pool.reservedThreads] == ["ReservedThread-test-3"]
    release = threading.Event()
    started = threading.Semaphore(0)

    def hold():
        started.release()
        release.wait(10)

    for _ in range(3):  # two hold both pool threads, one more waits
        pool.callInThread(hold)
    for _ in range(2):
        assert started.acquire(timeout=10)
    reserved_ran = threading.Event()
    pool.callInReservedThread(reserved_ran.set)
    assert reserved_ran.wait(10)
    assert not release.is_set()
    assert pool.workers == 3
    release.set()
    pool.stop()
    assert pool.threads == [] and pool.reservedThreads == []


def test_without_a_reserved_thread_reserved_calls_use_the_pool():
    pool = run_pool(1)
    ran = threading.Event()
    pool.callInReservedThread(ran.set)
    assert ran.wait(10)
    pool.stop()


def test_install_reserves_threads_and_never_takes_them_back():
    reactor = MemoryReactorClock()
    reactor.getThreadPool = lambda: reactor.threadpool
    reactor.threadpool = ThreadPool(0, 10, "twisted.internet.reactor")
    shared = threadpool.install(reactor, 4, reserved=1)
    assert threadpool.install(reactor, 4) is shared
    shared.start()
    assert len(shared.reservedThreads) == 1 and shared.workers == 5
    shared.stop()

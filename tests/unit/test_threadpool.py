"""minova_tw.threadpool: the shared pool keeps Twisted's ThreadPool contract."""

import socket
import threading
import time

import pytest
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs

from minova_tw import threadpool
from tests.polling import wait_for


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


def test_shared_is_minovas_own_pool_started_and_stopped_with_the_reactor():
    reactor = MemoryReactorClock()
    pool = threadpool.shared(reactor, 4)
    assert threadpool.current(reactor) is pool and pool.max == 4
    assert not pool.started
    assert threadpool.shared(reactor, 6) is pool and pool.max == 6
    assert reactor.triggers["after"]["shutdown"] == [(pool.stop, (), {})]
    assert len(reactor.triggers["after"]["shutdown"]) == 1
    reactor.run()  # runs the callWhenRunning hooks
    assert pool.started and pool.workers == 6
    pool.stop()
    assert pool.threads == [] and threadpool.current(MemoryReactorClock()) \
        is None


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


def test_shared_reserves_threads_and_never_takes_them_back():
    reactor = MemoryReactorClock()
    pool = threadpool.shared(reactor, 4, reserved=1)
    assert threadpool.shared(reactor, 4) is pool
    pool.start()
    assert len(pool.reservedThreads) == 1 and pool.workers == 5
    pool.stop()


def test_one_call_wakes_the_thread_that_slept_last_and_no_other():
    pool = run_pool(3)
    names = []
    done = threading.Semaphore(0)

    def record():
        names.append(threading.current_thread().name)
        done.release()

    for _ in range(5):  # one after another: the same warm thread each time
        pool.callInThread(record)
        assert done.acquire(timeout=10)
        # It is back asleep before the next call is made.
        wait_for(lambda: len(pool._calls._sleepers) == 3,
                 what="every thread asleep")
    pool.stop()
    assert len(set(names)) == 1


def test_before_waiting_runs_after_the_call_before_the_thread_waits():
    pool = run_pool(1)
    order = []
    done = threading.Event()
    queued = threading.Event()

    def call():
        pool.beforeWaiting(order.append, "wake")
        assert queued.wait(10)
        order.append("returned")

    pool.callInThread(call)
    # Queued behind it, but not by the reactor, which would look at the
    # pool while calls wait (_checkStall): nothing is put off, the wake
    # goes before the next call.
    pool.callInThread(order.append, "next")
    pool.callInThread(done.set)
    queued.set()
    assert done.wait(10)
    pool.stop()
    assert order == ["returned", "wake", "next"]
    pool.beforeWaiting(order.append, "at once")  # not a pool thread
    assert order[-1] == "at once"


def test_a_call_before_waiting_that_raises_is_logged_and_the_thread_serves():
    pool = run_pool(1)
    done = threading.Event()
    with capturedLogs() as events:
        pool.callInThread(pool.beforeWaiting, lambda: 1 / 0)
        pool.callInThread(done.set)
        assert done.wait(10)
        pool.stop()  # (what was put off runs once the thread waits)
    failures = [e["log_failure"] for e in events if "log_failure" in e]
    assert [f.type for f in failures] == [ZeroDivisionError]


def test_calls_at_turn_end_go_to_the_pool_when_the_reactor_turns():
    reactor = MemoryReactorClock()
    pool = threadpool.SharedThreadPool(1, "test", reactor)
    pool.start()
    ran = threading.Event()
    pool.callAtTurnEnd(ran.set)
    # Held until the turn ends: no thread has it yet.
    assert pool._atTurnEnd and not pool._calls._calls and not ran.is_set()
    reactor.advance(0)
    assert ran.wait(10)
    pool.stop()


class Held:
    """Calls for a pool that record the thread they ran in and, if told
    to, wait until ``release`` is set."""

    def __init__(self):
        self.release = threading.Event()
        self.ran = []
        self.started = threading.Semaphore(0)

    def hold(self, name):
        self.note(name)
        assert self.release.wait(10)

    def note(self, name):
        self.ran.append((name, threading.current_thread().name))
        self.started.release()


def putting_off(pool, f, *args, held=None):
    """A call that puts ``f(*args)`` off until its thread waits
    (``beforeWaiting``), then holds on ``held`` if given."""
    def call():
        pool.beforeWaiting(f, *args)
        if held is not None:
            held.hold("first")
    return call


def gated_pool(size):
    """A started pool of ``size`` threads on a MemoryReactorClock, all
    asleep, whose process seems to use no CPU at all."""
    reactor = MemoryReactorClock()
    pool = threadpool.SharedThreadPool(size, "test", reactor)
    pool.cpuTime = lambda: 0.0
    pool.start()
    wait_asleep(pool, size)
    return reactor, pool


@pytest.fixture
def batching(monkeypatch):
    """A one-thread pool (gated_pool) whose thread puts off its wake-ups
    for as long as it has calls to run (``BATCH`` a minute), and a Held."""
    monkeypatch.setattr(threadpool, "BATCH", 60)
    reactor, pool = gated_pool(1)
    return reactor, pool, Held()


def test_a_turns_calls_wait_for_the_running_thread_until_it_stalls():
    reactor, pool = gated_pool(3)
    held = Held()
    pool.callAtTurnEnd(held.hold, "first")
    pool.callAtTurnEnd(held.note, "second")
    reactor.advance(0)
    assert held.started.acquire(timeout=10)
    # One thread runs; the other call waits for it, not for a sleeper.
    assert pool._calls.queued() and pool._calls.sleeping() == 2
    assert [name for name, _ in held.ran] == ["first"]
    # The process used no CPU over a tick: the running thread waits, and
    # one more is woken for the waiting call.
    reactor.advance(threadpool.STALL_TICK)
    assert held.started.acquire(timeout=10)
    assert [name for name, _ in held.ran] == ["first", "second"]
    assert held.ran[0][1] != held.ran[1][1]
    assert not pool._calls.queued()
    held.release.set()
    pool.stop()


def test_a_busy_process_keeps_one_thread_running():
    reactor, pool = gated_pool(2)
    cpu = [0.0]
    pool.cpuTime = lambda: cpu[0]
    held = Held()
    pool.callAtTurnEnd(held.hold, "first")
    pool.callAtTurnEnd(held.note, "second")
    reactor.advance(0)
    assert held.started.acquire(timeout=10)
    for _ in range(5):
        # A whole CPU used over each tick: no second thread.
        cpu[0] += threadpool.STALL_TICK
        reactor.advance(threadpool.STALL_TICK)
        assert pool._calls.queued() and pool._calls.sleeping() == 1
    assert reactor.getDelayedCalls()  # still watching
    held.release.set()
    # The running thread takes the waiting call when it is done.
    assert held.started.acquire(timeout=10)
    assert held.ran[0][1] == held.ran[1][1]
    wait_asleep(pool, 2)
    cpu[0] += threadpool.STALL_TICK
    reactor.advance(threadpool.STALL_TICK)
    assert not reactor.getDelayedCalls()  # nothing waits: no more looks
    pool.stop()


def two_threads_running(rate):
    """A pool of two threads on a MemoryReactorClock running two held
    calls, the second woken for a stall, with two more calls waiting;
    then looked at over ``RETIRE_AFTER`` and a tick while the process
    used ``rate`` of a CPU. The pool, its two Helds, and the names of
    the threads that ran the held calls."""
    reactor, pool = gated_pool(2)
    cpu = [0.0]
    pool.cpuTime = lambda: cpu[0]
    first, second = Held(), Held()
    pool.callAtTurnEnd(first.hold, "first")
    pool.callAtTurnEnd(second.hold, "second")
    pool.callAtTurnEnd(second.note, "third")
    pool.callAtTurnEnd(second.note, "fourth")
    reactor.advance(0)
    assert first.started.acquire(timeout=10)
    reactor.advance(threadpool.STALL_TICK)  # no CPU used: a stall
    assert second.started.acquire(timeout=10)
    wait_for(lambda: pool.working == [None, None], what="two calls counted")
    ticks = round(threadpool.RETIRE_AFTER / threadpool.STALL_TICK) + 2
    for _ in range(ticks):
        cpu[0] += rate * threadpool.STALL_TICK
        reactor.advance(threadpool.STALL_TICK)
    return pool, first, second, (first.ran[0][1], second.ran[0][1])


def test_a_thread_woken_for_a_stall_sleeps_again_once_a_cpu_is_busy():
    # (More than a CPU: C code that releases the interpreter lock runs
    # beside it.)
    pool, first, second, (one, other) = two_threads_running(
        1.5 * threadpool.RETIRE_CPU)
    first.release.set()
    # The first thread is done and goes to sleep: the calls that wait
    # are the other thread's, which the interpreter lock kept busy.
    wait_asleep(pool, 1)
    assert pool._calls.queued()
    second.release.set()
    assert second.started.acquire(timeout=10)
    assert second.started.acquire(timeout=10)
    assert [thread for _, thread in second.ran] == [other] * 3
    wait_asleep(pool, 2)
    pool.stop()


def test_threads_that_leave_a_cpu_idle_stay_awake():
    pool, first, second, (one, other) = two_threads_running(
        (threadpool.STALL_CPU + threadpool.RETIRE_CPU) / 2)
    first.release.set()
    # Neither stalled nor a CPU's worth: the thread done first takes the
    # next waiting call.
    assert second.started.acquire(timeout=10)
    assert second.ran[1] == ("third", one)
    second.release.set()
    assert second.started.acquire(timeout=10)
    wait_asleep(pool, 2)
    pool.stop()


def test_a_threads_wake_up_is_put_off_while_it_has_calls_to_run(batching):
    reactor, pool, held = batching
    order = []
    pool.callAtTurnEnd(putting_off(pool, order.append, "wake", held=held))
    pool.callAtTurnEnd(order.append, "second")
    reactor.advance(0)
    assert held.started.acquire(timeout=10)
    pool.callAtTurnEnd(held.note, "third")
    reactor.advance(0)
    held.release.set()
    assert held.started.acquire(timeout=10)
    # The wake of the first call waited for the second and third, and
    # goes once the thread has nothing left to run.
    wait_for(lambda: order == ["second", "wake"], what="the wake, last")
    pool.stop()


def test_what_a_thread_put_off_runs_in_the_reactor_when_it_stalls(batching):
    reactor, pool, held = batching
    ran = []
    pool.callAtTurnEnd(putting_off(
        pool, lambda: ran.append(threading.current_thread())))
    pool.callAtTurnEnd(held.hold, "blocks")
    reactor.advance(0)
    assert held.started.acquire(timeout=10)
    assert ran == []  # put off: the thread had a call to run
    reactor.advance(threadpool.STALL_TICK)
    # The thread waits in its call: the reactor runs the put-off wake.
    assert ran == [threading.current_thread()]
    held.release.set()
    pool.stop()


def test_a_stopped_thread_runs_what_it_put_off(batching):
    reactor, pool, held = batching
    ran = threading.Event()
    pool.callAtTurnEnd(putting_off(pool, ran.set, held=held))
    pool.callAtTurnEnd(lambda: None)
    reactor.advance(0)
    assert held.started.acquire(timeout=10)
    pool._calls.put(threadpool._STOP)  # queued, after the other call
    held.release.set()
    # The thread takes its stop with the wake still put off: it runs it.
    assert ran.wait(10)
    pool.stop()


def wait_asleep(pool, count):
    wait_for(lambda: pool._calls.sleeping() == count,
             what="%d pool threads asleep" % count)


def in_pool(pool, f):
    """Run ``f`` on ``pool`` and return a function that waits for its
    result."""
    result = []
    done = threading.Event()
    pool.callInThread(lambda: (result.append(f()), done.set()))

    def get():
        assert done.wait(10)
        return result[0]
    return get


@pytest.fixture
def pair():
    """A connected pair of sockets: the pool waits on the first."""
    left, right = socket.socketpair()
    yield left, right
    left.close()
    right.close()


def waiting(pool, sock, timeout):
    """A wait for ``sock`` on ``pool``, started; a function for its result."""
    return in_pool(pool, lambda: pool.waitReadable(sock.fileno(), timeout))


def test_a_thread_waits_for_a_socket_that_becomes_readable(pair):
    pool = run_pool(2)
    wait_asleep(pool, 2)
    result = waiting(pool, pair[0], 60)
    wait_for(lambda: pool._calls._waiting == 1, what="the thread waiting")
    pair[1].send(b"x")
    assert result() is True
    # Ended by its timeout, when nothing comes.
    pair[0].recv(1)
    assert waiting(pool, pair[0], 0.01)() is False
    pool.stop()


def test_a_call_for_the_pool_ends_every_wait_for_a_socket(pair):
    # Two threads wait on a silent socket, the third takes a call that
    # holds it; the next call finds no thread asleep and ends both waits.
    pool = run_pool(3)
    wait_asleep(pool, 3)
    release = threading.Event()
    waits = [waiting(pool, pair[0], 600)]
    wait_for(lambda: pool._calls._waiting == 1, what="one waiting")
    # The second wait needs a thread asleep beside it: there is one.
    waits.append(waiting(pool, pair[0], 600))
    wait_for(lambda: pool._calls._waiting == 2, what="two waiting")
    pool.callInThread(release.wait, 10)
    wait_asleep(pool, 0)
    ran = threading.Event()
    pool.callInThread(ran.set)  # queued: it ends both waits
    assert waits[0]() is False and waits[1]() is False
    assert ran.wait(10)
    release.set()
    # The interrupt was emptied: it does not end the next wait.
    wait_asleep(pool, 3)
    assert not pool._calls._waiting
    pair[1].send(b"x")
    assert waiting(pool, pair[0], 60)() is True
    pool.stop()


def test_a_quiet_pool_lends_its_last_thread_to_a_socket(pair):
    # No thread asleep beside it, but no call waited for one: a process
    # with as many connections as threads serves each on its own.
    pool = run_pool(1)
    wait_asleep(pool, 1)
    pair[1].send(b"x")
    assert waiting(pool, pair[0], 60)() is True
    assert not in_pool(pool, pool.crowded)()
    pool.stop()
    assert pool.waitReadable(pair[0].fileno(), 60) is False  # stopped
    assert pool.crowded()


def test_no_wait_for_a_socket_on_the_last_thread_of_a_busy_pool(pair):
    # A call waited for a thread within QUIET seconds: the last thread
    # goes back to sleep for the next call; with a thread asleep beside
    # it, it may wait.
    pool = run_pool(2)
    wait_asleep(pool, 2)
    pool._calls.queuedAt = time.monotonic()
    pair[1].send(b"x")
    assert waiting(pool, pair[0], 60)() is True
    release = threading.Event()
    pool.callInThread(release.wait, 10)
    wait_asleep(pool, 1)
    pool._calls.queuedAt = time.monotonic()
    assert waiting(pool, pair[0], 60)() is False
    assert in_pool(pool, pool.crowded)() is True
    pool._calls.queuedAt = time.monotonic() - threadpool.QUIET - 0.01
    assert waiting(pool, pair[0], 60)() is True
    release.set()
    pool.stop()


def test_a_pool_lends_threads_while_every_call_found_one():
    reactor = MemoryReactorClock()
    pool = threadpool.SharedThreadPool(2, "test", reactor)
    pool.start()
    wait_asleep(pool, 2)
    assert pool.hasIdleThread()
    # Calls of this turn count against the threads asleep.
    pool.callAtTurnEnd(lambda: None)
    assert pool.hasIdleThread()
    pool.callAtTurnEnd(lambda: None)
    assert not pool.hasIdleThread()
    reactor.advance(0)
    wait_asleep(pool, 2)
    # The second call waited for the thread that ran the first: the pool
    # lends none for QUIET seconds.
    assert not pool.hasIdleThread()
    pool._calls.queuedAt = time.monotonic() - threadpool.QUIET - 0.01
    assert pool.hasIdleThread()
    # A call that waited for a thread: none lent for QUIET seconds.
    release = threading.Event()
    for _ in range(3):
        pool.callInThread(release.wait, 10)
    release.set()
    wait_asleep(pool, 2)
    assert not pool.hasIdleThread()
    pool._calls.queuedAt = time.monotonic() - threadpool.QUIET - 0.01
    assert pool.hasIdleThread()
    pool.stop()


class Lease:
    """A connection leased to the pool, over a socket pair: each byte its
    client sends is answered with the same byte, and noted with the thread
    that read it; ``h`` is held until ``release``; ``q`` (or the end of
    the stream) ends the lease."""

    def __init__(self):
        self.server, self.client = socket.socketpair()
        self.server.setblocking(False)
        self.client.settimeout(10)
        self.release = threading.Event()
        self.served = []
        self.gone = threading.Event()

    def leaseReadable(self):
        data = self.server.recv(1)
        if data in (b"", b"q"):
            return False
        self.served.append((data, threading.get_ident()))
        if data == b"h":
            assert self.release.wait(10)
        self.server.send(data)
        return True

    def letGo(self):
        assert not self.gone.is_set()
        self.gone.set()

    def ask(self, data=b"x"):
        self.client.send(data)
        assert self.client.recv(1) == data
        return self.served[-1][1]

    def close(self):
        self.server.close()
        self.client.close()


@pytest.fixture
def leases(monkeypatch):
    """Makes Lease objects; a connection stays in the loop for a minute
    without a request (LINGER), unless the test says otherwise."""
    monkeypatch.setattr(threadpool, "LINGER", 60)
    made = []

    def make(count):
        made.extend(Lease() for _ in range(count))
        return made[-count:]
    yield make
    for lease in made:
        lease.release.set()
        lease.close()


def keep(reactor, pool, lease):
    """Lease ``lease`` to ``pool``, as the HTTP/1.1 channel does: a call
    handed over at the turn's end keeps it in the lease loop."""
    pool.callAtTurnEnd(pool.keepLeased, lease, lease.server.fileno())
    reactor.advance(0)


def test_one_thread_serves_every_connection_of_the_lease_loop(leases):
    reactor, pool = gated_pool(3)
    a, b, c = leases(3)
    for lease in (a, b, c):
        keep(reactor, pool, lease)
    threads = {lease.ask() for _ in range(3) for lease in (a, b, c)}
    # The thread that took the first lease serves them all, the calls
    # that leased the others included; the other threads sleep.
    assert len(threads) == 1
    assert len(pool._calls._sleepers) == 2
    assert not (a.gone.is_set() or b.gone.is_set() or c.gone.is_set())
    pool.stop()
    # A stopping pool hands every connection back, once.
    assert a.gone.is_set() and b.gone.is_set() and c.gone.is_set()


def test_a_connection_goes_back_when_it_says_so_or_stays_quiet(
        leases, monkeypatch):
    monkeypatch.setattr(threadpool, "LINGER", 0.2)
    reactor, pool = gated_pool(2)
    a, b = leases(2)
    keep(reactor, pool, a)
    keep(reactor, pool, b)
    a.client.send(b"q")
    assert a.gone.wait(10)
    # B, still asked, stays; once it is quiet for LINGER it goes back, and
    # the loop, holding nothing, lets its thread sleep again.
    deadline = time.monotonic() + 0.1
    while time.monotonic() < deadline:
        b.ask()
    assert not b.gone.is_set()
    assert b.gone.wait(10)
    wait_asleep(pool, 2)
    pool.stop()


def test_a_call_handed_over_runs_on_the_loops_thread(leases):
    reactor, pool = gated_pool(2)
    (a,) = leases(1)
    keep(reactor, pool, a)
    loop_thread = a.ask()
    ran = []
    done = threading.Event()
    # No thread is asleep but one (the loop's is awake): the call waits
    # for the loop's thread, whose poll it ends.
    pool.callAtTurnEnd(lambda: (ran.append(threading.get_ident()),
                                done.set()))
    reactor.advance(0)
    assert done.wait(10)
    assert ran == [loop_thread] and len(pool._calls._sleepers) == 1
    assert a.ask() == loop_thread
    pool.stop()


def test_a_loop_thread_held_up_gets_a_thread_for_the_others(leases):
    # The process uses no CPU (gated_pool): while the loop's thread is
    # held in one connection's request, the reactor's next look wakes a
    # thread to serve the loop's other connections beside it.
    reactor, pool = gated_pool(2)
    a, b = leases(2)
    keep(reactor, pool, a)
    keep(reactor, pool, b)
    loop_thread = a.ask()
    a.client.send(b"h")
    wait_for(lambda: a.served[-1][0] == b"h", what="A held in the loop")
    b.client.send(b"x")
    assert reactor.getDelayedCalls()  # the reactor looks at the loop
    reactor.advance(threadpool.STALL_TICK)
    assert b.client.recv(1) == b"x"
    assert b.served[-1][1] != loop_thread
    a.release.set()
    assert a.client.recv(1) == b"h"
    # The helper left when nothing more was readable; both connections
    # are still the loop's.
    wait_asleep(pool, 1)
    assert {a.ask(), b.ask()} == {loop_thread}
    assert not (a.gone.is_set() or b.gone.is_set())
    pool.stop()

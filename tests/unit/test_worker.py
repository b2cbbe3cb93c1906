"""minova_tw.worker: the worker's own logic, driven piece by piece.

The end of a drain is played deterministically: a real SharedThreadPool
runs a "request" that hands its response over and then holds (as a WSGI
response's thread does between handing the finish to the reactor and
returning), and a MemoryReactorClock that also takes ``callFromThread``
stands in for the reactor.
"""

import io
import threading

from twisted.logger import LogLevel, globalLogPublisher

from minova_tw import accesslog, threadpool, worker
from tests.unit.fakes import ThreadedClock, finished_request


def in_app(pool):
    """A request in the pool that sent its response and has not returned."""
    responded, release = threading.Event(), threading.Event()

    def request():
        responded.set()
        release.wait(10)
    pool.callInThread(request)
    assert responded.wait(10)
    return release


def running_pool(reactor):
    pool = threadpool.SharedThreadPool(2, "test", reactor)
    pool.start()
    return pool


def test_a_thread_still_returning_after_the_drain_is_waited_for():
    reactor = ThreadedClock()
    pool = running_pool(reactor)
    release = in_app(pool)
    # The drain is over: the one request's response was sent, but its
    # thread still counts as busy (the race issue 17 item 13 found).
    assert len(pool.working) == 1
    exits = []
    left = worker.leave_the_app(reactor, pool, reactor.seconds() + 30,
                                exit=exits.append)
    assert not left.called
    release.set()
    reactor.runFromThreads(lambda: left.called)
    assert exits == [] and not reactor.getDelayedCalls()
    pool.stop()


def test_requests_still_in_the_app_at_the_deadline_are_abandoned():
    reactor = ThreadedClock()
    pool = running_pool(reactor)
    release = in_app(pool)
    exits = []
    events = []
    globalLogPublisher.addObserver(events.append)
    # A line a pool thread logged, still waiting for its batch.
    out = io.StringIO()
    access = accesslog.AccessLog("osapi_compute", "%(request_line)s",
                                 reactor)
    access.writeTo(out)
    access.line(finished_request("GET /done HTTP/1.1"), fromThread=True)
    try:
        left = worker.leave_the_app(reactor, pool, reactor.seconds() + 5,
                                    exit=exits.append)
        reactor.advance(4.9)
        assert exits == []
        reactor.advance(0.1)
    finally:
        globalLogPublisher.removeObserver(events.append)
    assert exits == [0] and not left.called
    warning, = [e for e in events if e.get("log_level") == LogLevel.warn]
    assert warning["count"] == 1
    release.set()
    reactor.runFromThreads(lambda: left.called)  # late: nothing more happens
    assert exits == [0]
    pool.stop()
    assert out.getvalue().endswith("] GET /done HTTP/1.1\n")


def test_an_idle_pool_or_none_leaves_at_once():
    reactor = ThreadedClock()
    pool = running_pool(reactor)
    assert worker.leave_the_app(reactor, pool, None).called
    assert worker.leave_the_app(reactor, None, 0).called
    assert not reactor.getDelayedCalls()
    pool.stop()


def test_without_a_deadline_the_worker_waits_for_the_app():
    reactor = ThreadedClock()
    pool = running_pool(reactor)
    release = in_app(pool)
    left = worker.leave_the_app(reactor, pool, None, exit=None)
    assert not reactor.getDelayedCalls() and not left.called
    release.set()
    reactor.runFromThreads(lambda: left.called)
    pool.stop()


def test_arguments_the_spawner_passes_are_parsed():
    args = worker.parse_args([
        "--api", "metadata", "--slot", "2", "--config", "a.conf",
        "--config", "b.conf", "--max-requests", "105"])
    assert (args.api, args.slot, args.config, args.max_requests) == (
        "metadata", 2, ["a.conf", "b.conf"], 105)
    assert args.check_fd is None and args.reactor is None


def test_log_lines_are_tagged_with_the_api_and_slot():
    out = io.StringIO()
    observer = worker.tagged_observer(out, "metadata/1")
    observer({"log_format": "hello", "log_level": LogLevel.info,
              "log_namespace": "minova.x", "log_time": 0,
              "log_system": "-"})
    assert "[metadata/1 minova.x#info] hello" in out.getvalue()


class PipeTransport:
    def __init__(self):
        self.written = b""

    def write(self, data):
        self.written += data


def test_parent_control_says_lines_and_stops_when_the_parent_is_gone():
    stops = []
    control = worker.ParentControl(lambda: stops.append(True))
    control.makeConnection(PipeTransport())
    control.say(worker.READY)
    assert control.transport.written == b"ready\n"
    control.connectionLost(None)  # stdin closed: the parent died
    assert stops == [True]
    control.say(worker.RECYCLE)  # stopping: nothing more to say
    assert control.transport.written == b"ready\n"


def test_stdin_closing_while_stopping_is_no_news():
    stops = []
    control = worker.ParentControl(lambda: stops.append(True))
    control.makeConnection(PipeTransport())
    control.shutdown()
    control.connectionLost(None)
    assert stops == []

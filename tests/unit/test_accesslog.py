"""minova_tw.accesslog: nova's access line, checked formats, buffered writes."""

import io
import threading
import time

import pytest
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs, formatTime

from minova_tw import accesslog
from minova_tw.conf.wsgi import DEFAULT_LOG_FORMAT
from tests.unit.fakes import ThreadedClock, finished_request


class Record:
    """What the access log reads of a finished request."""

    client_ip = "192.0.2.7"
    request_line = "GET /v2.1/flavors HTTP/1.1"
    code = 200
    sentLength = 42

    def __init__(self, request_id=None):
        self.requestId = request_id
        self.started = time.monotonic()


@pytest.mark.parametrize("log_format, error", [
    ("%(nope)s", "KeyError"), ("%(status_code)d %", "ValueError"),
    ("%(client_ip)d", "TypeError")])
def test_a_bad_format_is_one_line_naming_the_error(log_format, error):
    with pytest.raises(ValueError, match="^%s: " % error):
        accesslog.check_log_format(log_format)
    with pytest.raises(ValueError):
        accesslog.AccessLog("osapi_compute", log_format, MemoryReactorClock())


def test_a_line_in_novas_format_is_one_log_event():
    log = accesslog.AccessLog("osapi_compute", DEFAULT_LOG_FORMAT,
                              MemoryReactorClock())
    with capturedLogs() as events:
        log.line(Record("req-1"))
    event, = events
    assert event["log_namespace"] == "minova.access"
    assert event["api"] == "osapi_compute"
    assert event["line"].startswith(
        '[req-1 - -] 192.0.2.7 "GET /v2.1/flavors HTTP/1.1" status: 200 '
        'len: 42 time: ')


def test_the_date_is_made_only_for_a_format_that_has_it(monkeypatch):
    made = []
    monkeypatch.setattr(accesslog, "_nova_time",
                        lambda now: made.append(now) or "a date")
    undated = accesslog.AccessLog("metadata", "%(status_code)s", None)
    assert undated.format % undated.fields(Record()) == "200"
    assert made == []
    dated = accesslog.AccessLog("metadata", "%(date_time)s", None)
    assert dated.format % dated.fields(Record()) == "a date"
    assert len(made) == 1


def test_direct_output_is_written_once_per_reactor_turn_in_twistds_form():
    reactor = MemoryReactorClock()
    out = io.StringIO()
    log = accesslog.AccessLog("metadata", "%(status_code)s %(body_length)s",
                              reactor)
    log.writeTo(out, "metadata/1")
    log.line(Record())
    log.line(Record("req-2"))
    assert out.getvalue() == ""
    reactor.advance(0)
    first, second = out.getvalue().splitlines()
    assert first.endswith(" [metadata/1 minova.access#info] 200 42")
    assert second.endswith(
        " [metadata/1 minova.access#info] [req-2 - -] 200 42")


def test_the_time_stamp_is_twistds_made_once_a_second(monkeypatch):
    made = []

    def format_time(when):
        made.append(when)
        return formatTime(when)
    monkeypatch.setattr(accesslog, "formatTime", format_time)
    now = [1767225600.25]  # 2026-01-01T00:00:00.25Z
    monkeypatch.setattr(accesslog.time, "time", lambda: now[0])
    reactor = MemoryReactorClock()
    out = io.StringIO()
    log = accesslog.AccessLog("metadata", "%(status_code)s", reactor)
    log.writeTo(out)
    for when in (1767225600.25, 1767225600.75, 1767225601.5):
        now[0] = when
        log.line(Record())
        reactor.advance(0)
    lines = out.getvalue().splitlines()
    assert [line.split(" [")[0] for line in lines] == [
        formatTime(1767225600)] * 2 + [formatTime(1767225601)]
    assert made == [1767225600, 1767225601]


def test_writes_are_split_at_line_ends_below_the_atomic_size():
    reactor = MemoryReactorClock()
    writes = []

    class Output:
        def write(self, text):
            writes.append(text)

        def flush(self):
            pass
    log = accesslog.AccessLog("metadata", "%(request_line)s", reactor)
    log.writeTo(Output())
    record = Record()
    record.request_line = "GET /" + "x" * 500 + " HTTP/1.1"
    for _ in range(10):
        log.line(record)
    reactor.advance(0)
    assert len(writes) > 1
    assert all(len(w) <= accesslog.ATOMIC_WRITE and w.endswith("\n")
               for w in writes)
    assert "".join(writes).count("\n") == 10


def test_a_failing_output_is_a_warning_not_an_error():
    reactor = MemoryReactorClock()
    out = io.StringIO()
    log = accesslog.AccessLog("metadata", "%(status_code)s", reactor)
    log.writeTo(out)
    out.close()
    log.line(Record())
    with capturedLogs() as events:
        reactor.advance(0)
    assert "cannot write the access log" in events[0]["log_format"]


def run_sent(reactor):
    """Run what threads sent the reactor so far; how many calls."""
    count = reactor.fromThreads.qsize()
    reactor.runFromThreads(reactor.fromThreads.empty)
    return count


def threaded_log():
    reactor = ThreadedClock()
    out = io.StringIO()
    log = accesslog.AccessLog("osapi_compute", "%(request_line)s", reactor)
    log.writeTo(out)
    return reactor, out, log


def test_lines_of_pool_threads_are_written_together_within_the_batch_time():
    reactor, out, log = threaded_log()
    for n in range(3):
        log.line(finished_request("GET /%d HTTP/1.1" % n), fromThread=True)
    # One wake-up of the reactor for the three, and nothing written yet.
    assert run_sent(reactor) == 1
    reactor.advance(accesslog.BATCH / 2)
    assert out.getvalue() == ""
    reactor.advance(accesslog.BATCH / 2)
    assert [line.split("] ", 1)[1] for line in out.getvalue().splitlines()
            ] == ["GET /%d HTTP/1.1" % n for n in range(3)]
    # The next line asks again, once.
    log.line(finished_request("GET /3 HTTP/1.1"), fromThread=True)
    log.line(finished_request("GET /4 HTTP/1.1"), fromThread=True)
    assert run_sent(reactor) == 1
    reactor.advance(accesslog.BATCH)
    assert out.getvalue().count("\n") == 5


def test_the_reactors_turn_end_writes_the_threads_lines_waiting_too():
    reactor, out, log = threaded_log()
    log.line(finished_request("GET /thread HTTP/1.1"), fromThread=True)
    log.line(finished_request("GET /reactor HTTP/1.1"))
    reactor.advance(0)
    assert out.getvalue().count("\n") == 2
    # The batch's timer, armed later, finds nothing to write.
    run_sent(reactor)
    reactor.advance(accesslog.BATCH)
    assert out.getvalue().count("\n") == 2


def test_a_line_a_thread_adds_while_the_reactor_writes_is_asked_for_anew():
    reactor = ThreadedClock()
    log = accesslog.AccessLog("osapi_compute", "%(request_line)s", reactor)

    class Output(io.StringIO):
        """A thread logs a line while the reactor writes the batch."""

        def write(self, text):
            if "GET /2 " not in text and "GET /2 " not in self.getvalue():
                log.line(finished_request("GET /2 HTTP/1.1"), fromThread=True)
            return super().write(text)
    out = Output()
    log.writeTo(out)
    log.line(finished_request("GET /1 HTTP/1.1"), fromThread=True)
    run_sent(reactor)
    reactor.advance(accesslog.BATCH)
    assert run_sent(reactor) == 1
    reactor.advance(accesslog.BATCH)
    assert [line.split("] ", 1)[1] for line in out.getvalue().splitlines()
            ] == ["GET /1 HTTP/1.1", "GET /2 HTTP/1.1"]


def test_threads_logging_at_once_lose_and_repeat_no_line():
    reactor, out, log = threaded_log()
    count, per_thread = 4, 500
    start = threading.Barrier(count + 1)

    def serve(n):
        start.wait()
        for i in range(per_thread):
            log.line(finished_request("GET /%d/%d HTTP/1.1" % (n, i)),
                     fromThread=True)
    threads = [threading.Thread(target=serve, args=(n,))
               for n in range(count)]
    for thread in threads:
        thread.start()
    start.wait()
    while any(thread.is_alive() for thread in threads):
        run_sent(reactor)
        reactor.advance(accesslog.BATCH)
    for thread in threads:
        thread.join()
    run_sent(reactor)
    reactor.advance(accesslog.BATCH)
    lines = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    assert sorted(lines) == sorted("GET /%d/%d HTTP/1.1" % (n, i)
                                   for n in range(count)
                                   for i in range(per_thread))
    # Each thread's lines in the order it logged them.
    for n in range(count):
        mine = [line for line in lines if line.startswith("GET /%d/" % n)]
        assert mine == ["GET /%d/%d HTTP/1.1" % (n, i)
                        for i in range(per_thread)]


def test_flush_all_writes_every_logs_waiting_lines():
    reactor, out, log = threaded_log()
    log.line(finished_request("GET /late HTTP/1.1"), fromThread=True)
    accesslog.flush_all()
    assert out.getvalue().endswith("] GET /late HTTP/1.1\n")

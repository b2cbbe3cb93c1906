"""minova_tw.accesslog: nova's access line, checked formats, buffered writes."""

import io
import time

import pytest
from twisted.internet.testing import MemoryReactorClock
from twisted.logger import capturedLogs, formatTime

from minova_tw import accesslog
from minova_tw.conf.wsgi import DEFAULT_LOG_FORMAT


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


def test_only_the_keys_the_format_uses_are_computed():
    log = accesslog.AccessLog("metadata", "%(status_code)s", None)
    assert log.fields(Record()) == {"status_code": 200}


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

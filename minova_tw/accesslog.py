"""nova's access log line, written without costing the reactor a log event each.

One line per request in ``[wsgi] wsgi_log_format`` (nova's keys:
client_ip, date_time, request_line, status_code, body_length,
wall_seconds), prefixed ``[req-id - -]`` when the response has a request
id. The date, the one key that costs more than reading an attribute, is
made only when the format uses it.

Sent through ``twisted.logger`` one event per line, formatting and
writing the line is about an eighth of a small request's CPU. So where
minova knows the stream twistd's observer writes to (its stdout, its
``--logfile``, a worker's inherited stdout: ``AccessLog.output``), lines
are formatted exactly as that observer would (twistd's time stamp, the
``[system]`` field) and written together by the reactor: those of its own
turn at the turn's end, those of pool threads serving leased connections
(minova_tw.http11) at most ``BATCH`` seconds after the first of them.
Pool threads only queue their lines: written by each thread at once, a
line cost its thread a write and, behind the other threads' writes, a
wait for the lock that keeps writes whole (at 4 connections a process,
43% of the threads' time in bench/results/profile-c4), and those waits
were the slowest percent of the responses at 8 connections over 2
workers. Anywhere else (an embedding program, tests) each line is an
ordinary log event in namespace ``minova.access``.
"""

import calendar
import collections
import time
import weakref

from twisted.logger import Logger, formatTime

from minova_tw import logs

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: One value of each key wsgi_log_format may use: checks a format.
SAMPLE = {"client_ip": "127.0.0.1", "date_time": "01/Jan/2026 00:00:00",
          "request_line": "GET / HTTP/1.1", "status_code": 200,
          "body_length": 0, "wall_seconds": 0.0}

access_log = Logger(namespace="minova.access")

#: Characters a write may have: half of Linux's PIPE_BUF (a write to a pipe
#: up to 4096 bytes is atomic), as a character of a latin-1 request line
#: is at most two bytes in UTF-8.
ATOMIC_WRITE = 2048

#: What twistd's observer shows in the system field of an access event.
SYSTEM = "minova.access#info"

#: How long, at most, a line a pool thread logged waits to be written, in
#: seconds: the reactor writes the lines of that time together, with a
#: wake-up for them rather than one a line.
BATCH = 0.05


def check_log_format(log_format):
    """Format one sample line, so a bad [wsgi] wsgi_log_format stops startup."""
    try:
        log_format % SAMPLE
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("%s: %s" % (type(exc).__name__, exc)) from None


def _keys(log_format):
    """The keys ``log_format`` uses."""
    used = set()

    class Recorder(dict):
        def __missing__(self, key):
            used.add(key)
            return SAMPLE[key]
    log_format % Recorder()
    return frozenset(used)


class PerSecond:
    """The text ``render(time.struct_time)`` makes of this second (UTC),
    made once a second: time stamps cost a request a comparison."""

    def __init__(self, render):
        self._render = render
        self._second = None
        self._text = None

    def __call__(self):
        second = int(time.time())
        if second != self._second:
            # The text before the second: another thread that sees the new
            # second also sees its text.
            self._text = self._render(time.gmtime(second))
            self._second = second
        return self._text


def _nova_time(now):
    """``date_time`` as nova writes it."""
    return "%02d/%s/%04d %02d:%02d:%02d" % (
        now.tm_mday, _MONTHS[now.tm_mon - 1], now.tm_year,
        now.tm_hour, now.tm_min, now.tm_sec)


class AccessLog:
    """The access log of one API (see the module docstring).

    ``line(record)`` takes any object with ``client_ip``, ``request_line``,
    ``code``, ``sentLength``, ``started`` (time.monotonic) and
    ``requestId`` (str or None).
    """

    def __init__(self, api, log_format, reactor):
        check_log_format(log_format)
        self.api = api
        self.format = log_format
        self.reactor = reactor
        self._dated = "date_time" in _keys(log_format)
        self._clock = PerSecond(_nova_time)
        # twistd's time stamp has whole seconds: made once a second, not at
        # each flush (under one client, a flush a request).
        self._stamp = PerSecond(
            lambda now: formatTime(calendar.timegm(now)))
        # Lines to write; pool threads append to it too (a deque's append
        # and popleft are atomic).
        self._pending = collections.deque()
        # Whether a flush is due at the end of the reactor's turn, and
        # whether a thread has asked the reactor for a flush of its batch.
        self._turnFlush = False
        self._batchAsked = False
        self._batchCall = None
        self._output = None
        self._system = SYSTEM
        _logs.add(self)

    def writeTo(self, output, tag=None):
        """Write lines to ``output`` (a text file) in twistd's format.

        ``tag`` starts the system field, as worker processes tag theirs.
        None: back to one log event per line.
        """
        self.flush()
        self._output = output
        self._system = "%s %s" % (tag, SYSTEM) if tag else SYSTEM

    def fields(self, record):
        """The format's values for ``record`` (a format ignores the keys it
        does not use: one dict made at once costs less than a test a key)."""
        fields = {"client_ip": record.client_ip,
                  "request_line": record.request_line,
                  "status_code": record.code,
                  "body_length": record.sentLength,
                  "wall_seconds": time.monotonic() - record.started}
        if self._dated:
            fields["date_time"] = self._clock()
        return fields

    def line(self, record, fromThread=False):
        """Log the line of a finished request; ``fromThread``: this is a
        pool thread, not the reactor's."""
        line = self.format % self.fields(record)
        if record.requestId:
            line = logs.request_prefix(record.requestId) + line
        if self._output is None:
            if fromThread:
                self.reactor.callFromThread(
                    access_log.info, "{line}", line=line, api=self.api)
            else:
                access_log.info("{line}", line=line, api=self.api)
            return
        self._pending.append(line)
        if fromThread:
            # Appended first, asked second: flush clears the flag before it
            # takes the lines, so a line it misses is asked for anew.
            if not self._batchAsked:
                self._batchAsked = True
                self.reactor.callFromThread(self._batchDue)
        elif not self._turnFlush:
            self._turnFlush = True
            self.reactor.callLater(0, self.flush)

    def _batchDue(self):
        """In the reactor: flush within ``BATCH`` seconds."""
        if self._batchCall is None or not self._batchCall.active():
            self._batchCall = self.reactor.callLater(BATCH, self.flush)

    def flush(self):
        """In the reactor: write the lines waiting, with one time stamp
        (they are that close).

        In writes of at most ``ATOMIC_WRITE`` characters that end with a line:
        worker processes share one pipe or file, and a write that size is
        never interleaved with another process's.
        """
        self._turnFlush = self._batchAsked = False
        pending = self._pending
        lines = []
        while pending:
            lines.append(pending.popleft())
        if lines:
            self._writeLines(lines)

    def _writeLines(self, lines):
        prefix = "%s [%s] " % (self._stamp(), self._system)
        piece = []
        size = 0
        try:
            for line in lines:
                line = prefix + line + "\n"
                if piece and size + len(line) > ATOMIC_WRITE:
                    self._write("".join(piece))
                    piece, size = [], 0
                piece.append(line)
                size += len(line)
            self._write("".join(piece))
        except (OSError, ValueError) as exc:
            # A closed or full log must not break serving.
            access_log.warn("cannot write the access log: {error}",
                            error=exc)

    def _write(self, text):
        self._output.write(text)
        self._output.flush()


#: Every AccessLog of the process, for flush_all.
_logs = weakref.WeakSet()


def flush_all():
    """In the reactor: write every access log's waiting lines now, for a
    process about to exit without stopping its reactor."""
    for access in list(_logs):
        access.flush()

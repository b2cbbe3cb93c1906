"""One log stream: Python's logging (oslo.*, the stacks) flows into Twisted's log.

twistd owns the output (stdout with ``-n``, or ``--logfile``); minova's host
logs through ``twisted.logger``. Libraries and the WSGI stacks log through
the standard library, so a handler forwards their records to Twisted's log
publisher, where twistd's observer writes them in the same format.

A line logged while a request is served starts with ``[request_id user
project]``, as oslo.log's context format does: the stacks keep the request's
context in oslo.context's thread-local store, and the WSGI container clears
it when the request is done (``forget_request``) so that a pool thread's
next lines do not carry an old id.

With ``--logfile`` minova opens twistd's log file itself (``LogFile``, set
on twistd's application as its log observer, which twistd documents): the
same file, format and rotation as twistd's, opened for appending so that
worker processes, which write to it directly, never overwrite a line, and
telling minova when it rotated (SIGUSR1, or twistd's 1 MB size limit) so
that the workers reopen it too.
"""

import fcntl
import logging
import os
import sys

from oslo_context import context as oslo_context
from twisted.logger import Logger, LogLevel
from twisted.python import logfile

from minova_tw import compat

_LEVELS = (
    (logging.CRITICAL, LogLevel.critical),
    (logging.ERROR, LogLevel.error),
    (logging.WARNING, LogLevel.warn),
    (logging.INFO, LogLevel.info),
)


def _twisted_level(levelno):
    for threshold, level in _LEVELS:
        if levelno >= threshold:
            return level
    return LogLevel.debug


def request_prefix(request_id, user_id=None, project_id=None):
    """``[req-... user project] ``: what starts a line logged for a request."""
    return "[%s %s %s] " % (request_id, user_id or "-", project_id or "-")


def forget_request():
    """Drop the finished request's context from this thread's store."""
    compat.forget_oslo_context()


class TwistedLogHandler(logging.Handler):
    """Forwards standard-library log records to Twisted's global log publisher."""

    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:  # a broken record must not break the request
            self.handleError(record)
            return
        current = oslo_context.get_current()
        if current is not None:
            text = request_prefix(current.request_id, current.user_id,
                                  current.project_id) + text
        Logger(namespace=record.name).emit(
            _twisted_level(record.levelno), "{text}", text=text)


#: Libraries whose INFO lines describe their own machinery (alembic lists
#: its plugins at every start): WARNING and up unless [DEFAULT] debug.
QUIET_LIBRARIES = ("alembic",)


#: The handler ``setup`` put on the root logger in this process, if any.
_handler = None


def setup(debug):
    """Route the standard library's root logger into Twisted's log, once per process.

    A hosted project may set up logging of its own when its entry module
    is imported: oslo.log (nova, placement, keystone) removes every root
    handler, minova's included, and installs its own. From then on the
    project owns Python logging in this process, as under uWSGI: minova
    never removes its handlers, never puts its own back (a SIGHUP reload
    calls this again, and a second handler would log every line twice),
    and leaves the levels to it. While minova's handler is on the root
    logger, ``debug`` sets the levels, at start-up and at each reload.
    """
    global _handler
    root = logging.getLogger()
    if _handler is None:
        _handler = TwistedLogHandler()
        _handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(_handler)
    elif _handler not in root.handlers:
        return
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(
            logging.NOTSET if debug else logging.WARNING)


def log_options(conf):
    """Log every option's value once, secrets masked, when [DEFAULT] log_options.

    At DEBUG, as nova-api does: ``debug = true`` shows them.
    """
    if conf.log_options:
        conf.log_opt_values(logging.getLogger("minova.options"),
                            logging.DEBUG)


class LogFile(logfile.LogFile):
    """twistd's log file, in append mode, calling ``onRotate`` after each rotation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.onRotate = []
        append(compat.log_file_descriptor(self))

    def reopen(self):
        super().reopen()
        append(compat.log_file_descriptor(self))

    def rotate(self):
        super().rotate()
        append(compat.log_file_descriptor(self))
        for listener in self.onRotate:
            listener()


def append(fd):
    """Make every write to ``fd`` go to the end of its file (O_APPEND)."""
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) | os.O_APPEND)


def reopen_output(path):
    """Point this process's stdout and stderr at ``path`` (a worker, after a rotation)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)

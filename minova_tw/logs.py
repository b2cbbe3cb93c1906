"""One log stream: Python's logging (oslo.*, the stacks) flows into Twisted's log.

twistd owns the output (stdout with ``-n``, or ``--logfile``); minova's host
logs through ``twisted.logger``. Libraries and the WSGI stacks log through
the standard library, so a handler forwards their records to Twisted's log
publisher, where twistd's observer writes them in the same format.
"""

import logging

from twisted.logger import Logger, LogLevel

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


class TwistedLogHandler(logging.Handler):
    """Forwards standard-library log records to Twisted's global log publisher."""

    def emit(self, record):
        try:
            text = self.format(record)
        except Exception:  # a broken record must not break the request
            self.handleError(record)
            return
        Logger(namespace=record.name).emit(
            _twisted_level(record.levelno), "{text}", text=text)


def setup(debug):
    """Route the standard library's root logger into Twisted's log, once."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    if not any(isinstance(h, TwistedLogHandler) for h in root.handlers):
        handler = TwistedLogHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)

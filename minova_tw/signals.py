"""A process's signals, turned into reactor work (twistd's process, workers)."""

import signal

from twisted.application import service
from twisted.internet import defer, error
from twisted.logger import Logger

from minova_tw import reactors

log = Logger(namespace="minova.service")


class ProcessSignals(service.Service):
    """Turns this process's signals into reactor work (twistd's process, workers).

    ``handlers`` maps a signal to what the reactor thread runs when it
    arrives, or to None to ignore it; ``STOP`` stops the reactor, so
    services drain and twistd exits 0 (twistd's own SIGTERM handling would
    end it with the signal, status 143). The handlers are installed once
    the reactor runs (replacing the reactor's own) and only hand the work
    to the reactor thread: logging or reading files inside a signal
    handler is not safe.

    For a signal in ``chained``, a Python handler found there at install
    time is called too, after the work is handed over: a hosted project's
    entry module may have registered one when it was imported (nova's
    Guru Meditation Report on SIGUSR2, from oslo.reports), and the project
    keeps what is its own.
    """

    STOP = "stop"

    def __init__(self, handlers, reactor=None, chained=()):
        self.handlers = handlers
        self.reactor = reactor
        self.chained = frozenset(chained)
        self._installed = defer.Deferred()

    def whenReady(self):
        """Fires once the handlers are installed."""
        done = defer.Deferred()
        self._installed.addCallback(lambda r: done.callback(r) or r)
        return done

    def startService(self):
        super().startService()
        self.reactor = reactors.resolve(self.reactor)
        self.reactor.callWhenRunning(self._install)

    def _install(self):
        for signum, work in self.handlers.items():
            if work is None:
                signal.signal(signum, signal.SIG_IGN)
            else:
                if work == self.STOP:
                    work = self._stop
                previous = None
                if signum in self.chained:
                    previous = signal.getsignal(signum)
                    if not callable(previous):  # SIG_DFL, SIG_IGN, None
                        previous = None
                    else:
                        log.info("{signal} also runs the handler the "
                                 "hosted app registered: {handler}",
                                 signal=signal.Signals(signum).name,
                                 handler=getattr(previous, "__qualname__",
                                                 repr(previous)))
                signal.signal(signum, self._handler(work, previous))
        self._installed.callback(None)

    def _handler(self, work, previous=None):
        def handle(signum, frame):
            self.reactor.callFromThread(work)
            if previous is not None:
                previous(signum, frame)
        return handle

    def _stop(self):
        stop_reactor(self.reactor)


def stop_reactor(reactor):
    """Stop ``reactor`` unless it is stopping already."""
    try:
        reactor.stop()
    except error.ReactorNotRunning:
        pass

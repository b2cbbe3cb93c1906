"""minova_tw.signals.ProcessSignals: work handed to the reactor, a hosted app's handler kept."""

import signal

import pytest

from minova_tw import signals


class Reactor:
    """What ProcessSignals uses of a reactor: runs at once, records hand-offs."""

    def __init__(self):
        self.handedOver = []

    def callWhenRunning(self, f):
        f()

    def callFromThread(self, f):
        self.handedOver.append(f)


@pytest.fixture
def project_handler():
    """A SIGUSR2 handler registered before minova's, as oslo.reports does."""
    seen = []
    saved = signal.signal(signal.SIGUSR2, lambda signum, frame: seen.append(
        signum))
    yield seen
    signal.signal(signal.SIGUSR2, saved)


def work():
    """minova's own report, in these tests."""


def test_a_chained_signal_runs_the_handler_found_after_handing_over(
        project_handler):
    reactor = Reactor()
    signals.ProcessSignals({signal.SIGUSR2: work}, reactor,
                           chained=[signal.SIGUSR2]).startService()
    signal.raise_signal(signal.SIGUSR2)
    assert reactor.handedOver == [work]
    assert project_handler == [signal.SIGUSR2]


def test_a_signal_not_chained_replaces_the_handler_found(project_handler):
    reactor = Reactor()
    signals.ProcessSignals({signal.SIGUSR2: work}, reactor).startService()
    signal.raise_signal(signal.SIGUSR2)
    assert reactor.handedOver == [work] and project_handler == []


def test_chaining_without_a_handler_found_hands_over_only():
    saved = signal.signal(signal.SIGUSR2, signal.SIG_DFL)
    try:
        reactor = Reactor()
        signals.ProcessSignals({signal.SIGUSR2: work}, reactor,
                               chained=[signal.SIGUSR2]).startService()
        signal.raise_signal(signal.SIGUSR2)
        assert reactor.handedOver == [work]
    finally:
        signal.signal(signal.SIGUSR2, saved)

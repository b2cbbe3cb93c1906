"""The reactor a minova object was given, or the global one.

Services, sites and resources take an optional reactor (tests pass their
own); without one they use the global reactor, imported only when first
needed: twistd, a worker and ``minova_tw.tls.install_twisted`` choose and
install it after minova's modules are imported.
"""


def resolve(reactor=None):
    """``reactor``, or the global one, imported only once it is installed."""
    if reactor is None:
        from twisted.internet import reactor
    return reactor

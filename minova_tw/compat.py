"""The private parts of Twisted and oslo.context that minova relies on, in one place.

minova's host takes a few shortcuts through Twisted's internals on its hot
path (a request read and answered without a reactor turn), and reads or
overrides a few private attributes where Twisted has no public way to say
what minova needs. Each is a small function here, whose docstring names
the private thing, why minova uses it and the release it was verified
against. ``tests/unit/test_compat.py`` exercises each on real Twisted
objects and fails loudly when a release moves or changes one, and checks
that no other module of minova touches them.

Verified against Twisted 24.7.0, 25.5.0, 26.4.0 and 26.10.0, oslo.context 6.x.
twisted.web, pyOpenSSL and h2 are imported by the functions that need
them: a process that does not serve them must not load them.
"""

import functools
import socket

from oslo_context import context as oslo_context
from twisted.internet import error
from twisted.python.failure import Failure


# Plain TCP transports (twisted.internet.tcp.Connection)

def read_now(transport):
    """Read what the socket holds now, as the transport's next doRead would.

    Reads ``transport.socket`` directly with ``transport.bufferSize``: the
    channel reads the request sent with the connection at once, instead of
    waiting a reactor turn for the reactor to report it. Raises OSError
    (BlockingIOError) when nothing is there; b"" is the end of the stream.
    """
    return transport.socket.recv(transport.bufferSize)


def nothing_buffered(transport):
    """True when the transport holds no data waiting to be sent.

    Twisted's FileDescriptor keeps writes in ``_tempDataBuffer`` (counted by
    ``_tempDataLen``) until its next doWrite joins them onto ``dataBuffer``;
    both empty means a write now would not overtake anything.
    """
    return not transport._tempDataLen and not transport.dataBuffer


def write_now(transport, data):
    """Send ``data`` on the socket now: the count sent, or the error if lost.

    ``writeSomeData`` is the transport's own send, which its doWrite calls
    on the reactor's turn; calling it now saves that turn and the epoll
    registrations around it. What it did not send is the caller's to write;
    a lost connection is a ConnectionLost instance (not raised), which the
    transport's own write then finds too.
    """
    return transport.writeSomeData(data)


def shut_down(transport):
    """Shut the connection's socket down both ways, without closing it.

    The client sees the connection end at once, and a thread still
    holding the descriptor (a leased connection's, minova_tw.http11) finds
    it ended rather than find it closed, or reused by a new connection.
    """
    try:
        transport.socket.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


#: The reason every connection closed here gives: one Failure, made once
#: (a Failure's type names are worked out, and kept, on its first check).
_DONE = Failure(error.ConnectionDone())


def close_now(transport):
    """Close the connection now, as the reactor does once it is written out.

    ``loseConnection`` waits for the socket to be writable before it calls
    the transport's ``connectionLost``; with nothing buffered, calling it
    now closes the socket, stops reading and tells the protocol
    (ConnectionDone) without that turn.
    """
    transport.connectionLost(_DONE)


def let_go(transport):
    """Close this process's descriptor of a connection another process
    now serves (minova_tw.balance), leaving the connection up.

    Twisted's TCP ``connectionLost`` stops reading and writing (taking the
    descriptor out of epoll), then shuts the socket down before it closes
    it unless the private ``_shouldShutdown`` is off; a shutdown would end
    the connection for the process that has it now, so it is turned off.
    The protocol is told ConnectionDone.
    """
    transport._shouldShutdown = False
    transport.connectionLost(_DONE)


# twisted.web

def request_disconnected(request):
    """Whether the connection of a twisted.web Request is gone.

    ``Request._disconnected`` turns True in its connectionLost; a response
    written after that raises, and ``finished`` stays False for a request
    whose client left.
    """
    return request._disconnected


def h2_connection(reactor, site):
    """A twisted.web H2Connection that serves ``site`` on ``reactor``.

    H2Connection lives in the private ``twisted.web._http2``; twisted.web
    builds it inside its own HTTP channel, which minova's HTTP/1.1 channel
    replaces, so minova builds it itself after ALPN chose h2, with the
    attributes twisted.web's channel sets on it.
    """
    from twisted.web._http2 import H2Connection
    h2 = H2Connection(reactor)
    h2.requestFactory = site.requestFactory
    h2.site = site
    h2.factory = site
    h2.timeOut = site.timeOut
    h2.callLater = reactor.callLater
    return h2


# twisted.protocols.tls

@functools.lru_cache(maxsize=None)
def closing_tls_transport():
    """A BufferingTLSTransport that closes TCP once it said close_notify.

    Twisted waits for the client's close_notify first; a keep-alive client
    idle between requests is not reading and never sends one, so a
    draining server would keep its connection until the deadline (forever
    with graceful_shutdown_timeout = 0). TLS lets the side that closes stop
    there (RFC 8446, section 6.1). Twisted has no option for it: this
    overrides the private ``_shutdownTLS``, which sends close_notify.
    Imports pyOpenSSL (the base class needs it).
    """
    from twisted.protocols.tls import BufferingTLSTransport

    class ClosingTLSTransport(BufferingTLSTransport):
        def _shutdownTLS(self):
            super()._shutdownTLS()
            self.transport.loseConnection()

    return ClosingTLSTransport


# twisted.python.logfile

def log_file_descriptor(log_file):
    """The descriptor of the file a twisted.python.logfile.LogFile writes.

    LogFile keeps its open file in the private ``_file``, replaced on each
    rotate and reopen; minova sets O_APPEND on it, so that the workers
    writing to the same file never overwrite each other.
    """
    return log_file._file.fileno()


# oslo.context

def forget_oslo_context():
    """Drop this thread's current oslo.context RequestContext.

    oslo.context keeps the last RequestContext made in a thread in the
    module's private ``_request_store`` (a threading.local) and has no
    public call to clear it; a pool thread would otherwise hold the
    finished request's context, and log lines with its ids, until its
    next request.
    """
    oslo_context._request_store.context = None

"""Even shares of kept connections across the worker processes of one API.

The kernel spreads new connections over the workers' SO_REUSEPORT sockets
by a hash of their addresses, not by load: eight keep-alive connections
over two workers land 5/3 or 6/2 more often than 4/4, and for as long as
they stay open the worker with more serves the larger share of the
requests while the other idles (bench/: two processes at 8 connections
ranged from 0.66x to 1.15x uWSGI by the split alone).

So the workers of a pool share a table (``TABLE`` in a private directory
the parent makes, ``prepare``): one slot per worker, with its pid and how
many connections it holds open. After each of the first few responses
(minova_tw.site.MOVE_CHECKS) on a plain TCP connection it accepted, while
the connection stays open with nothing of its next request read and
nothing left to send, a worker passes the connection on when it holds at
least two more than the sibling with fewest: the socket goes to that
sibling over a unix datagram socket (SCM_RIGHTS), which serves it from
then on as if it had accepted it. Asking after a few responses rather than
one catches a burst of new connections whose counts were still rising at
the first. A connection moves at most once and only between requests, so
no exchange spans two processes and the client sees one connection. What
never moves: TLS connections (their session lives in the process),
HTTP/2, and ``Connection: close`` traffic, whose connections are never
kept.

The table is advice, read without locks: a stale count moves a connection
too many or too few, never loses one. A sibling that is gone refuses the
datagram, and the connection stays.
"""

import array
import errno
import mmap
import os
import socket

from twisted.logger import Logger

log = Logger(namespace="minova.balance")

#: The table's file in the pool's directory: per slot, the pid of the
#: worker that serves it (0: none) and its open connections, as two
#: unsigned native ints.
TABLE = "load"
_FIELDS = 2
#: A connection moves when its worker holds this many more than the
#: sibling with fewest: one more is as even as an odd total gets.
MARGIN = 2


def prepare(directory, count):
    """In the parent: the table of a pool of ``count`` workers, all empty."""
    with open(os.path.join(directory, TABLE), "wb") as table:
        table.write(bytes(_FIELDS * 4 * count))


def inbox_path(directory, pid):
    """Where the worker ``pid`` of the pool receives connections."""
    return os.path.join(directory, str(pid))


class Balancer:
    """One worker's part: its slot of the table and its inbox.

    ``start(site)`` claims the slot and reads the inbox from the reactor;
    the site reports its open connections (``holding``), asks whether a
    connection should move (``crowded``) and moves it (``move``); sockets
    that arrive go to the site's ``adopt``. ``leave`` takes the worker out
    of the table when it begins to stop; ``close`` ends the inbox once it
    drained. ``pid`` names the inbox: this process's, unless a test runs
    two in one process.
    """

    def __init__(self, directory, slot, reactor, pid=None):
        self.directory = directory
        self.slot = slot
        self.reactor = reactor
        self.pid = os.getpid() if pid is None else pid
        fd = os.open(os.path.join(directory, TABLE), os.O_RDWR)
        try:
            self._map = mmap.mmap(fd, 0)
        finally:
            os.close(fd)
        self._table = memoryview(self._map).cast("I")
        self._slots = len(self._table) // _FIELDS
        self._path = inbox_path(directory, self.pid)
        self._inbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._inbox.bind(self._path)
        self._inbox.setblocking(False)
        self._outbox = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._outbox.setblocking(False)
        self._leaving = False
        self.site = None

    # The table

    def start(self, site):
        """Serve ``site``: claim the slot, take connections siblings send."""
        self.site = site
        site.balancer = self
        self._claim(len(site.channels))
        self.reactor.addReader(self)

    def _claim(self, count):
        base = self.slot * _FIELDS
        self._table[base + 1] = count
        self._table[base] = self.pid

    def holding(self, count):
        """The site holds ``count`` connections now.

        A new worker of the same slot (a rolling reload) takes the slot
        over; the old one, draining, then leaves it alone. A slot left
        empty by a worker that stopped while this one started is claimed
        again here.
        """
        base = self.slot * _FIELDS
        owner = self._table[base]
        if owner == self.pid:
            self._table[base + 1] = count
        elif owner == 0 and not self._leaving:
            self._claim(count)

    def crowded(self):
        """The pid of the sibling to move a connection to, or None: the one
        with fewest connections, when this worker holds ``MARGIN`` more."""
        table = self._table
        mine = table[self.slot * _FIELDS + 1]
        target, fewest = None, mine - MARGIN
        for slot in range(self._slots):
            base = slot * _FIELDS
            pid = table[base]
            if (slot != self.slot and pid and pid != self.pid
                    and table[base + 1] <= fewest):
                target, fewest = pid, table[base + 1]
        return target

    def leave(self):
        """This worker stops: siblings send it nothing more."""
        self._leaving = True
        base = self.slot * _FIELDS
        if self._table[base] == self.pid:
            self._table[base] = 0

    # Moving a connection out

    def move(self, fd):
        """Send the connected socket ``fd`` to the least loaded sibling.

        True when a sibling has it now (the caller then closes its own
        descriptor without ending the connection); False when this worker
        keeps it: no sibling has fewer enough, or the one chosen is gone.
        """
        pid = self.crowded()
        if pid is None:
            return False
        try:
            # Not socket.send_fds: before Python 3.12 it drops the address.
            self._outbox.sendmsg(
                [b"c"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                          array.array("i", [fd]))],
                0, inbox_path(self.directory, pid))
        except OSError:
            return False
        return True

    # The inbox (an IReadDescriptor)

    def fileno(self):
        return self._inbox.fileno()

    def logPrefix(self):
        return "balance"

    def doRead(self):
        """Serve each connection a sibling sent."""
        while True:
            try:
                _, fds, _, _ = socket.recv_fds(self._inbox, 16, 4)
            except OSError:
                return
            for fd in fds:
                self._adopt(fd)

    def _adopt(self, fd):
        try:
            sock = socket.socket(fileno=fd)
        except OSError:  # not a socket
            os.close(fd)
            return
        try:
            if (sock.type == socket.SOCK_STREAM
                    and sock.family in (socket.AF_INET, socket.AF_INET6)):
                sock.setblocking(False)
                self.site.adopt(sock)
        except OSError as error:
            # A client that reset the connection while it moved (a
            # balancer's health check, done with its answer) left nothing
            # to serve: the reactor finds no peer address to adopt.
            if error.errno != errno.ENOTCONN:
                log.failure("a connection from a sibling worker could not "
                            "be served")
        finally:
            sock.close()

    def connectionLost(self, reason):
        pass

    def close(self):
        """Close the inbox: the site drained, and the worker exits.

        Siblings stopped sending when it began to stop (``leave``); a
        socket sent in the moment before that was served in the drain.
        """
        if self._inbox.fileno() == -1:
            return
        self.leave()
        self.reactor.removeReader(self)
        self._inbox.close()
        self._outbox.close()
        try:
            os.unlink(self._path)
        except OSError:
            pass

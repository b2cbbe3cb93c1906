"""minova_tw.balance: the shared table's rules, and a real socket moved between two inboxes.

Two Balancers in one process stand for two workers (each names its inbox
by the ``pid`` it is given); the connection moved is a real loopback TCP
connection, which must still carry data both ways once the sender closed
its descriptor.
"""

import os
import select
import socket
import struct

import pytest
from twisted.internet.testing import MemoryReactor
from twisted.logger import capturedLogs

from minova_tw import balance

DEADLINE = 10


class Site:
    """What a Balancer needs of an APISite: its open connections, and adopt."""

    def __init__(self, open_connections=0):
        self.channels = frozenset(range(open_connections))
        self.balancer = None
        self.adopted = []

    def adopt(self, sock):
        # The reactor reads the peer's address first (OSError when the
        # client has gone); the Balancer closes ``sock`` after this: keep
        # a copy, as the reactor does.
        sock.getpeername()
        self.adopted.append(sock.dup())


@pytest.fixture
def pool(tmp_path):
    """pool(count) -> make(slot, pid): Balancers of one pool of ``count``."""
    made = []

    def start(count):
        balance.prepare(str(tmp_path), count)

        def make(slot, pid, open_connections=0):
            balancer = balance.Balancer(str(tmp_path), slot, MemoryReactor(),
                                        pid=pid)
            balancer.start(Site(open_connections))
            made.append(balancer)
            return balancer
        return make
    yield start
    for balancer in made:
        balancer.close()
        for sock in balancer.site.adopted:
            sock.close()


def table(tmp_path):
    data = (tmp_path / balance.TABLE).read_bytes()
    return struct.unpack("%dI" % (len(data) // 4), data)


def test_prepare_makes_an_empty_table_of_one_slot_per_worker(tmp_path):
    balance.prepare(str(tmp_path), 3)
    assert table(tmp_path) == (0, 0) * 3


def test_start_claims_the_slot_and_reads_the_inbox(pool, tmp_path):
    make = pool(2)
    first = make(0, 101, open_connections=2)
    assert table(tmp_path) == (101, 2, 0, 0)
    assert first.site.balancer is first
    assert first in first.reactor.getReaders()
    assert os.path.exists(balance.inbox_path(str(tmp_path), 101))


def test_a_connection_moves_only_to_a_sibling_two_fewer(pool):
    make = pool(3)
    mine, other, third = make(0, 101), make(1, 102), make(2, 103)
    mine.holding(5)
    other.holding(4)
    third.holding(4)
    assert mine.crowded() is None  # 5 against 4: as even as 9 gets
    other.holding(3)
    assert mine.crowded() == 102
    third.holding(2)
    assert mine.crowded() == 103  # the one with fewest
    assert other.crowded() is None and third.crowded() is None


def test_a_worker_that_left_or_never_came_takes_nothing(pool, tmp_path):
    make = pool(3)
    mine, other = make(0, 101), make(1, 102)  # slot 2: no worker yet
    mine.holding(4)
    other.holding(0)
    assert mine.crowded() == 102
    other.leave()
    assert table(tmp_path)[2:4] == (0, 0)
    assert mine.crowded() is None
    other.holding(1)  # it still serves, draining: the slot stays empty
    assert table(tmp_path)[2] == 0


def test_a_new_worker_of_the_slot_takes_it_over_from_the_old(pool, tmp_path):
    make = pool(2)
    old = make(0, 101, open_connections=3)
    new = make(0, 201)  # a rolling reload's replacement
    assert table(tmp_path)[:2] == (201, 0)
    old.holding(2)  # the old one drains: its counts are no longer the slot's
    assert table(tmp_path)[:2] == (201, 0)
    old.leave()
    assert table(tmp_path)[:2] == (201, 0)
    new.holding(1)
    assert table(tmp_path)[:2] == (201, 1)


def test_a_slot_emptied_under_a_running_worker_is_claimed_again(
        pool, tmp_path):
    make = pool(2)
    worker = make(0, 101)
    (tmp_path / balance.TABLE).write_bytes(bytes(16))  # an old one's leave
    worker.holding(3)
    assert table(tmp_path) == (101, 3, 0, 0)


def test_a_moved_connection_is_served_by_the_sibling(pool,
                                                    loopback_connection):
    client, accepted = loopback_connection
    make = pool(2)
    sender, receiver = make(0, 101), make(1, 102)
    sender.holding(3)
    assert sender.move(accepted.fileno())
    accepted.close()  # the sender lets go of its descriptor
    assert select.select([receiver], [], [], DEADLINE)[0]
    receiver.doRead()
    [moved] = receiver.site.adopted
    assert moved.getpeername() == client.getsockname()
    assert not moved.getblocking()
    client.sendall(b"GET / HTTP/1.1\r\n\r\n")
    assert select.select([moved], [], [], DEADLINE)[0]
    assert moved.recv(100) == b"GET / HTTP/1.1\r\n\r\n"
    moved.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
    assert client.recv(100) == b"HTTP/1.1 204 No Content\r\n\r\n"


def test_a_connection_its_client_reset_while_moving_is_dropped_quietly(
        pool, loopback_connection):
    client, accepted = loopback_connection
    make = pool(2)
    sender, receiver = make(0, 101), make(1, 102)
    sender.holding(3)
    assert sender.move(accepted.fileno())
    accepted.close()
    # The client goes (RST) before the sibling reads its inbox.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                      struct.pack("ii", 1, 0))
    client.close()
    assert select.select([receiver], [], [], DEADLINE)[0]
    with capturedLogs() as events:
        receiver.doRead()
    assert receiver.site.adopted == []
    assert events == []  # a client that left is no failure


def test_no_move_when_the_sibling_chosen_is_gone(pool, tmp_path,
                                                loopback_connection):
    _, accepted = loopback_connection
    make = pool(2)
    sender, gone = make(0, 101), make(1, 102)
    sender.holding(3)
    gone.close()  # its process died: its inbox is no more
    # Its slot still names it (a crash leaves it there until the respawn).
    (tmp_path / balance.TABLE).write_bytes(struct.pack("4I", 101, 3, 102, 0))
    assert sender.crowded() == 102
    assert not sender.move(accepted.fileno())


def test_the_inbox_serves_only_tcp_connections(pool, tmp_path):
    make = pool(2)
    receiver = make(1, 102)
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender, \
            open(tmp_path / balance.TABLE, "rb") as not_a_socket:
        local = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sender.connect(balance.inbox_path(str(tmp_path), 102))
        socket.send_fds(sender, [b"c"], [not_a_socket.fileno(),
                                         local.fileno()])
        local.close()
    receiver.doRead()
    assert receiver.site.adopted == []


def test_close_ends_the_inbox_and_leaves_the_table(pool, tmp_path):
    make = pool(2)
    worker = make(1, 102, open_connections=1)
    worker.close()
    assert worker not in worker.reactor.getReaders()
    assert not os.path.exists(balance.inbox_path(str(tmp_path), 102))
    assert table(tmp_path)[2] == 0
    worker.close()  # again: nothing to do

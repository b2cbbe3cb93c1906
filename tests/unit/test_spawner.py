"""minova_tw.spawner: supervision, back-off and replacement, on a fake clock.

A MemoryReactorClock that records spawnProcess calls stands in for real
processes; the test plays each worker by feeding its protocol control lines
("ready", "recycle") and process endings.
"""

import signal
import socket

import pytest
from twisted.internet import error
from twisted.internet.testing import MemoryReactorClock
from twisted.python.failure import Failure

from minova_tw import conf, spawner, workerproto
from minova_tw.sockets import Adopted


class FakeTransport:
    def __init__(self, pid):
        self.pid = pid
        self.signals = []

    def signalProcess(self, name):
        self.signals.append(name)


class ProcessReactor(MemoryReactorClock):
    def __init__(self):
        super().__init__()
        self.spawned = []

    def spawnProcess(self, protocol, executable, args, env=None, path=None,
                     uid=None, gid=None, usePTY=False, childFDs=None):
        protocol.makeConnection(FakeTransport(1000 + len(self.spawned)))
        self.spawned.append((protocol, args, childFDs, env))
        return protocol.transport


def exited(worker, code=0, signum=None):
    reason = (error.ProcessTerminated(code, signum) if code or signum
              else error.ProcessDone(0))
    worker.processEnded(Failure(reason))


@pytest.fixture
def pool(tmp_path):
    config = tmp_path / "api.conf"
    config.write_text("[wsgi]\nworker_max_requests = 100\n"
                      "worker_max_requests_jitter = 10\n")
    sockets = [socket.socket(), socket.socket()]
    reactor = ProcessReactor()
    pool = spawner.WorkerPool(conf.load([str(config)]), "osapi_compute",
                              Adopted(*sockets), 2, reactor)
    pool.startService()
    yield pool
    for sock in sockets + [slot.socket for slot in pool.slots]:
        if sock is not None:
            sock.close()


def test_each_slot_gets_its_socket_fds_and_arguments(pool):
    (first, args, fds, env), (second, _, fds1, _) = pool.reactor.spawned
    assert fds[workerproto.LISTEN_FD] == pool.slots[0].socket.fileno()
    assert fds1[workerproto.LISTEN_FD] == pool.slots[1].socket.fileno()
    assert fds[0] == "w" and fds[workerproto.CONTROL_FD] == "r"
    assert args[1:3] == ["-m", "minova_tw.worker"]
    limit = int(args[args.index("--max-requests") + 1])
    assert 100 <= limit <= 110
    assert "--reactor" not in args  # the memory reactor has no twistd name
    assert "NOTIFY_SOCKET" not in env and "LISTEN_PID" not in env


def test_ready_fires_once_every_slot_said_so(pool):
    ready = pool.whenReady()
    first, second = (p for p, *_ in pool.reactor.spawned)
    first.childDataReceived(workerproto.CONTROL_FD, b"rea")
    first.childDataReceived(workerproto.CONTROL_FD, b"dy\n")
    assert not ready.called
    second.childDataReceived(workerproto.CONTROL_FD, b"ready\n")
    assert ready.called


def test_a_dead_worker_is_respawned_with_doubling_back_off(pool):
    reactor = pool.reactor
    delays = []
    for _ in range(4):
        worker = pool.slots[0].worker
        exited(worker, signum=signal.SIGKILL)
        assert pool.slots[0].worker is None
        delay = pool.slots[0].respawn.getTime() - reactor.seconds()
        delays.append(delay)
        reactor.advance(delay)
        assert pool.slots[0].worker is not worker
    assert delays == [1, 2, 4, 8]
    # A worker that lived long enough resets the back-off.
    reactor.advance(spawner.RESTART_THRESHOLD)
    exited(pool.slots[0].worker, code=1)
    assert pool.slots[0].respawn.getTime() - reactor.seconds() == 1


def rebinding_pool(pool):
    """``pool`` with a rebind that makes (and records) fresh sockets."""
    fresh = []

    def rebind():
        fresh.append(socket.socket())
        return fresh[-1]
    pool.rebind = rebind
    return fresh


def test_a_dead_slots_socket_closes_until_its_respawn(pool):
    fresh = rebinding_pool(pool)
    first = pool.slots[0].socket
    exited(pool.slots[0].worker, signum=signal.SIGKILL)
    # Slot 1 has a worker: slot 0's socket takes no new clients meanwhile.
    assert first.fileno() == -1 and pool.slots[0].socket is None
    assert pool.address == pool.slots[1].socket.getsockname()[:2]
    pool.reactor.advance(1)
    assert pool.slots[0].socket is fresh[0]
    protocol, _, fds, _ = pool.reactor.spawned[-1]
    assert protocol is pool.slots[0].worker
    assert fds[workerproto.LISTEN_FD] == fresh[0].fileno()


def test_the_last_open_socket_stays_while_every_worker_is_dead(pool):
    fresh = rebinding_pool(pool)
    second = pool.slots[1].socket
    exited(pool.slots[0].worker, signum=signal.SIGKILL)
    pool.reactor.advance(0.5)
    exited(pool.slots[1].worker, signum=signal.SIGKILL)
    assert pool.slots[0].socket is None and second.fileno() != -1
    pool.reactor.advance(0.5)  # slot 0 is back on a fresh socket: close 1's
    assert pool.slots[0].socket is fresh[0] and pool.slots[1].socket is None
    assert second.fileno() == -1
    pool.reactor.advance(0.5)
    assert pool.slots[1].socket is fresh[1] and all(slot.worker for slot in pool.slots)


def test_a_socket_that_cannot_be_bound_again_delays_the_respawn(pool):
    def rebind():
        raise conf.ConfigError("[DEFAULT] osapi_compute_listen_port: no")
    pool.rebind = rebind
    exited(pool.slots[0].worker, signum=signal.SIGKILL)
    pool.reactor.advance(1)
    assert pool.slots[0].worker is None
    assert pool.slots[0].respawn.getTime() - pool.reactor.seconds() == 2
    replaced = pool.replace(0)
    failures = []
    replaced.addErrback(failures.append)
    assert "cannot listen again" in str(failures[0].value)


def test_shared_sockets_stay_open_while_a_slot_respawns(pool):
    exited(pool.slots[0].worker, signum=signal.SIGKILL)
    assert pool.slots[0].socket.fileno() != -1  # no rebind: systemd's socket


def test_exits_are_described_with_status_or_signal():
    assert spawner.describe_exit(Failure(error.ProcessDone(0))) == \
        "exited with status 0"
    assert spawner.describe_exit(Failure(error.ProcessTerminated(3))) == \
        "exited with status 3"
    killed = Failure(error.ProcessTerminated(None, signal.SIGKILL))
    assert spawner.describe_exit(killed) == \
        "killed by signal SIGKILL (out of memory?)"
    assert spawner.describe_exit(killed, killed_by_us=True) == \
        "killed by signal SIGKILL"


def test_recycle_starts_the_replacement_before_retiring_the_old(pool):
    old = pool.slots[0].worker
    old.childDataReceived(workerproto.CONTROL_FD, b"recycle\n")
    new = pool.slots[0].replacement
    assert old.transport.signals == []
    new.childDataReceived(workerproto.CONTROL_FD, b"ready\n")
    assert pool.slots[0].worker is new and old.transport.signals == ["TERM"]
    exited(old)
    assert pool.slots[0].worker is new and not any(slot.respawn for slot in pool.slots)


def test_a_replacement_that_dies_keeps_the_old_worker(pool):
    old = pool.slots[1].worker
    replaced = pool.replace(1)
    failures = []
    replaced.addErrback(failures.append)
    exited(pool.slots[1].replacement, code=workerproto.BOOT_ERROR)
    assert failures[0].check(spawner.WorkerFailed)
    assert "exited with status 3 before it was ready" in str(
        failures[0].value)
    assert pool.slots[1].worker is old and old.transport.signals == []
    assert not any(slot.respawn for slot in pool.slots)


def test_stop_closes_the_sockets_and_waits_for_every_worker(pool):
    workers = list(pool.processes)
    stopped = pool.stopService()
    assert all(slot.socket.fileno() == -1 for slot in pool.slots)
    assert all(w.transport.signals == ["TERM"] for w in workers)
    exited(workers[0])
    assert not stopped.called
    pool.reactor.advance(pool.conf.graceful_shutdown_timeout
                         + spawner.KILL_MARGIN)
    assert workers[1].transport.signals == ["TERM", "KILL"]
    exited(workers[1], signum=signal.SIGKILL)
    assert stopped.called and not any(slot.respawn for slot in pool.slots)


def test_reactor_name_matches_twistds_names():
    from twisted.internet import pollreactor
    assert spawner.reactor_name(pollreactor.PollReactor()) == "poll"
    assert spawner.reactor_name(MemoryReactorClock()) is None

"""tests/functional/dbrelay.py: the relay forwards, goes silent, refuses, heals and stops."""

import socket
import threading

import pytest

from tests.functional.dbrelay import Relay


@pytest.fixture
def echo():
    """An echo server on a free loopback port: its port."""
    server = socket.create_server(("127.0.0.1", 0))
    conns = []

    def serve():
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conns.append(conn)
            threading.Thread(target=echo_back, args=(conn,),
                             daemon=True).start()

    def echo_back(conn):
        while True:
            try:
                data = conn.recv(4096)
            except OSError:
                return
            if not data:
                return
            conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    server.shutdown(socket.SHUT_RDWR)
    server.close()
    thread.join(5)
    for conn in conns:
        conn.close()


def roundtrip(sock, data=b"ping"):
    sock.sendall(data)
    return sock.recv(4096)


def test_forward_silence_restore_refuse_stop(echo):
    relay = Relay("127.0.0.1", echo)
    try:
        old = socket.create_connection(relay.address, timeout=0.3)
        assert roundtrip(old) == b"ping"

        relay.silence()
        new = socket.create_connection(relay.address, timeout=0.3)
        for sock in (old, new):  # accepted, but nothing comes back
            with pytest.raises(socket.timeout):
                roundtrip(sock)
        assert relay.connections == 2

        relay.restore()  # what was held arrives
        old.settimeout(5)
        new.settimeout(5)
        assert old.recv(4096) == b"ping"
        assert new.recv(4096) == b"ping"

        relay.refuse()
        with pytest.raises(ConnectionResetError):
            roundtrip(old)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(relay.address, timeout=1)

        relay.restore()
        again = socket.create_connection(relay.address, timeout=5)
        assert roundtrip(again) == b"ping"
        assert relay.url("postgresql+psycopg://u:p@h:1/db") == (
            "postgresql+psycopg://u:p@127.0.0.1:%d/db" % relay.port)
    finally:
        relay.stop()  # asserts its threads ended
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(relay.address, timeout=1)

"""A TCP relay in front of a database server, for tests that take it away.

A database server shared by the machine must never be stopped or
reconfigured by a test, yet the outages it can have are what a test must
show: a server that refuses (stopped, port closed), one that is silent
(packets dropped by a firewall or a dead network: connections are accepted
or stay open, nothing comes back) and one that talks again. ``Relay`` sits
between the client and the server on a free loopback port and plays those
parts on request::

    relay = Relay("127.0.0.1", 5432)
    url = relay.url("postgresql+psycopg://postgres@127.0.0.1:5432/db")
    relay.silence()   # existing and new connections: nothing forwarded
    relay.refuse()    # connections reset, new ones refused
    relay.restore()   # forwarding again
    relay.stop()      # bounded; closes every socket it opened

The relay is userspace: while silent, its kernel still accepts new
connections and acknowledges what the client sends (a client's keepalive
probes and TCP_USER_TIMEOUT never fire); only the application data goes
nowhere, in either direction. Data held while silent is forwarded on
``restore`` (as a network that heals delivers the retransmissions).
Each connection is two threads (one per direction) plus the one accepting.
"""

import socket
import struct
import threading

from sqlalchemy.engine import make_url

FORWARD, SILENT, REFUSE, STOPPED = "forward", "silent", "refuse", "stopped"
#: Seconds ``stop`` waits for each thread.
JOIN_TIMEOUT = 5.0


class Relay:
    """Relay ``host:port`` (the target) from a free port on ``listen_host``."""

    def __init__(self, target_host, target_port, listen_host="127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = listen_host
        self.port = 0
        self._mode = FORWARD
        self._changed = threading.Condition()
        self._links = set()
        self._threads = []
        self._listener = None
        self._listen()

    @property
    def address(self):
        """``(host, port)`` clients connect to."""
        return self.host, self.port

    @property
    def connections(self):
        """How many client connections the relay holds now."""
        with self._changed:
            return len(self._links)

    def url(self, url):
        """``url`` (a SQLAlchemy URL string) pointed at the relay."""
        return make_url(url).set(host=self.host, port=self.port
                                 ).render_as_string(hide_password=False)

    def silence(self):
        """Forward nothing, either way, on open and new connections; new
        connections are still accepted and held."""
        self._set(SILENT)

    def refuse(self):
        """Reset every open connection and refuse new ones (the port is
        closed) until ``restore``."""
        self._set(REFUSE)
        self._close_listener()
        for link in self._take_links():
            link.kill(reset=True)

    def restore(self):
        """Forward again; listen again (on the same port) if refusing."""
        refusing = self._mode == REFUSE
        self._set(FORWARD)
        if refusing:
            self._listen()

    def stop(self):
        """Close everything and wait (bounded) for the relay's threads."""
        self._set(STOPPED)
        self._close_listener()
        for link in self._take_links():
            link.kill(reset=False)
        for thread in self._threads:
            thread.join(JOIN_TIMEOUT)
        alive = [t.name for t in self._threads if t.is_alive()]
        assert not alive, "relay threads did not end: %s" % alive

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _set(self, mode):
        with self._changed:
            self._mode = mode
            self._changed.notify_all()

    def _wait_forwarding(self, link):
        """Block while silent; False when the link must end instead."""
        with self._changed:
            while self._mode == SILENT and not link.dead:
                self._changed.wait()
            return self._mode == FORWARD and not link.dead

    def _take_links(self):
        with self._changed:
            links, self._links = self._links, set()
        return links

    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name="relay-%d-%s" % (self.port,
                                                        target.__name__))
        with self._changed:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()

    def _listen(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._spawn(self._accept, listener)

    def _close_listener(self):
        listener, self._listener = self._listener, None
        if listener is not None:
            # shutdown wakes the thread blocked in accept (Linux)
            try:
                listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            listener.close()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            link = _Link(client)
            with self._changed:
                if self._mode in (REFUSE, STOPPED):
                    link.kill(reset=True)
                    link.release()
                    continue
                self._links.add(link)
            self._spawn(self._connect, link)

    def _connect(self, link):
        """Connect ``link`` to the target once forwarding, then pump."""
        if self._wait_forwarding(link):
            try:
                upstream = socket.create_connection(self.target, 5)
            except OSError:
                upstream = None
            if upstream is not None:
                upstream.settimeout(None)
                if link.attach(upstream):
                    self._spawn(self._pump, link, upstream, link.client)
                    self._pump(link, link.client, upstream)
                    return
        self._drop(link)
        link.release()

    def _pump(self, link, source, sink):
        """Copy ``source`` to ``sink`` while forwarding; hold while silent."""
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                break
            if not data or not self._wait_forwarding(link):
                break
            try:
                sink.sendall(data)
            except OSError:
                break
        self._drop(link)
        link.release()

    def _drop(self, link):
        link.kill(reset=self._mode == REFUSE)
        with self._changed:
            self._links.discard(link)
            self._changed.notify_all()  # its other pump may wait, silent


class _Link:
    """One client connection and, once forwarding, its upstream one.

    ``kill`` only shuts the sockets down (which wakes their readers); the
    threads using them close them (``release``), so no thread ever reads a
    closed, perhaps reused, file descriptor.
    """

    def __init__(self, client):
        self.client = client
        self.upstream = None
        self.dead = False
        self._lock = threading.Lock()
        self._users = 1  # the thread connecting, then the two pumps

    def attach(self, upstream):
        """Take ``upstream`` for the two pumps; False (closed) if dead."""
        with self._lock:
            if self.dead:
                upstream.close()
                return False
            self.upstream = upstream
            self._users = 2
            return True

    def kill(self, reset):
        """End both sides, with an RST (linger 0) when ``reset``."""
        with self._lock:
            if self.dead:
                return
            self.dead = True
            for sock in (self.client, self.upstream):
                if sock is None:
                    continue
                try:
                    if reset:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                        struct.pack("ii", 1, 0))
                        sock.shutdown(socket.SHUT_RD)
                    else:
                        sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def release(self):
        """One thread is done with the sockets; the last one closes them."""
        with self._lock:
            self._users -= 1
            if self._users:
                return
        self.client.close()
        if self.upstream is not None:
            self.upstream.close()


def silent_bound(statement_timeout, connect_timeout):
    """The longest a request may wait for a silent server (operations
    page, "Database timeouts"): its ping (or statement) unanswered for
    statement_timeout + 1 s, then a new connection whose opening is bounded
    by connect_timeout (PostgreSQL) or, once TCP is accepted, by the same
    read bound (MariaDB's handshake)."""
    return (statement_timeout + 1) + max(connect_timeout,
                                         statement_timeout + 1)

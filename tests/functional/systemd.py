"""Playing systemd for a test: a notification socket, and socket activation.

``notify_socket`` binds the AF_UNIX datagram socket READY=1/STOPPING=1
arrive on; ``ACTIVATE`` is the wrapper script that hands listening sockets
to twistd on fds 3 and up, as systemd does.
"""

import socket

#: Puts the inherited fds (argv[1], comma-separated) on 3, 4, ..., sets
#: LISTEN_PID to this pid, and execs twistd with the rest of argv.
ACTIVATE = """
import os, sys
fds = [int(fd) for fd in sys.argv[1].split(",")]
for target, fd in enumerate(fds, 3):
    os.dup2(fd, target, inheritable=True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = str(len(fds))
os.execv(sys.argv[2], sys.argv[2:])
"""


def notify_socket(address):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(address)
    sock.settimeout(30)
    return sock

"""HTTP/1.1 over a raw socket: what goes on the wire, exactly, and what comes back."""

#: Seconds a read may wait for the server.
DEADLINE = 20.0


def read_response(sock, deadline=DEADLINE):
    """Everything ``sock`` receives until the server closes it (or raises)."""
    sock.settimeout(deadline)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def parse(response):
    """(status line, {lower-case header: value}, body) of one response."""
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict((name.lower(), value.strip()) for name, _, value in
                   (line.partition(":") for line in lines[1:]))
    return lines[0], headers, body

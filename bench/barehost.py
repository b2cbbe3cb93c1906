"""The least a WSGI host in Python does: a measuring instrument, not a host to run.

``python -m bench.barehost PORT`` serves the reference app on
127.0.0.1:PORT from one thread, with an epoll loop (``selectors``),
HTTP/1.1 keep-alive (a request that says ``Connection: close`` closes its
connection once answered), and nothing else: no timeouts, no limits, no
access log, no request bodies, no error answers (a request it cannot
parse closes its connection), and one ``sendall`` a response on a
non-blocking socket, which holds small answers such as the reference
app's whole. Whatever a real host in Python adds to the app, this adds
too: read the bytes, find the head's end, split its lines into a WSGI
environ, call the app, join its body, write a head and the body.
bench.instructions counts its instructions beside minova's and uWSGI's:
what this executes beyond the app alone is the floor under any HTTP layer
written in Python, minova's included.
"""

import io
import selectors
import socket
import sys

from paste.deploy import loadapp

from bench import appcost, matrix

_BASE = {
    "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "CONTENT_TYPE": "",
    "CONTENT_LENGTH": "", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
    "wsgi.errors": sys.stderr, "wsgi.multithread": False,
    "wsgi.multiprocess": False, "wsgi.run_once": False,
}


def environ_of(head, base):
    """The WSGI environ of ``head`` (request line and header lines, as
    str, CRLF between them), or None when the request line is malformed."""
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    method, target, version = parts
    path, _, query = target.partition("?")
    environ = base.copy()
    environ["REQUEST_METHOD"] = method
    environ["PATH_INFO"] = path
    environ["QUERY_STRING"] = query
    environ["SERVER_PROTOCOL"] = version
    for line in lines[1:]:
        name, _, value = line.partition(":")
        environ["HTTP_" + name.upper().replace("-", "_")] = value.strip()
    return environ


def respond(app, environ):
    """The response bytes of ``app`` to ``environ``: status line, the
    app's headers, Content-Length when it gave none, the joined body."""
    status, headers, body = appcost.response(app, environ)
    lines = ["HTTP/1.1 " + status]
    lines += [name + ": " + value for name, value in headers]
    if not any(name.lower() == "content-length" for name, _ in headers):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def serve(app, listener):
    """Serve ``listener``'s connections until the process ends."""
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    buffers = {}
    base = dict(_BASE, SERVER_PORT=str(listener.getsockname()[1]))
    # No request has a body here: one empty stream serves them all.
    base["wsgi.input"] = io.BytesIO()
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            if sock is listener:
                conn, _ = listener.accept()
                conn.setblocking(False)
                buffers[conn] = b""
                selector.register(conn, selectors.EVENT_READ)
                continue
            data = sock.recv(65536)
            if not data:
                _close(selector, buffers, sock)
                continue
            buffered = buffers[sock] + data
            end = buffered.find(b"\r\n\r\n")
            while end >= 0:
                environ = environ_of(buffered[:end].decode("latin-1"), base)
                if environ is None:
                    _close(selector, buffers, sock)
                    break
                buffered = buffered[end + 4:]
                sock.sendall(respond(app, environ))
                if environ.get("HTTP_CONNECTION") == "close":
                    _close(selector, buffers, sock)
                    break
                end = buffered.find(b"\r\n\r\n")
            else:
                buffers[sock] = buffered


def _close(selector, buffers, sock):
    selector.unregister(sock)
    del buffers[sock]
    sock.close()


def main(argv=None):
    port = int((argv or sys.argv[1:])[0])
    app = loadapp("config:" + matrix.REFERENCE_PASTE, name="osapi_compute")
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(1024)
    serve(app, listener)


if __name__ == "__main__":
    main()

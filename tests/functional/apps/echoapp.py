"""A plain paste app for host tests: it answers with what the host put in environ.

``?sleep=S`` holds the request S seconds in its pool thread (for drain and
thread pool tests); ``?status=N`` answers with that status; ``?size=N``
answers with a body of N bytes (``SIZED_BODY``) instead of the environ.
"""

import json
import logging
import threading
import time
from urllib.parse import parse_qs

KEYS = ("wsgi.url_scheme", "wsgi.multiprocess", "wsgi.multithread",
        "REQUEST_METHOD", "PATH_INFO", "SCRIPT_NAME", "QUERY_STRING",
        "REMOTE_ADDR", "SERVER_PORT", "SERVER_PROTOCOL",
        "minova.access_logged", "SSL_CLIENT_S_DN")


def factory(global_conf, **local_conf):
    def app(environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "sleep" in query:
            logging.getLogger("echo").info("echo: sleeping %s",
                                           query["sleep"][0])
            time.sleep(float(query["sleep"][0]))
        if "size" in query:
            payload = sized_body(int(query["size"][0]))
            start_response("200 OK", [("Content-Type", "text/plain"),
                                      ("Content-Length", str(len(payload)))])
            return [payload]
        body = {key: environ.get(key) for key in KEYS}
        body["thread"] = threading.current_thread().name
        body["body"] = environ["wsgi.input"].read().decode("latin-1")
        payload = json.dumps(body).encode()
        start_response(query.get("status", ["200"])[0] + " Echo",
                       [("Content-Type", "application/json"),
                        ("Content-Length", str(len(payload)))])
        return [payload]
    return app


def sized_body(size):
    """``size`` bytes whose every position is checkable (a cut or a reorder
    shows): the decimal offsets of each 8 bytes, in 8 characters."""
    return b"".join(b"%08d" % offset for offset in range(0, size, 8))[:size]

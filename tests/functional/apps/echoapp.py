"""A plain paste app for host tests: it answers with what the host put in environ.

``?sleep=S`` holds the request S seconds in its pool thread (for drain and
thread pool tests); ``?status=N`` answers with that status.
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
        body = {key: environ.get(key) for key in KEYS}
        body["thread"] = threading.current_thread().name
        body["body"] = environ["wsgi.input"].read().decode("latin-1")
        payload = json.dumps(body).encode()
        start_response(query.get("status", ["200"])[0] + " Echo",
                       [("Content-Type", "application/json"),
                        ("Content-Length", str(len(payload)))])
        return [payload]
    return app

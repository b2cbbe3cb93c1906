"""otherproject's WSGI entry module: answers ``{"project": "other", "pid": ...}``."""

import json
import os


def application(environ, start_response):
    body = json.dumps({"project": "other", "pid": os.getpid()}).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]

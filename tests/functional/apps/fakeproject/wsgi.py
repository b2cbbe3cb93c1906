"""fakeproject's WSGI entry module: its import is the project's process set-up.

As nova's does, the import parses ``sys.argv`` (here with argparse, which
exits on any argument it does not know, as oslo.config does on twistd's
``--config`` or a worker's ``--api``), reads its environment
(``FAKEPROJECT_GREETING``, as nova reads ``OS_NOVA_CONFIG_DIR``) and its
config file (``FAKEPROJECT_CONFIG`` names it; its text is ``setting``,
as nova reads nova.conf once, on import), and
appends this process's pid to the file ``FAKEPROJECT_IMPORTS`` names, so a
test sees which processes imported it. ``application`` answers with what
the import saw.
"""

import argparse
import json
import os
import sys

ARGV = list(sys.argv)
argparse.ArgumentParser(prog="fakeproject").parse_args()
GREETING = os.environ.get("FAKEPROJECT_GREETING", "")
SETTING = None
if os.environ.get("FAKEPROJECT_CONFIG"):
    with open(os.environ["FAKEPROJECT_CONFIG"]) as config:
        SETTING = config.read().strip()

if os.environ.get("FAKEPROJECT_IMPORTS"):
    with open(os.environ["FAKEPROJECT_IMPORTS"], "a") as record:
        record.write("%d\n" % os.getpid())


def make_app(**extra):
    """A WSGI app answering with the import's view and ``extra``."""
    def app(environ, start_response):
        body = json.dumps(dict(
            extra, pid=os.getpid(), argv=ARGV, greeting=GREETING,
            setting=SETTING,
            argv_now=sys.argv,
            multiprocess=environ["wsgi.multiprocess"],
            scheme=environ["wsgi.url_scheme"])).encode()
        start_response("200 OK", [("Content-Type", "application/json"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return app


application = make_app()

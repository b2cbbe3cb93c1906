"""Mounting one minova API in an existing Site: /metadata of this program's own server.

    python examples/embed_resource.py --config etc/api.conf --port 8080

The program owns the Site, the port and the process; minova contributes the
WSGI resource of one paste app, loaded from the config's
``[wsgi] api_paste_config``. Below the mount point the app sees
``SCRIPT_NAME = "/metadata"`` and the rest of the path as ``PATH_INFO``, as
WSGI has it. Access logging, keep-alive and drain are the program's Site's
business here, not minova's.
"""

import argparse
import sys

from twisted.internet import endpoints, reactor
from twisted.logger import Logger, globalLogBeginner, textFileLogObserver
from twisted.web import resource, server, static

import minova_tw

log = Logger(namespace="embed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", action="append", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)])

    conf = minova_tw.load_config(args.config)
    minova_tw.setup_logging(conf.debug)
    root = resource.Resource()
    root.putChild(b"", static.Data(b"the program's own page\n",
                                   "text/plain"))
    root.putChild(b"metadata", minova_tw.make_resource(
        minova_tw.load_app(conf, "metadata")))

    endpoint = endpoints.TCP4ServerEndpoint(reactor, args.port,
                                            interface="127.0.0.1")
    endpoint.listen(server.Site(root)).addCallback(
        lambda port: log.info("site listening on {host}:{port}",
                              host=port.getHost().host,
                              port=port.getHost().port))
    reactor.run()


if __name__ == "__main__":
    main()

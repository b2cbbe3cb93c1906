"""Embedding minova's service: another Twisted program serves the APIs too.

    python examples/embed_service.py --config etc/api.conf

The program has its own services (here a heartbeat in its log) and adds minova's whole service, as twistd would run it, to its
application. With ``<api>_workers = 1`` the APIs are served in this
process; with more, minova runs its worker processes as under twistd. The
program keeps its signals: it stops on SIGTERM/SIGINT as any reactor does,
and may call ``minova.reload()`` when it wants a reload.
"""

import argparse
import sys

from twisted.application import internet, service
from twisted.internet import reactor
from twisted.logger import Logger, globalLogBeginner, textFileLogObserver

import minova_tw

log = Logger(namespace="embed")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", action="append", required=True)
    args = parser.parse_args()
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)])

    application = service.MultiService()
    heartbeat = internet.TimerService(60, log.info, "the program is alive")
    heartbeat.setServiceParent(application)

    conf = minova_tw.load_config(args.config)
    minova = minova_tw.makeService(conf)
    minova.setServiceParent(application)

    application.startService()
    reactor.addSystemEventTrigger("before", "shutdown",
                                  application.stopService)
    reactor.run()


if __name__ == "__main__":
    main()

"""The floors under #9's targets: the reference stack with no server at all.

``python -m bench.floor`` prints, as JSON, what no host can go below:

* ``app_cpu_us``: CPU µs per request of the reference paste app called
  in-process, with a WSGI environ like one of wrk's requests
  (``bench.appcost``'s fastest-round measure). A server adds its own cost
  to this; it cannot take any away.
* ``rss_mb``: VmRSS of a fresh interpreter at each step of becoming a
  minova worker, the app first: the reference app loaded by PasteDeploy
  (all any host holds), then Twisted's core (protocol, Deferred, logger),
  then minova's configuration with the reactor (installed as a worker
  installs it, without pyOpenSSL), then minova's host modules.

bench.runner runs it in a subprocess of its own (a clean interpreter, so
nothing the benchmark imported is counted) and results.md turns it into
what each target would need.
"""

import json
import os
import sys
import time

from bench import matrix, proctree

#: CPU seconds spent timing the app (fastest of rounds of appcost.ROUND).
SECONDS = 1.0


def main():
    from paste.deploy import loadapp
    stages = []

    def stage(label):
        stages.append((label, proctree.rss_mb(os.getpid())))
    app = loadapp("config:" + matrix.REFERENCE_PASTE, name="osapi_compute")
    stage("python and the reference app")
    from twisted.internet import defer, protocol  # noqa: F401
    from twisted.logger import Logger  # noqa: F401
    stage("Twisted's core (protocol, Deferred, logger)")
    from minova_tw import conf as minova_conf
    from minova_tw import tls
    tls.install_twisted(minova_conf.load([]), ["osapi_compute"])
    stage("minova's config and the epoll reactor")
    from minova_tw import gmr, heap, metrics, service, worker  # noqa: F401
    heap.trim()  # as a worker does once its app is loaded
    stage("minova's host modules (a worker at start-up)")

    # Imported last: it imports minova's host, which must not be counted
    # in the stages above before its turn.
    from bench import appcost

    def env_for():
        return appcost.environ("/")
    appcost.call(app, env_for())
    started = time.process_time()
    cpu = appcost.measure(app, env_for, SECONDS)
    json.dump({"app_cpu_us": cpu, "rss_mb": stages,
               "seconds": time.process_time() - started}, sys.stdout)
    print()


if __name__ == "__main__":
    main()

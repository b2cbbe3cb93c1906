"""The examples in docs/embedding.md, run as the real programs they are.

examples/embed_service.py adds minova's whole service to its own
application (here with osapi_compute in 2 worker processes);
examples/embed_resource.py mounts the metadata API's resource at /metadata
of its own Site. Both serve tests/functional/apps/echoapp. THREADS_PROGRAM
uses its reactor's thread pool before it adds minova's service.
"""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.functional.process import (ROOT, START_DEADLINE, echo_config,
                                      write_config)
from tests.polling import wait_for

LISTENING = re.compile(r"(\w+) listening on ([\d.]+):(\d+)")


@pytest.fixture
def example(tmp_path):
    """Run ``examples/<name>`` with the echo config; its listening addresses."""
    started = []

    def run(name, *args):
        """``name``: a file in examples/, or a program's absolute path."""
        config = write_config(tmp_path / "api.conf", echo_config(
            tmp_path, DEFAULT={"osapi_compute_workers": 2}))
        log_path = tmp_path / ("%s.log" % name)
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, os.path.join(ROOT, "examples", name),
                 "--config", config] + list(args),
                stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
                env=dict(os.environ, PYTHONPATH=os.path.join(
                    ROOT, "tests", "functional", "apps")))
        started.append(proc)
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            text = log_path.read_text()
            if "minova ready" in text or "site listening" in text:
                return proc, text, {api: "http://%s:%s" % (host, port)
                                    for api, host, port
                                    in LISTENING.findall(text)}
            assert proc.poll() is None, text
            time.sleep(0.05)
        raise AssertionError("%s did not start:\n%s" % (name, text))

    yield run
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:  # hangs at exit: end it
                proc.kill()
                proc.wait(10)


def test_a_program_adds_minovas_service_to_its_application(example):
    proc, log, urls = example("embed_service.py")
    assert set(urls) == {"osapi_compute", "metadata"}
    compute = requests.get(urls["osapi_compute"] + "/a", timeout=10).json()
    assert compute["PATH_INFO"] == "/a"
    assert compute["wsgi.multiprocess"] is True
    metadata = requests.get(urls["metadata"] + "/b", timeout=10).json()
    assert metadata["wsgi.multiprocess"] is False
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


def test_a_program_mounts_one_api_in_its_own_site(example):
    proc, log, urls = example("embed_resource.py")
    site = urls["site"]
    assert requests.get(site + "/", timeout=10).text == \
        "the program's own page\n"
    environ = requests.get(site + "/metadata/openstack/latest?x=1",
                           timeout=10).json()
    assert environ["SCRIPT_NAME"] == "/metadata"
    assert environ["PATH_INFO"] == "/openstack/latest"
    assert environ["QUERY_STRING"] == "x=1"


#: A program that runs work on its reactor's thread pool before and after
#: adding minova's service: minova's pool must not take that pool's place,
#: or the pool's thread is never stopped and the program never exits.
THREADS_PROGRAM = """
import sys

from twisted.application import service
from twisted.internet import reactor, threads
from twisted.logger import Logger, globalLogBeginner, textFileLogObserver

import minova_tw

log = Logger(namespace="program")
globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stdout)])
application = service.MultiService()


def ran(where):
    log.info("program: deferToThread ran on the reactor's pool {where}",
             where=where)


threads.deferToThread(lambda: "before").addCallback(ran)
minova = minova_tw.makeService(minova_tw.load_config([sys.argv[2]]))
minova.setServiceParent(application)
application.startService()
reactor.callWhenRunning(
    lambda: threads.deferToThread(lambda: "after").addCallback(ran))
reactor.addSystemEventTrigger("before", "shutdown", application.stopService)
reactor.run()
"""


def test_a_program_using_its_thread_pool_keeps_it_and_exits(
        example, tmp_path):
    program = tmp_path / "program.py"
    program.write_text(THREADS_PROGRAM)
    proc, log, urls = example(str(program))
    environ = requests.get(urls["metadata"] + "/", timeout=10).json()
    assert environ["thread"].startswith("PoolThread-minova-")
    wait_for(lambda: "pool after" in open(tmp_path / "program.py.log").read(),
             what="the program's second deferToThread")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0  # raises TimeoutExpired if it hangs at exit
    log = (tmp_path / "program.py.log").read_text()
    assert "deferToThread ran on the reactor's pool before" in log

"""The examples in docs/embedding.md, run as the real programs they are.

examples/embed_service.py adds minova's whole service to its own
application (here with osapi_compute in 2 worker processes);
examples/embed_resource.py mounts the metadata API's resource at /metadata
of its own Site. Both serve tests/functional/apps/echoapp.
"""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.functional.conftest import ROOT, START_DEADLINE, write_config
from tests.functional.test_host import echo_config

LISTENING = re.compile(r"(\w+) listening on ([\d.]+):(\d+)")


@pytest.fixture
def example(tmp_path):
    """Run ``examples/<name>`` with the echo config; its listening addresses."""
    started = []

    def run(name, *args):
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
            proc.wait(30)


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

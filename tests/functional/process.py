"""The real ``twistd -n minova`` of the functional tests: its config, environment and process.

``base_config`` builds the sections of a config on loopback port 0,
``write_config`` writes them, ``MinovaProcess`` runs twistd with them and
learns from its log where each API listens, ``run_minova`` runs it to
completion (startup failures). ``TAG_APP`` and ``echo_config`` are the
small paste apps that test the host apart from nova's stacks. Plain
helpers, shared by conftest's ``minova`` fixture, the test modules and the
hosting tests.
"""

import os
import re
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
PASTE = os.path.join(ROOT, "etc", "api-paste.ini")
APPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "apps")
#: tests/functional/apps/echoapp: answers with the environ the host gave it.
ECHO_PASTE = os.path.join(APPS, "echo-paste.ini")
TWISTD = os.path.join(os.path.dirname(sys.executable), "twistd")
LISTENING = re.compile(r"(\w+) listening on ([\d.:a-f\[\]]+):(\d+)")
WORKER_READY = re.compile(r"worker (\w+)/(\d+) pid (\d+) ready")
#: Generous: a loaded CI machine has been seen to take over 30 s to start.
START_DEADLINE = 60.0

#: A paste app for worker tests: it answers with its pid, the ``tag`` of its
#: paste section (so a reload shows) and wsgi.multiprocess; ``?sleep=S``
#: holds the request S seconds and logs "tagapp: sleeping S".
TAG_APP = """
import json, logging, os, time
from urllib.parse import parse_qs

def factory(global_conf, tag="1"):
    def app(environ, start_response):
        sleep = parse_qs(environ.get("QUERY_STRING", "")).get("sleep")
        if sleep:
            logging.getLogger("tagapp").info("tagapp: sleeping %s", sleep[0])
            time.sleep(float(sleep[0]))
        body = json.dumps({"pid": os.getpid(), "tag": tag,
                           "multiprocess": environ["wsgi.multiprocess"]})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]
    return app
"""


def write_config(path, sections):
    """Write ``{section: {option: value}}`` as an ini file."""
    with open(path, "w") as f:
        for section, options in sections.items():
            f.write("[%s]\n" % section)
            for key, value in options.items():
                f.write("%s = %s\n" % (key, value))
            f.write("\n")
    return str(path)


def base_config(tmp_path, **overrides):
    """A config serving both APIs on loopback port 0 with noauth2 and SQLite."""
    sections = {
        "DEFAULT": {
            "osapi_compute_listen": "127.0.0.1",
            "osapi_compute_listen_port": 0,
            "osapi_compute_workers": 1,
            "metadata_listen": "127.0.0.1",
            "metadata_listen_port": 0,
            "metadata_workers": 1,
            "state_path": str(tmp_path / "state"),
        },
        "wsgi": {"api_paste_config": PASTE},
        "api": {"auth_strategy": "noauth2"},
    }
    for section, options in overrides.items():
        sections.setdefault(section, {}).update(options)
    return sections


def echo_config(tmp_path, **overrides):
    """base_config serving the echo app on both APIs."""
    sections = base_config(tmp_path, wsgi={"api_paste_config": ECHO_PASTE})
    for section, options in overrides.items():
        sections.setdefault(section, {}).update(options)
    return sections


class MinovaProcess:
    """A running ``twistd -n minova``: its PID, log and API base URLs."""

    def __init__(self, args, log_path, env, expect, twistd_args=(),
                 prefix=(), pass_fds=(), twistd=TWISTD,
                 deadline=START_DEADLINE):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            list(prefix) + [twistd, "-n", "--pidfile="] + list(twistd_args)
            + ["minova"] + list(args), pass_fds=pass_fds,
            stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        self.addresses = {}
        self._wait_listening(expect, deadline)

    @property
    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def _wait_listening(self, expect, deadline):
        deadline = time.monotonic() + deadline
        while time.monotonic() < deadline:
            for api, host, port in LISTENING.findall(self.log):
                self.addresses[api] = (host, int(port))
            if expect <= set(self.addresses):
                return
            if self.proc.poll() is not None:
                raise AssertionError("minova exited with %s:\n%s"
                                     % (self.proc.returncode, self.log))
            time.sleep(0.05)
        raise AssertionError("minova did not listen in time:\n"
                             + self._stacks())

    def _stacks(self):
        """The log, with every thread's stack of a process that hangs.

        minova_env turns faulthandler on, so SIGABRT makes the process print
        where it is stuck before it dies.
        """
        self.proc.send_signal(signal.SIGABRT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return self.log

    def workers(self, api):
        """``{slot: pid}`` of the latest worker of each slot that said ready."""
        return {int(slot): int(pid) for name, slot, pid
                in WORKER_READY.findall(self.log) if name == api}

    def wait_log(self, text, count=1, timeout=START_DEADLINE):
        """Wait until ``text`` is in the log ``count`` times."""
        deadline = time.monotonic() + timeout
        while self.log.count(text) < count:
            if time.monotonic() > deadline:
                raise AssertionError("%r not logged %d times in time:\n%s"
                                     % (text, count, self.log))
            time.sleep(0.05)

    def url(self, api, path="/", scheme="http"):
        host, port = self.addresses[api]
        return "%s://%s:%d%s" % (scheme, host, port, path)

    def signal(self, signum):
        self.proc.send_signal(signum)

    def wait(self, timeout=30):
        try:
            return self.proc.wait(timeout)
        finally:
            self._log.close()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()
        # A worker that outlived a broken parent: end it, by its pid.
        for pid in {int(pid) for _, _, pid in WORKER_READY.findall(self.log)}:
            if is_worker(pid):
                os.kill(pid, signal.SIGKILL)


def is_worker(pid):
    """Whether ``pid`` is a live (not zombie) minova worker process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rpartition(")")[2].split()[0]
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmdline = f.read()
    except OSError:
        return False
    return state != "Z" and b"minova_tw.worker" in cmdline


def write_tag_app(directory, tag):
    """Write TAG_APP and a paste file serving it for both APIs; its path.

    The app's directory must be on the PYTHONPATH (``tag_env``).
    """
    with open(os.path.join(directory, "tagapp.py"), "w") as f:
        f.write(TAG_APP)
    return write_config(os.path.join(directory, "tag-paste.ini"), {
        "app:%s" % api: {"paste.app_factory": "tagapp:factory", "tag": tag}
        for api in ("osapi_compute", "metadata")})


def tag_env(directory, **extra):
    """minova_env with ``directory`` (where write_tag_app wrote) on the path."""
    env = minova_env(**extra)
    env["PYTHONPATH"] = os.pathsep.join((str(directory), env["PYTHONPATH"]))
    return env


def run_minova(args, tmp_path, env=None, timeout=60):
    """Run twistd minova to completion (for startup failures)."""
    return subprocess.run(
        [TWISTD, "-n", "--pidfile=", "minova"] + list(args),
        capture_output=True, text=True, timeout=timeout, cwd=str(tmp_path),
        env=env or minova_env())


def minova_env(**extra):
    env = dict(os.environ)
    env["PYTHONFAULTHANDLER"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (APPS, env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env

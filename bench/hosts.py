"""Starting and stopping each host on loopback with the same paste stack.

Every host loads the stack's app from the stack's paste file: minova (and
minova-inline, the same with ``[wsgi] thread_pool_size = 0``) through
``[wsgi] api_paste_config``, uWSGI and gunicorn through ``--paste``, and
``twistd web --wsgi``, granian and Apache's mod_wsgi (bench.apache) through
``bench.paste_app``. minova's own stacks read their oslo.config files from
``MINOVA_CONFIG_FILES`` under the other hosts, the same files minova itself
is given. Logging is each host's default (minova writes its access log;
uWSGI, gunicorn and twistd web do not log requests), except that granian
and Apache write an access log too, as minova does: granian's cost it
between a fifth and a quarter of its req/s at c=64 (issue #18), and an
operator who runs it in front of an API keeps one. Each host logs into a
file of its own. A host that does not come up is recorded with the last
line it logged, and is stopped by its PID like every other.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from bench import apache, proctree
from bench.matrix import CLOSE_TWIN_ARGS, MINOVA_KINDS, ROOT

START_DEADLINE = 60.0
STOP_DEADLINE = 15.0
BIN = os.path.dirname(sys.executable)


class HostDown(Exception):
    """The host could not serve; the message says why, in one line."""


def find_program(name):
    """``name`` beside this Python (its venv), else on PATH; None if absent."""
    path = os.path.join(BIN, name)
    return path if os.access(path, os.X_OK) else shutil.which(name)


#: The program each host kind runs.
PROGRAMS = {"minova": "twistd", "minova-inline": "twistd",
            "twistd-web": "twistd", "uwsgi": "uwsgi",
            "gunicorn-sync": "gunicorn", "gunicorn-gthread": "gunicorn",
            "granian": "granian", "apache": "apache2"}


def executable(kind, hosted=None):
    """The program a host kind runs, or None when it is not installed:
    ``hosted``'s (a bench.hosted.Nova) for a stack with an entry point,
    the distribution's for Apache, whatever the stack."""
    if kind == "apache":
        return apache.program()
    if hosted is not None:
        return hosted.executable(kind)
    return find_program(PROGRAMS[kind])


def granian_args(port, procs, app, access_log=True):
    """granian's command line serving the WSGI callable ``app``
    (``module:name``) with ``procs`` worker processes."""
    return (["--interface", "wsgi", "--blocking-threads", "4",
             "--workers", str(procs), "--host", "127.0.0.1",
             "--port", str(port)]
            + (["--access-log"] if access_log else []) + [app])


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_ini(path, sections):
    """Write ``{section: {option: value}}`` as an ini file; return ``path``."""
    with open(path, "w") as f:
        for section, options in sections.items():
            f.write("[%s]\n" % section)
            f.writelines("%s = %s\n" % item for item in options.items())
            f.write("\n")
    return path


def minova_base_config(workdir):
    """The oslo.config file every host's minova stacks share (one database)."""
    return write_ini(os.path.join(workdir, "minova-bench.conf"), {
        "DEFAULT": {"state_path": os.path.join(workdir, "state"),
                    "osapi_compute_workers": 1, "metadata_workers": 1},
        "api": {"auth_strategy": "noauth2"},
        "quota": {"instances": -1, "cores": -1, "ram": -1},
        # meta_data.json finds its server by X-Forwarded-For.
        "oslo_middleware": {"enable_proxy_headers_parsing": "true"},
    })


def _command(host, stack, port, workdir, base_config, directory):
    procs = str(host.procs)
    paste = "%s#%s" % (stack.paste_file, stack.api)
    if host.kind in MINOVA_KINDS:
        config = write_ini(
            os.path.join(workdir, "%s-%s.conf" % (stack.name, host.label)), {
                "DEFAULT": {"enabled_apis": stack.api,
                            "%s_listen" % stack.api: "127.0.0.1",
                            "%s_listen_port" % stack.api: port,
                            "%s_workers" % stack.api: procs},
                "wsgi": dict(MINOVA_KINDS[host.kind],
                             api_paste_config=stack.paste_file)})
        return ["-n", "--pidfile=", "minova", "--config", base_config,
                "--config", config]
    if host.kind == "twistd-web":
        return ["-n", "--pidfile=", "web", "--listen",
                "tcp:%d:interface=127.0.0.1" % port,
                "--wsgi", "bench.paste_app.application"]
    if host.kind == "uwsgi":
        return ["--http11-socket", "127.0.0.1:%d" % port, "--master",
                "--processes", procs, "--threads", "4", "--lazy-apps",
                "--disable-logging", "--die-on-term", "--need-app",
                "--pythonpath", ROOT, "--paste", "config:" + paste]
    if host.kind == "granian":
        return granian_args(port, host.procs, "bench.paste_app:application")
    if host.kind == "apache":
        os.makedirs(directory, exist_ok=True)
        home = apache.python_home(directory, sys.prefix, ROOT)
        return ["-f", apache.write_config(
            directory, port, host.procs,
            os.path.join(ROOT, "bench", "paste_app.py"), home),
            "-DFOREGROUND"]
    worker = (["-k", "sync"] if host.kind == "gunicorn-sync"
              else ["-k", "gthread", "--threads", "4"])
    return ["--paste", paste, "-b", "127.0.0.1:%d" % port, "-w", procs,
            "--chdir", ROOT] + worker


class RunningHost:
    """One host process tree serving one stack on 127.0.0.1:``port``.

    ``wrapper`` is a command the host runs under (the profiler);
    ``closing`` starts the host's close-shape twin (CLOSE_TWIN_ARGS);
    ``hosted`` (a bench.hosted.Nova) serves a stack with an entry point,
    from its venv and with its environment.
    """

    def __init__(self, host, stack, workdir, base_config, wrapper=(),
                 closing=False, hosted=None):
        self.host = host
        self.stack = stack
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        name = "%s-%s%s" % (stack.name, host.label,
                            "-close" if closing else "")
        self.log_path = os.path.join(workdir, name + ".log")
        directory = os.path.join(workdir, name)
        if hosted is not None:
            os.makedirs(directory, exist_ok=True)
            command, cwd = hosted.command(host.kind, stack, self.port,
                                          host.procs, directory)
            env = hosted.env
        else:
            command, cwd = _command(host, stack, self.port, workdir,
                                    base_config, directory), ROOT
            env = dict(os.environ,
                       PYTHONPATH=os.pathsep.join(
                           filter(None, [ROOT, os.environ.get("PYTHONPATH")])),
                       MINOVA_CONFIG_FILES=base_config,
                       BENCH_PASTE_FILE=stack.paste_file,
                       BENCH_PASTE_APP=stack.api)
        args = list(wrapper) + [executable(host.kind, hosted)] + command
        if closing:
            args += CLOSE_TWIN_ARGS[host.kind]
        if host.kind == "apache":
            apache.share_workdir(workdir)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, env=env,
                cwd=cwd or ROOT, start_new_session=True)

    def workers(self):
        """The processes that run the app: the tree's leaves (not uWSGI's or
        gunicorn's master, nor minova's parent), except that under Apache
        only its mod_wsgi daemon processes do."""
        leaves = proctree.workers(self.proc.pid)
        if self.host.kind != "apache":
            return leaves
        return [pid for pid in leaves
                if proctree.cmdline(pid).startswith(apache.DISPLAY_NAME)]

    def listeners(self):
        """The processes that accept and hold the connections: the workers,
        except under Apache, whose own children pass each request on to a
        daemon process."""
        leaves = proctree.workers(self.proc.pid)
        if self.host.kind != "apache":
            return leaves
        daemons = set(self.workers())
        return [pid for pid in leaves if pid not in daemons]

    def last_line(self):
        with open(self.log_path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").strip().splitlines()
        return lines[-1].strip() if lines else "(no output)"

    def wait_ready(self):
        """Return once the host answers HTTP; raise HostDown if it cannot."""
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HostDown("exited with status %d: %s" % (
                    self.proc.returncode, self.last_line()))
            try:
                urllib.request.urlopen(self.url + "/", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        raise HostDown("did not answer within %ds: %s" % (
            START_DEADLINE, self.last_line()))

    def get(self, path, headers=()):
        """(status, body) of one GET on the host."""
        request = urllib.request.Request(self.url + path, headers=dict(headers))
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def says_close(self, path, headers=()):
        """Whether a response to a request that says ``Connection: close`` says so too.

        wrk reconnects only after such a response: on a host whose response
        does not say it, a Connection: close run measures keep-alive.
        """
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % self.port,
                 "Connection: close"]
        lines += ["%s: %s" % header for header in headers]
        with socket.create_connection(("127.0.0.1", self.port),
                                      timeout=30) as conn:
            conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            head = b""
            while b"\r\n\r\n" not in head:
                data = conn.recv(65536)
                if not data:
                    break
                head += data
        fields = head.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")[1:]
        return any(name.strip().lower() == "connection"
                   and "close" in value.lower().replace(" ", "").split(",")
                   for name, _, value in (f.partition(":") for f in fields))

    def stop(self):
        """SIGTERM the tree's root, then SIGKILL what is left, by PID."""
        started = {pid: proctree.start_time(pid)
                   for pid in proctree.tree(self.proc.pid)}
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_DEADLINE)
            except subprocess.TimeoutExpired:
                pass
        for pid, start in started.items():
            if proctree.start_time(pid) != start:
                continue
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc.poll() is None:
            self.proc.wait(STOP_DEADLINE)

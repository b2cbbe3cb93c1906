"""What the paste stacks cost per request, with no HTTP host: CPU µs per call.

``python -m bench.appcost [--seconds N] [--endpoint LABEL] [--profile]
[--instructions [--calls N]]``

This is the in-process half of bench's profile recipe (``bench.profile``
records a whole host under load): it separates the stack's own cost from
the host's. It loads the compute and metadata apps exactly as minova does
(``minova_tw.resources.load_app`` with bench's oslo.config file, a fresh
database in a temporary directory), seeds it through the compute app with
the requests ``bench.seed`` makes over HTTP, then calls each compute and
metadata endpoint of ``bench.matrix`` repeatedly with a WSGI environ like
one of wrk's requests and prints the CPU time (``time.process_time``, not
wall time: the machine is shared) per call, the fastest of several rounds.
``--profile`` adds cProfile's top functions for each endpoint.

``--instructions`` counts instead of timing: each endpoint runs in two
processes of its own under valgrind's callgrind, which count the machine
instructions of ``--calls`` and twice as many calls (after a warm-up;
``PYTHONHASHSEED=0``); the difference is what those calls cost. The count is the same on a busy machine and a quiet
one, which CPU time is not, so it compares two trees (or two commits)
to a percent while other work runs beside them. It is slow: a couple of
minutes an endpoint, most of it the set-up.
"""

import argparse
import cProfile
import functools
import gc
import io
import json
import os
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from unittest import mock

from bench import hosts, matrix, seed
from minova_tw import conf as minova_conf
from minova_tw import resources

#: CPU seconds per round: each endpoint is timed in rounds of about this
#: long, and the fastest round counts (another process sharing the cores
#: slows a round down, never speeds it up).
ROUND = 0.2


def environ(path, headers=(), method="GET", body=None):
    """The environ of one wrk-like request on 127.0.0.1 (minova's host keys)."""
    env = {
        "REQUEST_METHOD": method, "SCRIPT_NAME": "", "PATH_INFO": path,
        "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8774", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000",
        "CONTENT_TYPE": "", "CONTENT_LENGTH": "",
        "HTTP_HOST": "127.0.0.1:8774",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body or b""), "wsgi.errors": sys.stderr,
        "wsgi.multithread": True, "wsgi.multiprocess": False,
        "wsgi.run_once": False, "wsgi.input_terminated": True,
        "minova.access_logged": True,
    }
    if body is not None:
        env["CONTENT_TYPE"] = "application/json"
        env["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app, env):
    """(status, body) of one call of ``app``."""
    status, _, body = response(app, env)
    return int(status.split()[0]), body


def response(app, env):
    """(status line, headers, body) of one call of ``app``: its iterable
    joined and closed, as a host does."""
    started = []

    def start_response(line, headers, exc_info=None):
        started[:] = [line, headers]
    result = app(env, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return started[0], started[1], body


class _InProcess:
    """``bench.seed``'s HTTP calls, answered by the compute app in-process."""

    def __init__(self, app):
        self.app = app

    def __call__(self, base, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        status, text = call(self.app, environ(path, matrix.ADMIN, method,
                                              data))
        if status >= 400:
            raise seed.SeedFailed("%s %s answers %d" % (method, path, status))
        return json.loads(text) if text else None


def load_apps(workdir):
    """{stack name: app} for the compute and metadata stacks, seeded."""
    base_config = hosts.minova_base_config(workdir)
    hosts.write_ini(os.path.join(workdir, "fast.conf"),
                    {"minova": {"build_time": 0}})
    conf = minova_conf.load([base_config,
                             os.path.join(workdir, "fast.conf")])
    apps = {stack.name: resources.load_app(conf, stack.api,
                                           stack.paste_file)
            for stack in matrix.STACKS
            if stack.name != "reference" and not stack.entry_point}
    steps = {e.seed for s in matrix.STACKS if not s.entry_point
             for e in s.endpoints if e.seed}
    with mock.patch.object(seed, "_call", _InProcess(apps["compute"])):
        return apps, seed.seed("", steps)


def measure(app, env_for, seconds):
    """CPU µs per call of ``app``: the fastest of the rounds that fill
    about ``seconds`` of CPU."""
    best = None
    spent = 0.0
    while spent < seconds or best is None:
        calls = 0
        start = time.process_time()
        while True:
            call(app, env_for())
            calls += 1
            elapsed = time.process_time() - start
            if elapsed >= ROUND:
                break
        spent += elapsed
        per_call = elapsed / calls * 1e6
        best = per_call if best is None else min(best, per_call)
    return best


def profile(app, env_for, seconds, top=25):
    profiler = cProfile.Profile()
    profiler.enable()
    measure(app, env_for, seconds)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
        top)
    return out.getvalue()


#: Calls made before counting under ``--instructions``: the first calls
#: fill caches (compiled queries, the policy's decisions) later ones use.
WARM_UP = 30


def count_calls(app, env_for, calls):
    """Make ``calls`` calls inside ``functools.reduce``: callgrind counts
    only inside that C function (``--toggle-collect``).

    What the set-up made is frozen out of the garbage collector first: a
    full collection walks every object, and one that fell within one of
    the two counts and not the other would add millions of instructions
    to the difference.
    """
    for _ in range(WARM_UP):
        call(app, env_for())
    gc.collect()
    gc.freeze()
    functools.reduce(lambda _, __: call(app, env_for()), range(calls), None)


def _callgrind(label, calls):
    """A process counting ``calls`` calls of endpoint ``label`` under
    callgrind (its count is in its stderr when it ends)."""
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind "
                         "(apt-get install valgrind)")
    return subprocess.Popen(
        [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null",
         "--collect-atstart=no", "--toggle-collect=functools_reduce",
         sys.executable, "-m", "bench.appcost", "--endpoint", label,
         "--count-calls", str(calls)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONHASHSEED="0"))


def _counted(process, label):
    _, stderr = process.communicate()
    counted = re.search(r"Collected : (\d+)", stderr)
    if process.returncode != 0 or counted is None or not int(counted[1]):
        raise SystemExit("callgrind counted nothing for %s (is there a "
                         "functools_reduce symbol in %s?):\n%s"
                         % (label, sys.executable, stderr[-2000:]))
    return int(counted[1])


def instructions_per_call(label, calls):
    """Instructions per call of endpoint ``label``: the difference between
    a process counting ``2 * calls`` calls and one counting ``calls``
    (run side by side), over ``calls``. The set-up calls
    ``functools.reduce`` too, so each count carries a constant that only
    the difference cancels."""
    once, twice = _callgrind(label, calls), _callgrind(label, 2 * calls)
    return (_counted(twice, label) - _counted(once, label)) / calls


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.appcost",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="CPU seconds per endpoint (default 2)")
    parser.add_argument("--endpoint", action="append",
                        help="only this endpoint label (repeatable)")
    parser.add_argument("--profile", action="store_true",
                        help="print cProfile's top functions per endpoint")
    parser.add_argument("--instructions", action="store_true",
                        help="count machine instructions per call under "
                             "valgrind instead of timing (slow, repeatable)")
    parser.add_argument("--calls", type=int, default=50,
                        help="calls counted per endpoint with "
                             "--instructions (default 50)")
    parser.add_argument("--count-calls", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.instructions:
        for label in args.endpoint or [
                endpoint.label for stack in matrix.STACKS
                if stack.name != "reference" and not stack.entry_point
                for endpoint in stack.endpoints]:
            print("%-45s %12.0f instructions/request"
                  % (label, instructions_per_call(label, args.calls)),
                  flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="minova-appcost-") as workdir:
        apps, seeded = load_apps(workdir)
        for stack in matrix.STACKS:
            for endpoint in stack.endpoints:
                if stack.name not in apps or (
                        args.endpoint and endpoint.label not in args.endpoint):
                    continue
                value, reason = seeded.get(endpoint.seed, (None, None))
                if reason:
                    print("%-45s skipped: %s" % (endpoint.label, reason))
                    continue
                headers = tuple(
                    (name, text.format(server_ip=value))
                    for name, text in endpoint.headers)

                def env_for(path=endpoint.path, headers=headers):
                    return environ(path, headers)
                app = apps[stack.name]
                if args.count_calls is not None:
                    count_calls(app, env_for, args.count_calls)
                    continue
                status, _ = call(app, env_for())
                cost = measure(app, env_for, args.seconds)
                print("%-45s %3d %9.1f µs/request" % (endpoint.label, status,
                                                      cost))
                if args.profile:
                    print(profile(app, env_for, args.seconds))


if __name__ == "__main__":
    main()

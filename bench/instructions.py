"""Instructions per request on the reference stack, counted by callgrind: each host's own cost, free of the machine's noise.

``python -m bench.instructions [--connections 1,8] [--requests 600] [--close]``

Wall-clock runs on a shared machine move by a fifth from one run to the
next, and by half between machines; a host's cost of a few microseconds a
request is lost in that. valgrind's callgrind counts the instructions a
process executes in user space, whatever else the machine does: the same
host counts within about 1% from one start to the next (what is left is
timing, such as whether a request is already there when a thread looks).
This runs the reference app alone in a process of its own, then each
host with one worker (minova, minova-inline, uWSGI) under callgrind, and
counts the instructions its worker executes for a batch of requests
(``callgrind_control --zero`` before, ``--dump`` after) sent by as many
clients as ``--connections`` says, each waiting for its answer before it
sends again: over one keep-alive connection each, or with ``--close`` a
connection per request that says ``Connection: close``. What a host
executes beyond the app alone is its HTTP layer and its hand-offs, in
minova's case the Python of minova_tw and of Twisted's reactor.

It also counts minova's own steps of a request, each called alone in
one process (bench.steps): parsing a head, the response head, the access
line, the WSGI call around the app. What they add up to, against the
host's count beyond the app, says how much of it is minova's Python per
request and how much its reactor, its threads and its socket calls.

It does not count what the kernel does for the process (its socket calls,
loopback TCP), nor what instructions cost in time: cache misses, and the
wake-ups and interpreter-lock waits of threads on other CPUs, which
valgrind cannot show because it runs a process's threads one at a time.
Those are the affinity runs' (bench.affinity) and the profile's part.
"""

import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from bench import hosts as hostlib
from bench import matrix

OUT = os.path.join(matrix.ROOT, "bench", "results", "instructions")
BARE = "bare Python host (bench.barehost)"
#: The hosts of bench/ counted by default.
HOST_KINDS = ("minova", "minova-inline", "uwsgi")
#: The rows, in order: those hosts, then bench.barehost.
KINDS = HOST_KINDS + (BARE,)
#: Requests each connection sends before counting starts: the app's and
#: the host's first requests import and cache what later ones reuse.
WARMUP = 50


def callgrind_command(out_dir):
    """The wrapper a process runs under: callgrind, following children
    (uWSGI's worker is its master's child), a file per process."""
    return ["valgrind", "--tool=callgrind", "--trace-children=yes",
            "--callgrind-out-file=" + os.path.join(out_dir, "%p.out")]


def summary(path):
    """The instruction count of a callgrind dump file (its ``summary:``)."""
    with open(path) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise ValueError("no summary line in %s" % path)


def count(pid, out_dir, work):
    """Instructions process ``pid`` (under callgrind) executes while
    ``work()`` runs: zero its counters, run, dump, read the dump."""
    before = set(glob.glob(os.path.join(out_dir, "%d.out.*" % pid)))
    subprocess.run(["callgrind_control", "--zero", str(pid)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    work()
    subprocess.run(["callgrind_control", "--dump", str(pid)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dumps = set(glob.glob(os.path.join(out_dir, "%d.out.*" % pid))) - before
    if len(dumps) != 1:
        raise RuntimeError("expected one new dump of %d, found %r"
                           % (pid, sorted(dumps)))
    return summary(dumps.pop())


def _read_response(conn, buffered):
    """Read one response with a Content-Length body; what follows it."""
    while b"\r\n\r\n" not in buffered:
        buffered += _recv(conn)
    head, _, rest = buffered.partition(b"\r\n\r\n")
    length = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length is None:
        raise RuntimeError("a response without Content-Length: %r"
                           % head[:200])
    while len(rest) < length:
        rest += _recv(conn)
    return rest[length:]


def _recv(conn):
    data = conn.recv(65536)
    if not data:
        raise RuntimeError("the host closed the connection")
    return data


def send_requests(port, path, connections, per_connection, close=False):
    """``per_connection`` GETs from each of ``connections`` clients at
    once, each waiting for its answer before the next: on one keep-alive
    connection, or with ``close`` each on a connection of its own that
    says ``Connection: close`` (and is closed once its answer is read)."""
    request = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%s\r\n"
               % (path, port, "Connection: close\r\n" if close else "")
               ).encode("latin-1")
    errors = []

    def exchange(conn, buffered):
        conn.sendall(request)
        return _read_response(conn, buffered)

    def client():
        try:
            if close:
                for _ in range(per_connection):
                    with socket.create_connection(("127.0.0.1", port),
                                                  timeout=120) as conn:
                        exchange(conn, b"")
                return
            with socket.create_connection(("127.0.0.1", port),
                                          timeout=120) as conn:
                buffered = b""
                for _ in range(per_connection):
                    buffered = exchange(conn, buffered)
        except Exception as exc:  # reported below, once all have ended
            errors.append(exc)
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise RuntimeError("a client failed: %r" % (errors[0],))


def per_request(pid, out_dir, port, connections, requests, close):
    """Instructions per request of the process ``pid`` (under callgrind)
    serving the reference stack on ``port``, at each number of
    ``connections`` (``close``: see send_requests): ``{connections:
    count}``."""
    path = matrix.STACKS[0].endpoints[0].path
    counts = {}
    for conns in connections:
        per = max(1, requests // conns)
        send_requests(port, path, conns, WARMUP, close)
        total = count(pid, out_dir, lambda: send_requests(
            port, path, conns, per, close))
        counts[conns] = total / (per * conns)
    return counts


def measure_host(kind, connections, requests, close, workdir, base_config):
    """``per_request`` of ``kind``'s one worker, started as bench/ starts
    it, under callgrind."""
    out_dir = os.path.join(workdir, "callgrind-" + kind)
    os.makedirs(out_dir)
    running = hostlib.RunningHost(matrix.Host(kind, 1), matrix.STACKS[0],
                                  workdir, base_config,
                                  wrapper=callgrind_command(out_dir))
    try:
        running.wait_ready()
        workers = running.workers()
        if len(workers) != 1:
            raise RuntimeError("%s: expected one worker, found %r"
                               % (kind, workers))
        return per_request(workers[0], out_dir, running.port, connections,
                           requests, close)
    finally:
        running.stop()


def measure_bare(connections, requests, close, workdir):
    """``per_request`` of bench.barehost, the least a host in Python does."""
    out_dir = os.path.join(workdir, "callgrind-bare")
    os.makedirs(out_dir)
    port = hostlib.free_port()
    proc = subprocess.Popen(
        callgrind_command(out_dir) + [sys.executable, "-m", "bench.barehost",
                                      str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=_env(), cwd=matrix.ROOT)
    try:
        deadline = time.monotonic() + hostlib.START_DEADLINE
        while True:
            if proc.poll() is not None:
                raise RuntimeError("bench.barehost exited with status %d"
                                   % proc.returncode)
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("bench.barehost did not listen")
                time.sleep(0.2)
        return per_request(proc.pid, out_dir, port, connections, requests,
                           close)
    finally:
        proc.kill()
        proc.wait()


def _env():
    """The environment of a process that imports bench and the app."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [matrix.ROOT, os.environ.get("PYTHONPATH")])))


#: The rows of the steps table: a bench.steps step, or two whose
#: difference is the row, and what it is.
STEP_ROWS = (
    (("parse-wrk",), "head to environ (request_head.parse_head), wrk's "
     "one header"),
    (("parse-sdk",), "head to environ, openstacksdk's seven headers"),
    (("bare-parse-sdk",), "the same seven split by bench.barehost, "
     "unchecked"),
    (("exchange",), "the exchange's record (http11.Exchange)"),
    (("head",), "response head (Exchange._head), the app's three headers"),
    (("access-line",), "access line (AccessLog.line, nova's format), "
     "written 16 at a time"),
    (("app-wsgiresponse", "app-joined"), "the WSGI call around the app "
     "(_WSGIResponse.run, beyond calling it and joining its body)"),
)


def measure_steps(calls, workdir):
    """Instructions per call of each bench.steps step, the loop's own
    (step ``nothing``) taken off: ``{step: count}``."""
    out_dir = os.path.join(workdir, "callgrind-steps")
    os.makedirs(out_dir)
    proc = subprocess.Popen(
        callgrind_command(out_dir) + [sys.executable, "-m", "bench.steps"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True, env=_env(), cwd=matrix.ROOT)
    try:
        if proc.stdout.readline().strip() != "ready":
            raise RuntimeError("bench.steps did not load under callgrind")
        counts = {}
        names = ["nothing", "app"] + sorted(
            {name for names, _ in STEP_ROWS for name in names})
        for name in names:
            def batch():
                proc.stdin.write("%s %d\n" % (name, calls))
                proc.stdin.flush()
                if proc.stdout.readline().strip() != "done":
                    raise RuntimeError("step %s did not finish" % name)
            counts[name] = count(proc.pid, out_dir, batch) / calls
        loop = counts.pop("nothing")
        return {name: value - loop for name, value in counts.items()}
    finally:
        proc.kill()
        proc.wait()


def steps_table(steps):
    """Markdown of ``steps`` (measure_steps), a row per STEP_ROWS."""
    lines = ["| step | k instructions a call |", "|---|---|"]
    for names, label in STEP_ROWS:
        value = steps[names[0]] - sum(steps[name] for name in names[1:])
        lines.append("| %s | %.1f |" % (label, value / 1e3))
    return "\n".join(lines) + "\n"


def table(app, hosts):
    """Markdown of the counts: ``app`` instructions per call of the app
    alone, ``hosts`` ``{kind: {connections: per request}}``. Each host's
    count, what it executes beyond the app, and that as a multiple of
    uWSGI's beyond the app with as many clients."""
    lines = ["| host | clients | k instructions/request "
             "| beyond the app alone, k | x uWSGI's beyond the app |",
             "|---|---|---|---|---|",
             "| the app alone (no host) | – | %.0f | – | – |" % (app / 1e3)]
    for kind in KINDS:
        for conns, per in sorted(hosts.get(kind, {}).items()):
            beyond = per - app
            uwsgi = hosts.get("uwsgi", {}).get(conns)
            ratio = ("%.1fx" % (beyond / (uwsgi - app))
                     if uwsgi is not None and uwsgi > app else "–")
            lines.append("| %s | %d | %.0f | %.0f | %s |" % (
                kind, conns, per / 1e3, beyond / 1e3, ratio))
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.instructions",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--connections", default="1,8",
                        help="comma-separated numbers of clients at once")
    parser.add_argument("--requests", type=int, default=600,
                        help="requests counted at each connection count, "
                        "and calls of each step")
    parser.add_argument("--kinds", default=",".join(HOST_KINDS),
                        help="comma-separated hosts, of %s (empty: none)"
                        % ", ".join(HOST_KINDS))
    parser.add_argument("--close", action="store_true",
                        help="a connection per request, Connection: close")
    parser.add_argument("--no-bare", dest="bare", action="store_false",
                        help="leave out bench.barehost")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    kinds = [kind for kind in args.kinds.split(",") if kind]
    unknown = sorted(set(kinds) - set(HOST_KINDS))
    if unknown:
        parser.error("--kinds: no host %s (of %s)"
                     % (", ".join(unknown), ", ".join(HOST_KINDS)))
    for program in ("valgrind", "callgrind_control"):
        if shutil.which(program) is None:
            parser.exit(2, "%s is not installed (apt-get install valgrind)\n"
                        % program)
    # One hash seed for every process: str hashes decide how dicts and sets
    # lay out, and so how many instructions a lookup takes (randomized, the
    # same host counted 1% apart from one start to the next).
    os.environ["PYTHONHASHSEED"] = "0"
    connections = [int(c) for c in args.connections.split(",")]
    missing = [kind for kind in kinds if not hostlib.executable(kind)]
    for kind in missing:
        print("%s is not installed: left out" % kind, file=sys.stderr)
    kinds = [kind for kind in kinds if kind not in missing]
    with tempfile.TemporaryDirectory(prefix="minova-instructions-") as work:
        base_config = hostlib.minova_base_config(work)
        steps = measure_steps(args.requests, work)
        app = steps["app"]
        results = {kind: measure_host(kind, connections, args.requests,
                                      args.close, work, base_config)
                   for kind in kinds}
        if args.bare:
            results[BARE] = measure_bare(connections, args.requests,
                                         args.close, work)
    os.makedirs(args.out, exist_ok=True)
    shape = "Connection: close" if args.close else "keep-alive"
    path = os.path.join(args.out, "reference%s.md"
                        % ("-close" if args.close else ""))
    with open(path, "w") as f:
        f.write("# Reference GET /, one worker under callgrind, %d requests "
                "at each number of clients, %s\n\n%s.\n\n%s\n"
                "## minova's steps of a request, each called alone "
                "(bench.steps)\n\n%s" % (
                    args.requests, shape, time.strftime("%Y-%m-%d %H:%M %Z"),
                    table(app, results), steps_table(steps)))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

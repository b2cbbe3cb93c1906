"""Driving a host with wrk and reading what it did: req/s, latency, errors, CPU, RSS.

One measured run is ``wrk --latency`` for the run's duration, after a wrk
warm-up (not counted) on a cell's first repetition, with ``-t`` at most 2
and never more than the connections. wrk reports through
``wrk_report.lua`` (one JSON line). Around the measured part the host's
process tree is read from /proc for CPU per request; on a multi-process
host the established connections are counted per worker half-way through
(``ss``), which shows whether the kernel spread them evenly.

wrk's latencies and req/s are those of the responses it got: a connection
the host never answers (uWSGI's ``--threads 4`` serves 4 keep-alive
connections per process, the others wait in the listen queue) adds
nothing to them. So with keep-alive, wrk's own sockets are read half a
second before the end of the run (``ss -i``): **served** is how many of its connections have
received any response bytes, which says over how many connections p99 was
taken.
"""

import collections
import json
import os
import re
import shutil
import subprocess
import threading

from bench import proctree

WRK_REPORT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "wrk_report.lua")
TIMEOUT = "2s"


def add_cell_arguments(parser, connections, duration):
    """The options of a tool that measures one cell, run by run: its
    worker processes, wrk's connections and ``--close``, the runs and
    their measured seconds."""
    parser.add_argument("--procs", type=int, default=1)
    parser.add_argument("--connections", type=int, default=connections)
    parser.add_argument("--close", action="store_true",
                        help="Connection: close instead of keep-alive")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=duration,
                        help="measured seconds of each run")


def wrk_path():
    return shutil.which("wrk")


def _wrk(url, shape, duration, headers, latency):
    args = [wrk_path(), "-t%d" % min(2, shape.connections),
            "-c%d" % shape.connections, "-d%ds" % duration,
            "--timeout", TIMEOUT, "-s", WRK_REPORT]
    if latency:
        args.append("--latency")
    for name, value in headers:
        args += ["-H", "%s: %s" % (name, value)]
    if not shape.keep_alive:
        args += ["-H", "Connection: close"]
    return subprocess.Popen(args + [url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def run_wrk(url, shape, duration, headers=()):
    """One wrk run with latency; wrk_report.lua's numbers as a dict."""
    return _finish(_wrk(url, shape, duration, headers, True), duration)


def _finish(process, duration):
    out, err = process.communicate(timeout=duration + 30)
    for line in out.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    raise RuntimeError("wrk failed: %s" % (err.strip() or out.strip()))


_SS_PID = re.compile(r"pid=(\d+)")
#: ss shows bytes_received only once it is not 0.
_SS_RECEIVED = re.compile(r"\bbytes_received:[1-9]")

#: Seconds before the end of the run that wrk's served connections are
#: counted (at half the run, if that is earlier): late enough for a slow
#: host to have answered every connection it will, early enough that
#: ``ss`` runs while wrk still holds them on a loaded machine (at 90% of
#: the smoke mode's 1 s run, a busy CI machine sometimes found wrk gone
#: and counted 0 served).
SERVED_BEFORE_END = 0.5


def served_at(duration):
    """When, in seconds into a run of ``duration``, served connections are
    counted."""
    return max(duration / 2, duration - SERVED_BEFORE_END)


def _established(port, side, info=False):
    """``ss``'s lines for the established TCP connections with ``side`` port ``port``.

    ``side`` is "sport" (the host's sockets) or "dport" (the client's);
    with ``info``, each line carries its socket's TCP counters.
    """
    out = subprocess.run(
        ["ss", "-Htnp" + ("i" if info else ""), "state", "established",
         "( %s = :%d )" % (side, port)],
        capture_output=True, text=True, timeout=10).stdout
    # With -i, each socket's counters are on an indented line of their own.
    return out.replace("\n\t", " ").splitlines()


def connections_per_worker(port, workers):
    """Established connections on ``port`` held by each worker PID."""
    counts = collections.Counter()
    for line in _established(port, "sport"):
        owners = {int(pid) for pid in _SS_PID.findall(line)}
        for pid in owners & set(workers):
            counts[pid] += 1
    return sorted((counts[pid] for pid in workers), reverse=True)


def served_connections(port, client):
    """How many of process ``client``'s connections to ``port`` received a response byte."""
    return sum(1 for line in _established(port, "dport", info=True)
               if _SS_RECEIVED.search(line)
               and str(client) in _SS_PID.findall(line))


def measure(running, path, shape, mode, headers=(), warm_up=True):
    """One measured run of ``running`` (a RunningHost); a dict of results."""
    url = running.url + path
    if warm_up and mode.warmup:
        _finish(_wrk(url, shape, mode.warmup, headers, False), mode.warmup)
    root = running.proc.pid
    workers, listeners = running.workers(), running.listeners()
    split, served = [], []
    user_before, sys_before = proctree.user_sys_seconds(root)
    process = _wrk(url, shape, mode.duration, headers, True)
    timers = []
    if shutil.which("ss"):
        if len(listeners) > 1:
            timers.append(threading.Timer(
                mode.duration / 2, lambda: split.extend(
                    connections_per_worker(running.port, listeners))))
        if shape.keep_alive:
            timers.append(threading.Timer(
                served_at(mode.duration), lambda: served.append(
                    served_connections(running.port, process.pid))))
    for timer in timers:
        timer.start()
    report = _finish(process, mode.duration)
    user, kernel = proctree.user_sys_seconds(root)
    kernel -= sys_before
    cpu = user - user_before + kernel
    for timer in timers:
        timer.join()
    requests = report["requests"]
    seconds = report["duration_us"] / 1e6
    rss = [proctree.rss_mb(pid) for pid in workers]
    return {
        "rps": requests / seconds if seconds else 0.0,
        "p50_ms": report["p50_us"] / 1000,
        "p99_ms": report["p99_us"] / 1000,
        "requests": requests,
        "errors": sum(report[k] for k in ("connect", "read", "write",
                                          "status", "timeout")),
        "cpu_us_per_request": cpu * 1e6 / requests if requests else None,
        "sys_us_per_request": kernel * 1e6 / requests if requests else None,
        "cores": cpu / seconds if seconds else None,
        "workers": len(workers),
        "rss_worker_mb": sum(rss) / len(rss) if rss else None,
        "rss_total_mb": sum(proctree.rss_mb(p) for p in proctree.tree(root)),
        "split": "/".join(map(str, split)),
        "served": served[0] if served else None,
    }

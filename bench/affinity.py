"""One reference-stack cell on each host, its workers as started and pinned: what the GIL's hand-offs between CPUs cost.

``python -m bench.affinity [--procs 1] [--connections 8] [--runs 3]``

A threaded Python host passes the GIL from thread to thread for each
request: minova from its reactor to a pool thread and back, uWSGI
(``--threads 4``) between the threads that share its connections. On a
machine with more CPUs than the process keeps busy, the thread woken for
the GIL is put on another CPU, wakes while the GIL is still held, and waits
for it with futex calls of its own: ``strace -f -c`` counts them per
request. With every thread of a worker on one CPU, the woken thread waits
in that CPU's run queue until the holder sleeps instead.

This runs one cell (keep-alive, or ``--close``) on minova, minova-inline
and uWSGI, each started as the full run starts it and once more with
every thread of its i-th worker pinned to the i-th CPU this process may
use (``sched_setaffinity``), run by run interleaved, and writes a table of
the medians: req/s, CPU per request, and the ratio to uWSGI with the same
pinning. It measures; minova itself pins nothing.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

from bench import hosts as hostlib
from bench import load, matrix

OUT = os.path.join(matrix.ROOT, "bench", "results", "affinity")
KINDS = ("minova", "minova-inline", "uwsgi")


def pin(pids):
    """Pin every thread of the i-th of ``pids`` (by pid order) to the i-th
    CPU this process may use; ``{pid: cpu}``. A thread started later
    inherits its creator's CPU."""
    cpus = sorted(os.sched_getaffinity(0))
    placed = {}
    for index, pid in enumerate(sorted(pids)):
        cpu = cpus[index % len(cpus)]
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                os.sched_setaffinity(int(tid), {cpu})
            except ProcessLookupError:
                pass  # a thread that ended since the listing
        placed[pid] = cpu
    return placed


def table(results):
    """Markdown of ``results`` (dicts of kind, pinned, rps, cpu): each host
    and pinning's median req/s and CPU µs per request, with its ratio to
    uWSGI's median under the same pinning, and to uWSGI as started."""
    groups = {}
    for result in results:
        groups.setdefault((result["kind"], result["pinned"]), []).append(
            result)

    def median(kind, pinned, field):
        runs = groups.get((kind, pinned))
        return statistics.median(r[field] for r in runs) if runs else None

    lines = ["| host | workers | req/s (runs) | CPU µs/request "
             "| vs uWSGI, same pinning | vs uWSGI as started |",
             "|---|---|---|---|---|---|"]
    for kind, pinned in sorted(groups, key=lambda key: (KINDS.index(key[0]),
                                                          key[1])):
        rps = median(kind, pinned, "rps")
        same = median("uwsgi", pinned, "rps")
        started = median("uwsgi", False, "rps")
        runs = ", ".join("%.0f" % r["rps"] for r in groups[kind, pinned])
        lines.append("| %s | %s | %.0f (%s) | %.0f | %s | %s |" % (
            kind, "pinned" if pinned else "as started", rps, runs,
            median(kind, pinned, "cpu"), _ratio(rps, same),
            _ratio(rps, started)))
    return "\n".join(lines) + "\n"


def _ratio(value, reference):
    return "%.2fx" % (value / reference) if reference else "–"


def measure(kind, procs, pinned, shape, mode, workdir, base_config):
    """One run of ``kind`` with ``procs`` processes on the reference
    stack; its result dict."""
    stack = matrix.STACKS[0]
    running = hostlib.RunningHost(
        matrix.Host(kind, procs), stack, workdir, base_config,
        closing=not shape.keep_alive and kind in matrix.CLOSE_TWIN_ARGS)
    try:
        running.wait_ready()
        if pinned:
            pin(running.workers())
        result = load.measure(running, stack.endpoints[0].path, shape, mode)
    finally:
        running.stop()
    return {"kind": kind, "pinned": pinned, "rps": result["rps"],
            "cpu": result["cpu_us_per_request"], "errors": result["errors"]}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.affinity",
                                     description=__doc__.splitlines()[0])
    load.add_cell_arguments(parser, connections=8, duration=6)
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    if load.wrk_path() is None:
        parser.exit(2, "wrk is not installed: bench/run.sh installs it "
                    "(apt-get install wrk)\n")
    kinds = [kind for kind in KINDS if hostlib.executable(kind)]
    shape = matrix.Shape(args.connections, not args.close)
    mode = matrix.Mode(reps=args.runs, warmup=2, duration=args.duration,
                       reference_shapes=(shape,))
    results = []
    with tempfile.TemporaryDirectory(prefix="minova-affinity-") as workdir:
        base_config = hostlib.minova_base_config(workdir)
        for _ in range(args.runs):
            for pinned in (False, True):
                for kind in kinds:
                    results.append(measure(kind, args.procs, pinned, shape,
                                           mode, workdir, base_config))
    name = "p%d-c%d-%s" % (args.procs, args.connections,
                           "close" if args.close else "keep-alive")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, name + ".md")
    with open(path, "w") as f:
        f.write("# Reference GET /, %d process(es), wrk -c%d %s, %d runs "
                "of %d s, interleaved\n\n%s, on %d CPUs.\n\n%s" % (
                    args.procs, args.connections, shape.label.split()[1],
                    args.runs, args.duration,
                    time.strftime("%Y-%m-%d %H:%M %Z"),
                    len(os.sched_getaffinity(0)), table(results)))
        errors = sum(r["errors"] for r in results)
        if errors:
            f.write("\nwrk counted %d errors over these runs.\n" % errors)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

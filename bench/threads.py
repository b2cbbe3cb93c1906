"""Where a request's CPU goes, thread by thread: minova's reactor and pool beside uWSGI's threads.

``python -m bench.threads [--stack reference] [--endpoint "GET /"]
[--procs 2] [--connections 1] [--close] [--runs 3] [--duration 5]``

A run's CPU per request (bench.load) says how much a host spends, not
where. This runs one cell on minova, minova-inline and uWSGI (on the
``nova`` stack, real nova hosted: minova and uWSGI), run by run
interleaved, and reads every thread of every worker from /proc before
and after each measured run: its CPU (user and kernel) and its context
switches, voluntary (it waited: a lock, a poll, the interpreter lock) and
involuntary (the scheduler took its CPU), per request. A worker's main
thread is minova's reactor (with ``thread_pool_size = 0`` it runs the
app too); the others are its pool. uWSGI's main thread serves requests
as its other threads do. The table gives each host's medians, and how
many threads a worker kept busy (at least ``BUSY`` of the run's CPU).

It measures; it changes nothing in minova. The thread split shows what a
single number cannot: the reactor's share of a request, whether the app
costs more on a pool thread than on the reactor's, and how many pool
threads actually ran.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

from bench import hosts as hostlib
from bench import load, matrix, proctree, seed

OUT = os.path.join(matrix.ROOT, "bench", "results", "threads")
KINDS = ("minova", "minova-inline", "uwsgi")
#: The share of a run's CPU a thread must have to count as busy.
BUSY = 0.02
#: Seconds of load before each measured run.
WARMUP = 2


def role(pid, tid):
    """``main`` for a worker's main thread, else ``others``."""
    return "main" if tid == pid else "others"


def summarize(kind, before, after, report):
    """One run's result from the threads' times (proctree.thread_times of
    each worker, ``{pid: {tid: times}}``) before and after it, and wrk's
    report: req/s, CPU µs per request, and per role its user and kernel
    µs, voluntary and involuntary switches per request, and its busy
    threads per worker. A thread that started during the run counts from
    zero; one that ended is not counted."""
    requests = report["requests"]
    seconds = report["duration_us"] / 1e6
    used = {}
    for pid, threads in after.items():
        for tid, now in threads.items():
            was = before.get(pid, {}).get(tid, (0.0, 0.0, 0, 0))
            used[pid, tid] = [b - a for a, b in zip(was, now)]
    total = sum(user + kernel for user, kernel, _, _ in used.values())
    roles = {}
    for (pid, tid), (user, kernel, voluntary, involuntary) in used.items():
        into = roles.setdefault(role(pid, tid), {
            "user": 0.0, "sys": 0.0, "voluntary": 0.0, "involuntary": 0.0,
            "busy": 0.0})
        into["user"] += user * 1e6 / requests
        into["sys"] += kernel * 1e6 / requests
        into["voluntary"] += voluntary / requests
        into["involuntary"] += involuntary / requests
        if total and (user + kernel) >= BUSY * total:
            into["busy"] += 1 / len(after)
    return {"kind": kind, "rps": requests / seconds,
            "cpu": total * 1e6 / requests, "roles": roles}


def table(results):
    """Markdown of ``results`` (summarize's dicts): each host's medians,
    its ratio to uWSGI's median req/s, and its threads by role."""
    by_kind = {}
    for result in results:
        by_kind.setdefault(result["kind"], []).append(result)

    def median(runs, *keys):
        values = []
        for run in runs:
            value = run
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None:
                values.append(value)
        return statistics.median(values) if values else None

    uwsgi = median(by_kind.get("uwsgi", []), "rps")
    lines = ["| host | req/s (runs) | x uWSGI | CPU µs/request "
             "| main thread: user + kernel µs | its switches, waited "
             "/ taken | other threads: user + kernel µs | their switches, "
             "waited / taken | busy other threads a worker |",
             "|---|---|---|---|---|---|---|---|---|"]
    for kind in sorted(by_kind, key=lambda k: (KINDS + (k,)).index(k)):
        runs = by_kind[kind]
        rps = median(runs, "rps")
        cells = ["%s" % kind, "%.0f (%s)" % (rps, ", ".join(
            "%.0f" % run["rps"] for run in runs)),
            "%.2fx" % (rps / uwsgi) if uwsgi else "–",
            "%.0f" % median(runs, "cpu")]
        for name in ("main", "others"):
            user = median(runs, "roles", name, "user")
            if user is None:
                cells += ["–", "–"]
                continue
            cells.append("%.0f + %.0f" % (
                user, median(runs, "roles", name, "sys")))
            cells.append("%.2f / %.2f" % (
                median(runs, "roles", name, "voluntary"),
                median(runs, "roles", name, "involuntary")))
        busy = median(runs, "roles", "others", "busy")
        cells.append("–" if busy is None else "%.1f" % busy)
        lines.append("| %s |" % " | ".join(cells))
    return "\n".join(lines) + "\n"


def measure(kind, procs, shape, stack, endpoint, headers, duration,
            workdir, base_config, hosted):
    """One measured run of ``kind`` on ``stack``; summarize's dict."""
    running = hostlib.RunningHost(
        matrix.Host(kind, procs), stack, workdir, base_config,
        closing=not shape.keep_alive and kind in matrix.CLOSE_TWIN_ARGS,
        hosted=hosted)
    try:
        running.wait_ready()
        url = running.url + endpoint.path
        load.run_wrk(url, shape, WARMUP, headers)
        workers = running.workers()
        before = {pid: proctree.thread_times(pid) for pid in workers}
        report = load.run_wrk(url, shape, duration, headers)
        after = {pid: proctree.thread_times(pid) for pid in workers}
    finally:
        running.stop()
    if not report["requests"]:
        raise SystemExit("%s answered no request in %d s (its log: %s)" % (
            running.host.label, duration, running.log_path))
    return summarize(kind, before, after, report)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.threads",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="reference",
                        choices=[s.name for s in matrix.STACKS])
    parser.add_argument("--endpoint", default="GET /")
    load.add_cell_arguments(parser, connections=1, duration=5)
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    try:
        stack, endpoint = matrix.find(args.stack, args.endpoint)
    except LookupError as exc:
        parser.error(str(exc))
    if load.wrk_path() is None:
        parser.exit(2, "wrk is not installed: bench/run.sh installs it "
                    "(apt-get install wrk)\n")
    shape = matrix.Shape(args.connections, not args.close)
    results = []
    with tempfile.TemporaryDirectory(prefix="minova-threads-") as workdir:
        base_config = hostlib.minova_base_config(workdir)
        hosted = None
        if stack.entry_point:
            from bench import hosted as hosting  # needs the test extra
            hosted = hosting.Nova(os.path.join(workdir, "hosted"))
            if hosted.missing:
                parser.exit(2, "the nova stack cannot run: %s\n"
                            % hosted.missing)
        kinds = [kind for kind in KINDS
                 if kind in (stack.kinds or KINDS)
                 and hostlib.executable(kind, hosted)]
        try:
            headers = seed.seeded_headers(
                endpoint, kinds[0], args.procs, stack, workdir, base_config,
                hosted)
            for _ in range(args.runs):
                for kind in kinds:
                    results.append(measure(
                        kind, args.procs, shape, stack, endpoint, headers,
                        args.duration, workdir, base_config, hosted))
        finally:
            if hosted is not None:
                hosted.stop()
    name = "%s-%s-p%d-c%d-%s" % (
        stack.name, "root" if endpoint.path == "/" else
        endpoint.path.strip("/").replace("/", "-"), args.procs,
        args.connections, "close" if args.close else "keep-alive")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, name + ".md")
    with open(path, "w") as f:
        f.write("# %s %s, %d process(es), wrk -c%d %s: CPU thread by thread"
                "\n\n%d runs of %d s, interleaved, %s, on %d CPUs. Per "
                "request: CPU in µs, switches as counts.\n\n%s" % (
                    stack.name, endpoint.label, args.procs,
                    args.connections, shape.label.split()[1], args.runs,
                    args.duration, time.strftime("%Y-%m-%d %H:%M %Z"),
                    len(os.sched_getaffinity(0)), table(results)))
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())

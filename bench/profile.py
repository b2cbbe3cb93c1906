"""Where a request's time goes in minova: py-spy on one minova process under wrk.

Two recordings of the same load (wrk on one endpoint, 64 keep-alive
connections unless ``--connections`` or ``--close`` say otherwise; the
endpoint's data seeded first, as the full run does; minova-inline with
``--host``):
``--idle --threads`` (wall clock of every thread, idle included) and
``--gil`` (only samples where a thread holds the GIL, i.e. the CPU the
process spends). py-spy here cannot attach to a running process, so it
starts minova itself; samples of the reactor thread outside the reactor's
main loop (start-up, shutdown) are dropped. The summary gives each thread
role's buckets as % of its wall samples, and for named hot spots their
inclusive share of GIL samples times the CPU per request measured during
the recording: µs per request.
"""

import argparse
import collections
import os
import signal
import sys
import tempfile
import time

from bench import hosts as hostlib
from bench import load, matrix, proctree, seed

OUT = os.path.join(matrix.ROOT, "bench", "results", "profile")
RATE = 200

#: What the reactor and the pool thread of a leased connection both do
#: (minova_tw.http11): first, as their frames are inside the others'.
RESPONSE_BUCKETS = (
    ("access log (AccessLog)", ("AccessLog.line (", "AccessLog.flush (")),
    ("response to socket (Exchange.deliver: head, write)",
     ("Exchange.deliver (",)),
)

#: Where the reactor thread is: the first bucket with a matching frame wins;
#: what matches none and sits in epoll's poll() is idle.
REACTOR_BUCKETS = RESPONSE_BUCKETS + (
    ("HTTP parsing, environ, dispatch (HTTP11Channel)",
     ("HTTP11Channel._process (",)),
    ("hand-off from the pool (ReactorQueue)", ("ReactorQueue._run (",)),
    ("socket write", ("doWrite (", "writeSomeData (")),
    ("socket read", ("doRead (",)),
    ("callFromThread queue, timers", ("runUntilCurrent (",)),
)

#: Where a pool thread is.
POOL_BUCKETS = RESPONSE_BUCKETS + (
    ("running the paste app", ("_WSGIResponse.run (",)),
    ("leased: the next request read and parsed (_headHere)",
     ("read_now (", "HTTP11Channel._headHere (")),
    ("leased: waiting for the client's next request (waitReadable)",
     ("_Feed.waitReadable (",)),
    ("leased: waiting in the lease loop for a next request (_Leases._take)",
     ("_Leases._take (",)),
    ("idle, waiting for work", ("_Feed.get (",)),
)

#: Where the CPU goes, each GIL sample in exactly one bucket (these add up).
GIL_BUCKETS = POOL_BUCKETS[:-1] + (
    ("hand-off to the pool (callAtTurnEnd: _Feed)",
     ("callAtTurnEnd (", "_handOver (")),) + REACTOR_BUCKETS[
        len(RESPONSE_BUCKETS):]

#: Inclusive hot spots over GIL samples, any thread.
HOT_SPOTS = (
    ("the paste app (whole stack)", ("_WSGIResponse.run (",)),
    ("head parsing into the environ (_parseHead)",
     ("HTTP11Channel._parseHead (",)),
    ("response head (Exchange._head)", ("Exchange._head (",)),
    ("access log (AccessLog)", ("AccessLog.line (", "AccessLog.flush (")),
    ("twisted.logger emit (any)", ("Logger.emit (",)),
    ("callFromThread / waker", ("callFromThread (", "wakeUp (")),
    ("hand-off to the pool (callAtTurnEnd: _Feed)",
     ("callAtTurnEnd (", "_handOver (")),
    ("socket write (writeSomeData)", ("writeSomeData (",)),
    ("socket read (doRead)", ("doRead (",)),
    ("webob", ("webob/",)),
    ("oslo_middleware", ("oslo_middleware/",)),
    ("uuid4 (request ids)", ("uuid4 (",)),
)


def _samples(path):
    """(thread name, [frames root to leaf], count) from py-spy's raw output.

    A line is ``thread (TID): NAME;frame;...;frame COUNT``, each frame
    ``qualified.name (path/file.py:line)``.
    """
    with open(path) as f:
        for line in f:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            thread, *frames = stack.split(";")
            yield thread.partition(": ")[2], frames, int(count)


def _role(thread, frames):
    """The thread's role, or None for start-up samples (no reactor yet)."""
    if not thread:
        return None
    if thread == "MainThread":
        if not any("mainLoop (" in f for f in frames):
            return None
        return "reactor thread"
    if thread.startswith("PoolThread"):
        return "pool threads"
    return "other threads"


def _bucket(frames, buckets):
    for label, needles in buckets:
        if any(n in f for f in frames for n in needles):
            return label
    if frames and "doPoll (" in frames[-1]:
        return "idle in epoll_wait"
    return "other"


def summarize(wall_path, gil_path, cpu_us):
    """The Markdown summary of both recordings."""
    roles = collections.defaultdict(collections.Counter)
    for thread, frames, count in _samples(wall_path):
        role = _role(thread, frames)
        if role is None:
            continue
        buckets = (REACTOR_BUCKETS if role == "reactor thread" else
                   POOL_BUCKETS)
        roles[role][_bucket(frames, buckets)] += count
    lines = ["### Wall clock (--idle --threads): where each thread role is",
             ""]
    for role in ("reactor thread", "pool threads", "other threads"):
        counter = roles.get(role)
        if not counter:
            continue
        total = sum(counter.values())
        lines += ["| %s (%d samples) | %% of its wall time |" % (role, total),
                  "|---|---|"]
        lines += ["| %s | %.1f |" % (label, 100 * n / total)
                  for label, n in counter.most_common()]
        lines.append("")
    spots = collections.Counter()
    leaves = collections.Counter()
    buckets = collections.Counter()
    total = 0
    for thread, frames, count in _samples(gil_path):
        if _role(thread, frames) is None:
            continue
        total += count
        leaves[frames[-1] if frames else "?"] += count
        buckets[_bucket(frames, GIL_BUCKETS)] += count
        for label, needles in HOT_SPOTS:
            if any(n in f for f in frames for n in needles):
                spots[label] += count
    lines += ["### GIL held (--gil): %d samples, CPU %.0f µs per request"
              % (total, cpu_us), "", "Each sample in one bucket (first "
              "match, so a bucket excludes those above it):", "",
              "| bucket | % of GIL samples | ≈ µs per request |",
              "|---|---|---|"]
    lines += ["| %s | %.1f | %.0f |" % (label, 100 * n / total,
                                       n / total * cpu_us)
              for label, n in buckets.most_common()]
    lines += ["", "Inclusive hot spots (a sample counts for every spot on "
              "its stack):", "",
              "| hot spot | % of GIL samples | ≈ µs per request |",
              "|---|---|---|"]
    for label, _ in HOT_SPOTS:
        share = spots[label] / total if total else 0
        lines.append("| %s | %.1f | %.0f |" % (label, 100 * share,
                                               share * cpu_us))
    lines += ["", "Top leaf frames (GIL samples):", "",
              "| leaf frame | % |", "|---|---|"]
    lines += ["| `%s` | %.1f |" % (leaf, 100 * n / total)
              for leaf, n in leaves.most_common(15)]
    return "\n".join(lines) + "\n"


def record(stack, endpoint, seconds, flags, output, workdir, base_config,
           shape=matrix.FOCUS, headers=(), kind="minova"):
    """Run minova under py-spy with ``flags`` while wrk loads it.

    Returns (requests per second, CPU µs per request) of the recording.
    """
    pyspy = hostlib.find_program("py-spy")
    if pyspy is None:
        raise SystemExit("py-spy is not installed: bench/run.sh installs it")
    host = hostlib.RunningHost(
        matrix.Host(kind, 1), stack, workdir, base_config,
        wrapper=[pyspy, "record", "--rate", str(RATE), "--format", "raw",
                 "--output", output, "--threads"] + flags + ["--"])
    try:
        host.wait_ready()
        minova = [p for p in proctree.tree(host.proc.pid)
                  if p != host.proc.pid][0]
        cpu = proctree.cpu_seconds(minova)
        wrk = load.run_wrk(host.url + endpoint.path, shape, seconds,
                           headers)
        cpu = proctree.cpu_seconds(minova) - cpu
        os.kill(minova, signal.SIGTERM)
        host.proc.wait(60)
    finally:
        host.stop()
    return (wrk["requests"] / seconds,
            cpu * 1e6 / wrk["requests"] if wrk["requests"] else 0.0)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/profile.sh",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="reference",
                        choices=[s.name for s in matrix.STACKS
                                 if not s.entry_point])
    parser.add_argument("--endpoint", default="GET /")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int,
                        default=matrix.FOCUS.connections)
    parser.add_argument("--close", action="store_true",
                        help="Connection: close instead of keep-alive")
    parser.add_argument("--host", default="minova",
                        choices=("minova", "minova-inline"),
                        help="minova-inline: [wsgi] thread_pool_size = 0")
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    try:
        stack, endpoint = matrix.find(args.stack, args.endpoint)
    except LookupError as exc:
        parser.error(str(exc))
    os.makedirs(args.out, exist_ok=True)
    wall = os.path.join(args.out, "wall.txt")
    gil = os.path.join(args.out, "gil.txt")
    with tempfile.TemporaryDirectory(prefix="minova-profile-") as workdir:
        base_config = hostlib.minova_base_config(workdir)
        shape = matrix.Shape(args.connections, not args.close)
        headers = seed.seeded_headers(endpoint, args.host, 1, stack,
                                      workdir, base_config)
        rps_wall, _ = record(stack, endpoint, args.seconds, ["--idle"], wall,
                             workdir, base_config, shape, headers, args.host)
        rps_gil, cpu_us = record(stack, endpoint, args.seconds, ["--gil"],
                                 gil, workdir, base_config, shape, headers,
                                 args.host)
    summary = os.path.join(args.out, "summary.md")
    with open(summary, "w") as f:
        f.write("# py-spy profile of %s-p1: %s %s, wrk -%s, "
                "%d s per recording at %d Hz\n\n%s. With py-spy attached: "
                "%.0f req/s (wall recording), %.0f req/s (GIL recording).\n\n"
                % (args.host, stack.name, endpoint.label, shape.label,
                   args.seconds, RATE,
                   time.strftime("%Y-%m-%d %H:%M %Z"), rps_wall, rps_gil))
        f.write(summarize(wall, gil, cpu_us))
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())

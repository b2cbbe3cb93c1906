"""One benchmark run: seed, start every host per stack, interleave the measured runs.

The machine is shared and noisy, so nothing is measured back to back: all
hosts of a stack are started at once (idle ones cost next to nothing), and
each repetition walks endpoint -> load shape -> host, so a burst of noise
hits every host a little instead of one host a lot. Results are records
(one per measured run, or one per skipped cell with its reason) that
``bench.report`` turns into tables.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench import hosts as hostlib
from bench import load, matrix, seed


def log(message):
    print(message, file=sys.stderr, flush=True)


def select_hosts(mode, kinds=None, stack=None, hosted=None):
    """The hosts of this mode that serve ``stack`` (smoke: the minova-p1
    hosts, one other installed and each of matrix.PEERS installed, from
    ``hosted``'s venv for a stack with an entry point)."""
    selected = [h for h in matrix.HOSTS if (kinds is None or h.kind in kinds)
                and (stack is None or stack.kinds is None
                     or h.kind in stack.kinds)]
    if not mode.smoke_hosts:
        return selected
    single = [h for h in selected if h.procs == 1]
    installed = [h for h in single if h.kind not in matrix.MINOVA_KINDS
                 and hostlib.executable(h.kind, hosted)]
    others = [h for h in installed if h.kind not in matrix.PEERS]
    return ([h for h in single if h.kind in matrix.MINOVA_KINDS]
            + others[:1] + [h for h in installed if h.kind in matrix.PEERS])


def _start(hosts, stack, workdir, base_config, closing=False, hosted=None):
    """Start every host (``closing``: their close twins, matrix.CLOSE_TWIN_ARGS);
    ({label: RunningHost}, {label: reason not running})."""
    running, down = {}, {}
    for host in hosts:
        if host.unsupported:
            down[host.label] = host.unsupported
            continue
        if hostlib.executable(host.kind, hosted) is None:
            down[host.label] = "%s is not installed%s" % (
                host.kind, " in the hosting venv" if hosted else "")
            continue
        # One at a time: minova's stacks migrate their shared database on
        # first load, which must not race.
        candidate = hostlib.RunningHost(host, stack, workdir, base_config,
                                        closing=closing, hosted=hosted)
        try:
            candidate.wait_ready()
        except hostlib.HostDown as exc:
            candidate.stop()
            down[host.label] = str(exc)
            continue
        running[host.label] = candidate
    return running, down


def _probe(endpoint, host, seeds):
    """Why ``endpoint`` cannot be measured on ``host``, or None if it answers."""
    status, _ = host.get(endpoint.path,
                         seed.endpoint_headers(endpoint, seeds))
    if status == 404:
        return "answers 404 on %s (not in minova yet)" % host.host.label
    if status >= 400:
        return "answers %d on %s" % (status, host.host.label)
    return None


def _seed(stacks, mode, workdir, base_config):
    """Seed the database through a minova serving the compute stack."""
    steps = {e.seed for s in stacks if not s.entry_point
             for e in s.endpoints
             if e.seed and (mode.endpoints is None
                            or e.label in mode.endpoints)}
    if not steps:
        return {}
    compute = next(s for s in matrix.STACKS if s.name == "compute")
    host = hostlib.RunningHost(matrix.Host("minova", 1), compute, workdir,
                               base_config)
    try:
        host.wait_ready()
        log("seeding %s through %s" % (", ".join(sorted(steps)), host.url))
        return seed.seed(host.url, steps)
    except hostlib.HostDown as exc:
        log("seeding failed: minova-p1 %s" % exc)
        return {step: (None, "seed host minova-p1 %s" % exc)
                for step in steps}
    finally:
        host.stop()


def run(mode, stacks=None, kinds=None, keep_work=False):
    """Run the matrix; return (records, meta).

    A stack with an entry point (real nova) runs when ``stacks`` names it,
    or when none are named and the mode runs them.
    """
    stacks = [s for s in matrix.STACKS
              if (s.name in stacks if stacks is not None
                  else mode.hosted or not s.entry_point)]
    workdir = tempfile.mkdtemp(prefix="minova-bench-")
    base_config = hostlib.minova_base_config(workdir)
    started = time.time()
    records = []
    labels = []
    floor = (measure_floor() if any(s.name == "reference" for s in stacks)
             else None)
    hosted = None
    try:
        seeds = _seed(stacks, mode, workdir, base_config)
        for stack in stacks:
            endpoints = [e for e in stack.endpoints if mode.endpoints is None
                         or e.label in mode.endpoints]
            if stack.entry_point and hosted is None:
                hosted = _hosted(workdir)
            hosts = select_hosts(mode, kinds, stack,
                                 hosted if stack.entry_point else None)
            labels += [h.label for h in hosts if h.label not in labels]
            if endpoints:
                records += _run_stack(stack, endpoints, hosts, mode, seeds,
                                      workdir, base_config,
                                      hosted if stack.entry_point else None)
    finally:
        if hosted is not None:
            hosted.stop()
        if keep_work:
            log("work files (configs, host logs, database) kept in "
                + workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    meta = {"started": time.strftime("%Y-%m-%d %H:%M:%S %Z",
                                     time.localtime(started)),
            "minutes": (time.time() - started) / 60,
            "hosts": labels, "floor": floor}
    return records, meta


def _hosted(workdir):
    """Real nova set up for the stacks with an entry point (bench.hosted)."""
    # Imported only here: bench.hosted sets nova up with the hosting tests'
    # helpers, which need the test extra; the other stacks do not.
    from bench import hosted
    log("setting up nova 34 for the hosted stack (nova-manage)")
    return hosted.Nova(os.path.join(workdir, "hosted"))


def measure_floor():
    """``bench.floor``'s numbers, from a clean interpreter of their own;
    ``{"error": why}`` if it failed."""
    log("measuring the reference app with no host (bench.floor)")
    result = subprocess.run(
        [sys.executable, "-m", "bench.floor"], cwd=matrix.ROOT,
        capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or ["(no output)"]
        return {"error": "bench.floor exited with status %d: %s" % (
            result.returncode, lines[-1])}
    return json.loads(result.stdout)


def _run_stack(stack, endpoints, hosts, mode, seeds, workdir, base_config,
               hosted=None):
    """Measure ``stack``; the first host (minova-p1) decides what runs.

    An endpoint whose seed step failed, or that minova-p1 does not serve,
    is skipped before the other hosts start; when nothing is left (or
    minova-p1 itself cannot serve the stack) no other host is started.
    ``hosted`` serves a stack with an entry point; its seed steps run
    through minova-p1, once it serves.
    """
    records = []
    twins = {}

    def skip(endpoint, reason, host="*"):
        log("  skip %s %s: %s" % (endpoint.label, host, reason))
        records.append({"stack": stack.name, "endpoint": endpoint.label,
                        "host": host, "skipped": reason})

    if hosted is not None and hosted.missing:
        for endpoint in endpoints:
            skip(endpoint, hosted.missing)
        return records
    live = []
    for endpoint in endpoints:
        reason = (endpoint.seed and not hosted
                  and seeds[endpoint.seed][1])
        if reason:
            skip(endpoint, reason)
        else:
            live.append(endpoint)
    if not live:
        return records
    log("stack %s: starting %s" % (stack.name,
                                   ", ".join(h.label for h in hosts)))
    running, down = _start(hosts[:1], stack, workdir, base_config,
                           hosted=hosted)
    if not running:
        for endpoint in live:
            skip(endpoint, "%s %s" % next(iter(down.items())))
        return records
    first = next(iter(running.values()))
    if hosted is not None:
        seeds = dict(seeds, **seed.seed(first.url, {
            e.seed for e in live if e.seed}))
    for endpoint in list(live):
        reason = ((endpoint.seed and seeds[endpoint.seed][1])
                  or _probe(endpoint, first, seeds))
        if reason:
            skip(endpoint, reason)
            live.remove(endpoint)
    try:
        if live:
            more, down = _start(hosts[1:], stack, workdir, base_config,
                                hosted=hosted)
            running.update(more)
            for endpoint in live:
                for label, reason in down.items():
                    skip(endpoint, reason, label)
            if any(not shape.keep_alive for endpoint in live
                   for shape in matrix.shapes(mode, stack, endpoint)):
                twins, _ = _start([h for h in hosts if h.label in running
                                   and h.kind in matrix.CLOSE_TWIN_ARGS],
                                  stack, workdir, base_config, closing=True,
                                  hosted=hosted)
        for rep in range(mode.reps):
            for endpoint in live:
                records += _measure_all(running, twins, stack, endpoint,
                                        mode, seeds, rep + 1)
    finally:
        for host in [*running.values(), *twins.values()]:
            host.stop()
    return records


def _measure_all(running, twins, stack, endpoint, mode, seeds, rep):
    """One repetition of ``endpoint``: every shape on every running host.

    Close shapes run on a host's twin in ``twins`` if it has one, and are
    skipped on a host whose response would not tell wrk to reconnect.
    """
    records = []
    headers = seed.endpoint_headers(endpoint, seeds)
    for shape in matrix.shapes(mode, stack, endpoint):
        for label, host in running.items():
            if not shape.keep_alive:
                host = twins.get(label, host)
                if not host.says_close(endpoint.path, headers):
                    records.append({
                        "stack": stack.name, "host": label,
                        "endpoint": "%s, %s" % (endpoint.label, shape.label),
                        "skipped": "does not answer Connection: close with "
                                   "it, so wrk would reuse the connection"})
                    continue
            result = load.measure(host, endpoint.path, shape, mode, headers,
                                  warm_up=rep == 1)
            log("  rep %d %s %s %s: %.0f req/s, p99 %.1f ms, %s errors" % (
                rep, endpoint.label, shape.label, label, result["rps"],
                result["p99_ms"], result["errors"]))
            records.append(dict(
                result, stack=stack.name, endpoint=endpoint.label,
                host=label, kind=host.host.kind, procs=host.host.procs,
                connections=shape.connections, keep_alive=shape.keep_alive,
                rep=rep))
    return records

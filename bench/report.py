"""Turning run records into the tables: results.md, results.csv and results.png.

Every number is a median over the repetitions of one cell (stack, endpoint,
host, load shape), and every ratio is to uWSGI (or granian, beside it)
with the same number of processes measured in the same run: absolute
numbers move with the machine's noise, ratios much less. results.md also
checks issue #18's and issue #9's targets and sets minova's CPU per request
beside real nova 34.0.0's.
"""

import csv
import os
import platform
import statistics

from bench import matrix

COLUMNS = ("stack", "endpoint", "host", "procs", "connections", "keep_alive",
           "runs", "rps", "rps_min", "rps_max", "ratio_to_uwsgi",
           "ratio_to_granian", "p50_ms",
           "p99_ms", "errors", "cpu_us_per_request", "sys_us_per_request",
           "cores",
           "rss_worker_mb", "rss_total_mb", "conn_split",
           "served_connections", "skipped")


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(records):
    """One row per cell (dicts with COLUMNS), skipped cells included."""
    cells = {}
    rows = []
    for record in records:
        if record.get("skipped"):
            rows.append({"stack": record["stack"],
                         "endpoint": record["endpoint"],
                         "host": record["host"],
                         "skipped": record["skipped"]})
            continue
        key = (record["stack"], record["endpoint"], record["host"],
               record["connections"], record["keep_alive"])
        cells.setdefault(key, []).append(record)
    for (stack, endpoint, host, conns, keep_alive), runs in cells.items():
        rps = [r["rps"] for r in runs]
        rows.append({
            "stack": stack, "endpoint": endpoint, "host": host,
            "procs": runs[0]["procs"], "connections": conns,
            "keep_alive": keep_alive, "runs": len(runs),
            "rps": _median(rps), "rps_min": min(rps), "rps_max": max(rps),
            "p50_ms": _median(r["p50_ms"] for r in runs),
            "p99_ms": _median(r["p99_ms"] for r in runs),
            "errors": sum(r["errors"] for r in runs),
            "cpu_us_per_request": _median(r["cpu_us_per_request"]
                                          for r in runs),
            "sys_us_per_request": _median(r.get("sys_us_per_request")
                                          for r in runs),
            "cores": _median(r["cores"] for r in runs),
            "rss_worker_mb": _median(r["rss_worker_mb"] for r in runs),
            "rss_total_mb": _median(r["rss_total_mb"] for r in runs),
            "conn_split": " ".join(r["split"] for r in runs if r["split"]),
            "served_connections": _median(r.get("served") for r in runs),
            "skipped": "",
        })
    measured = {_cell(r): r for r in rows if not r["skipped"]}
    for row in measured.values():
        for kind in (matrix.BASELINE, "granian"):
            base = measured.get(_cell(row, "%s-p%d" % (kind, row["procs"])))
            row["ratio_to_" + kind] = (row["rps"] / base["rps"]
                                       if base and base["rps"] else None)
    return rows


def _cell(row, host=None):
    return (row["stack"], row["endpoint"], host or row["host"],
            row.get("connections"), row.get("keep_alive"))


def write(records, meta, mode_name, out):
    """Write results.md, results.csv and results.png into ``out``."""
    os.makedirs(out, exist_ok=True)
    rows = aggregate(records)
    with open(os.path.join(out, "results.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv(row.get(k)) for k in COLUMNS})
    plotted = _plot(rows, os.path.join(out, "results.png"))
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(markdown(rows, meta, mode_name, plotted))
    return rows


def _csv(value):
    return "%.3f" % value if isinstance(value, float) else value


def _num(value, spec="%.0f"):
    return "–" if value is None else spec % value


def markdown(rows, meta, mode_name, plotted=False):
    measured = [r for r in rows if not r["skipped"]]
    lines = [
        "# minova bench: %s run" % mode_name, "",
        "Started %s, %.1f min, on %d CPUs (%s, Python %s); wrk shares the "
        "cores with the hosts. Every number is the median of the runs of "
        "its cell; **x uWSGI** (**x granian**) is the ratio of req/s to uWSGI "
        "(granian) with the same processes in this run. CPU is utime+stime of the host's process "
        "tree per request; RSS is per worker process. conn split: "
        "established connections per worker half-way through each run; "
        "served: how many of wrk's connections had received a response "
        "half a second before the end of the run (keep-alive only)." % (
            meta["started"], meta["minutes"], os.cpu_count(),
            platform.release(), platform.python_version()), ""]
    if plotted:
        lines += ["![req/s as a ratio to uWSGI](results.png)", ""]
    lines += (_peer_targets(measured) + _targets(measured) + _nova(measured)
              + _floors(measured, meta.get("floor")))
    order = {h.label: i for i, h in enumerate(matrix.HOSTS)}
    cells = sorted({(r["stack"], r["endpoint"], r["connections"],
                     r["keep_alive"]) for r in measured},
                   key=lambda c: (_stack_index(c[0]), c[1], not c[3], c[2]))
    for stack, endpoint, conns, keep_alive in cells:
        lines += ["## %s %s, c=%d %s" % (
            stack, endpoint, conns, "keep-alive" if keep_alive else
            "Connection: close"), "",
            "| host | req/s | min–max | x uWSGI | x granian | p50 ms | p99 ms "
            "| errors | CPU µs/req | RSS/worker MB | conn split | served |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        group = [r for r in measured if (r["stack"], r["endpoint"],
                 r["connections"], r["keep_alive"]) == (stack, endpoint,
                                                         conns, keep_alive)]
        for r in sorted(group, key=lambda r: order.get(r["host"], 99)):
            lines.append("| %s | %s | %s–%s | %s | %s | %s | %s | %d | %s "
                         "| %s | %s | %s |" % (
                             r["host"], _num(r["rps"]), _num(r["rps_min"]),
                             _num(r["rps_max"]),
                             _num(r["ratio_to_uwsgi"], "%.2f"),
                             _num(r["ratio_to_granian"], "%.2f"),
                             _num(r["p50_ms"], "%.2f"),
                             _num(r["p99_ms"], "%.2f"), r["errors"],
                             _num(r["cpu_us_per_request"]),
                             _num(r["rss_worker_mb"], "%.1f"),
                             r["conn_split"] or "–", _served(r)))
        lines.append("")
    skipped = sorted({(r["stack"], r["endpoint"], r["host"], r["skipped"])
                      for r in rows if r["skipped"]})
    if skipped:
        lines += ["## Skipped", "", "| stack | endpoint | host | why |",
                  "|---|---|---|---|"]
        lines += ["| %s | %s | %s | %s |" % s for s in skipped]
        lines.append("")
    return "\n".join(lines)


def _served(row):
    """"served/connections" of a row, or "–" when not counted."""
    served = row.get("served_connections")
    if served is None:
        return "–"
    return "%g/%d" % (served, row["connections"])


def _stack_index(name):
    return [s.name for s in matrix.STACKS].index(name)


def _find(measured, stack, endpoint, host, shape=matrix.FOCUS):
    for r in measured:
        if (r["stack"], r["endpoint"], r["host"], r["connections"],
                r["keep_alive"]) == (stack, endpoint, host, shape.connections,
                                     shape.keep_alive):
            return r
    return None


def _reference(measured, shape, *labels):
    """The reference stack's GET / row of each host in ``labels`` at
    ``shape``, None where it was not measured."""
    return [_find(measured, "reference", "GET /", label, shape)
            for label in labels]


def _faster(measured, name, host, other, factor):
    """A target row: ``host``'s req/s on the reference stack at least ``factor`` times ``other``'s."""
    mine, theirs = _reference(measured, matrix.FOCUS, host, other)
    both = mine and theirs and theirs["rps"]
    return _check(name, both and "%.2fx" % (mine["rps"] / theirs["rps"]),
                  ">= %.1fx" % factor,
                  both and mine["rps"] >= factor * theirs["rps"],
                  "%s not measured" % (other if mine else host))


def _check(name, value, target, ok, why_missing):
    if value is None:
        return "| %s | – | %s | n/a: %s |" % (name, target, why_missing)
    return "| %s | %s | %s | %s |" % (name, value, target,
                                      "PASS" if ok else "FAIL")


#: How the targets table names the hosts minova is compared with.
TARGET_NAMES = {"uwsgi": "uWSGI", "gunicorn-sync": "gunicorn sync",
                "granian": "granian"}

#: Under the targets table: what wrk's p99 covers.
P99_NOTE = (
    "p99 is wrk's, over the responses it got, so it covers only the "
    "connections a host served: uWSGI with `--threads 4` answers 4 "
    "keep-alive connections per process and leaves the rest of wrk's "
    "waiting in its listen queue, with no response to time, while minova "
    "answers all of them. The p99 rows therefore compare p99 over served "
    "connections, and say how many were served (**served** in the tables "
    "below: connections that had a response half a second before the "
    "end of the run).")


#: The req/s targets: (name suffix, minova host kind, other kind, factor).
RPS_TARGETS = (("", "minova", "uwsgi", 1.0),
               (", inline", "minova-inline", "uwsgi", 1.2),
               ("", "minova", "gunicorn-sync", 2.0))


#: Issue #18's req/s targets for the threaded default: (other host kind,
#: factor) at every keep-alive shape of FULL_SHAPES, and the close ones
#: at 2 processes against uWSGI.
PEER_TARGETS = (("uwsgi", 1.0), ("granian", 1.0))
CLOSE_FACTOR = 0.9
#: p99 at c=8 (matrix.ALL_SERVED) may be this many times uWSGI's.
P99_FACTOR = 1.5


def _ratio_row(measured, name, mine, other, shape, factor):
    """A row: ``mine``'s req/s on the reference stack at ``shape`` at least
    ``factor`` times ``other``'s."""
    rows = _reference(measured, shape, mine, other)
    if not (all(rows) and rows[1]["rps"]):
        return _check(name, None, ">= %.1fx" % factor, False,
                      "%s not measured" % " and ".join(
                          label for label, row in zip((mine, other), rows)
                          if not row))
    ratio = rows[0]["rps"] / rows[1]["rps"]
    return _check(name, "%.2fx (%.0f vs %.0f req/s)" % (
        ratio, rows[0]["rps"], rows[1]["rps"]), ">= %.1fx" % factor,
        ratio >= factor, None)


def _peer_targets(measured):
    """Issue #18's targets for the threaded default (minova-p1, -p2) on the
    reference stack: req/s against uWSGI and granian at every keep-alive
    shape, p99 at c=8, and Connection: close at 2 processes."""
    lines = ["## Targets of issue #18: the threaded default against uWSGI "
             "and granian", "",
             "| target | measured | wanted | verdict | no thread hop |",
             "|---|---|---|---|---|"]
    keep_alive = [s for s in matrix.FULL_SHAPES if s.keep_alive]
    for procs in (1, 2):
        mine = "minova-p%d" % procs
        for shape in keep_alive:
            for kind, factor in PEER_TARGETS:
                other = "%s-p%d" % (kind, procs)
                lines.append(_ratio_row(
                    measured, "reference, %dp, c=%d keep-alive: req/s vs %s"
                    % (procs, shape.connections, TARGET_NAMES[kind]),
                    mine, other, shape, factor)
                    + _no_hop(measured, procs, other, shape, "rps"))
        lines.append(_p99_at_c8(measured, procs) + _no_hop(
            measured, procs, "uwsgi-p%d" % procs, matrix.ALL_SERVED,
            "p99_ms"))
    for shape in matrix.FULL_SHAPES:
        if not shape.keep_alive:
            lines.append(_ratio_row(
                measured, "reference, 2p, c=%d Connection: close: req/s vs "
                "uWSGI" % shape.connections, "minova-p2", "uwsgi-p2", shape,
                CLOSE_FACTOR) + _no_hop(measured, 2, "uwsgi-p2", shape,
                                        "rps"))
    return lines + ["", NO_HOP_NOTE, "",
                    "Cells a run does not measure (`--quick` has only "
                    "c=64 keep-alive) say n/a; the full run has them all.",
                    ""]


#: Under issue #18's targets: what the last column says.
NO_HOP_NOTE = (
    "**no thread hop**: the same ratio for minova-inline (`[wsgi] "
    "thread_pool_size = 0`: the app runs in the reactor thread) in the "
    "same cell: the same HTTP/1.1 layer with no hand-off to a thread at "
    "all. Where it misses the target too, the hand-off is not the whole "
    "gap: the rest is minova's HTTP/1.1 layer in Python, the kernel's "
    "share and the app (the \"Floors\" section). Where the threads "
    "overlap the kernel's share, the default can be ahead of it.")


def _no_hop(measured, procs, other, shape, key):
    """The last column of an issue #18 row: minova-inline's ``key`` (rps
    or p99_ms) over ``other``'s in the same cell, or "–"."""
    mine, theirs = _reference(measured, shape, "minova-inline-p%d" % procs,
                              other)
    if not (mine and theirs and theirs[key]):
        return " – |"
    return " %.2fx |" % (mine[key] / theirs[key])


def _p99_at_c8(measured, procs):
    """minova's p99 at c=8 against uWSGI's, with every one of minova's
    connections served."""
    shape = matrix.ALL_SERVED
    mine, uwsgi = _reference(measured, shape, "minova-p%d" % procs,
                             "uwsgi-p%d" % procs)
    both = mine and uwsgi
    all_served = both and mine.get("served_connections") == shape.connections
    return _check(
        "reference, %dp, c=%d: p99 vs uWSGI, every connection served"
        % (procs, shape.connections),
        both and "%.1f vs %.1f ms (%.2fx; served %s vs %s)" % (
            mine["p99_ms"], uwsgi["p99_ms"], mine["p99_ms"] / uwsgi["p99_ms"]
            if uwsgi["p99_ms"] else float("inf"), _served(mine),
            _served(uwsgi)),
        "<= %.1fx, %d/%d served" % (P99_FACTOR, shape.connections,
                                    shape.connections),
        both and all_served and mine["p99_ms"] <= P99_FACTOR * uwsgi["p99_ms"],
        "minova-p%d or uwsgi-p%d not measured at c=%d" % (
            procs, procs, shape.connections))


def _targets(measured):
    """Issue #9's targets, read off the focus shape (c=64 keep-alive)."""
    lines = ["## Targets (c=64 keep-alive)", "",
             "| target | measured | wanted | verdict |", "|---|---|---|---|"]
    ref = "reference", "GET /"
    for procs in (1, 2):
        mine = _find(measured, *ref, "minova-p%d" % procs)
        uwsgi = _find(measured, *ref, "uwsgi-p%d" % procs)
        missing = "minova-p%d not measured" % procs
        both = mine and uwsgi
        for name, host, other, factor in RPS_TARGETS:
            lines.append(_faster(
                measured, "reference, %dp%s: req/s vs %s" % (
                    procs, name, TARGET_NAMES[other]),
                "%s-p%d" % (host, procs), "%s-p%d" % (other, procs), factor))
        lines.append(_check(
            "reference, %dp: p99 vs uWSGI" % procs,
            both and "%.1f vs %.1f ms (served %s vs %s)" % (
                mine["p99_ms"], uwsgi["p99_ms"], _served(mine),
                _served(uwsgi)),
            "<= uWSGI", both and mine["p99_ms"] <= uwsgi["p99_ms"], missing))
        if procs == 2:
            lines.append(_p99_all_served(measured))
        lines.append(_check(
            "reference, %dp: RSS per worker vs uWSGI" % procs,
            both and "%.1f vs %.1f MB" % (mine["rss_worker_mb"],
                                         uwsgi["rss_worker_mb"]),
            "<= uWSGI",
            both and mine["rss_worker_mb"] <= uwsgi["rss_worker_mb"],
            missing))
    two = _find(measured, *ref, "minova-p2")
    spread = two and (two["rps_max"] - two["rps_min"]) / two["rps"]
    lines.append(_check(
        "reference, 2p: run-to-run spread (max-min)/median",
        two and "%.0f%%, splits %s" % (100 * spread, two["conn_split"] or
                                       "–"),
        "<= 20%, even splits", two and spread <= 0.2,
        "minova-p2 not measured"))
    base, why_base = _cpu(_find(measured, *ref, "minova-p1"))
    for endpoint, factor in (("GET /", 1.3), ("GET /v2.1/flavors/detail", 2)):
        own, why = _cpu(_find(measured, "compute", endpoint, "minova-p1"))
        both = own and base
        lines.append(_check(
            "compute %s: CPU vs reference GET /" % endpoint,
            both and "%.2fx (%.0f vs %.0f µs)" % (own / base, own, base),
            "<= %.1fx" % factor, both and own <= factor * base,
            why or why_base))
    return lines + ["", P99_NOTE, ""]


def _p99_all_served(measured):
    """The 2-process p99 row at c=8, where uWSGI too serves every connection."""
    shape = matrix.ALL_SERVED
    mine, uwsgi = _reference(measured, shape, "minova-p2", "uwsgi-p2")
    both = mine and uwsgi
    return _check(
        "reference, 2p: p99 vs uWSGI at c=%d (extra: every connection "
        "served)" % shape.connections,
        both and "%.1f vs %.1f ms (served %s vs %s)" % (
            mine["p99_ms"], uwsgi["p99_ms"], _served(mine), _served(uwsgi)),
        "<= uWSGI", both and mine["p99_ms"] <= uwsgi["p99_ms"],
        "c=%d not measured (full run only)" % shape.connections)


def _cpu(row):
    """(CPU µs per request, None) of a row, or (None, why there is none)."""
    if row is None:
        return None, "not measured"
    if row["cpu_us_per_request"] is None:
        return None, "no request completed"
    return row["cpu_us_per_request"], None


#: Under the nova table: which minova host compares with nova how.
NOVA_NOTE = (
    "The verdict is minova-p1's, the default threaded path. nova's figures "
    "are uWSGI with one thread per process, so no thread hop: "
    "minova-inline-p1 (`[wsgi] thread_pool_size = 0`) is the like-for-like "
    "configuration, shown beside it.")


def _nova(measured):
    """minova-p1's CPU per request beside real nova 34.0.0's."""
    lines = ["## CPU per request: minova-p1 vs nova 34.0.0 (c=64 keep-alive)",
             "", "| endpoint | minova µs | nova µs | minova/nova | budget "
             "| verdict | inline µs | inline/nova |",
             "|---|---|---|---|---|---|---|---|"]
    for stack in matrix.STACKS:
        for endpoint in stack.endpoints:
            if endpoint.nova_cpu_ms is None:
                continue
            nova = endpoint.nova_cpu_ms * 1000
            shape = matrix.focus(endpoint)
            mine, why = _cpu(_find(measured, stack.name, endpoint.label,
                                   "minova-p1", shape))
            label = endpoint.label
            if shape != matrix.FOCUS:
                label += " at c=%d" % shape.connections
            inline, _ = _cpu(_find(measured, stack.name, endpoint.label,
                                   "minova-inline-p1", shape))
            inline_cells = ("%.0f | 1/%.1f" % (inline, nova / inline)
                            if inline else "– | –")
            if mine is None:
                lines.append("| %s | – | %.0f | – | <= 1/%g | n/a: %s | %s |"
                             % (label, nova, 1 / endpoint.nova_share, why,
                                inline_cells))
                continue
            lines.append("| %s | %.0f | %.0f | 1/%.1f | <= 1/%g | %s | %s |"
                         % (label, mine, nova, nova / mine,
                            1 / endpoint.nova_share,
                            "PASS" if mine <= nova * endpoint.nova_share
                            else "FAIL", inline_cells))
    return lines + ["", NOVA_NOTE, _machine_speed(measured), ""]


def _machine_speed(measured):
    """This run's uWSGI on the reference stack against perf-anchors' uWSGI."""
    seen = []
    for procs, anchor in sorted(matrix.ANCHOR_UWSGI_RPS.items()):
        row = _find(measured, "reference", "GET /", "uwsgi-p%d" % procs)
        if row:
            seen.append("%.0f req/s at %dp (%.2fx the anchors' %.0f)" % (
                row["rps"], procs, row["rps"] / anchor, anchor))
    if not seen:
        return ("Machine speed: uWSGI did not run on the reference stack, "
                "so this machine cannot be set beside the one nova was "
                "measured on.")
    return ("Machine speed: uWSGI on the reference stack made %s. nova's "
            "figures are from the anchors' machine, so on a machine that "
            "much faster or slower the minova/nova ratios are that much "
            "better or worse than they would be there." % ", ".join(seen))


def _floors(measured, floor):
    """What the req/s and RSS targets would need, from bench.floor's numbers."""
    if floor is None:
        return []
    lines = ["## Floors: what the targets would need", ""]
    if "error" in floor:
        return lines + ["Not measured: %s" % floor["error"], ""]
    app = floor["app_cpu_us"]
    lines += [
        "The reference app called in-process with no server "
        "(`python -m bench.floor`) costs **%.0f µs** of CPU per request. "
        "A host's req/s is the cores it gets divided by its CPU per "
        "request, so at the cores minova got in this run (req/s x CPU per "
        "request) each req/s target needs the CPU per request below: the "
        "app's %.0f µs plus what is left for the host. Of the host's cost "
        "now, the kernel's share (stime: its socket calls, and loopback "
        "TCP done on its behalf) is one no server in Python avoids." % (
            app, app), "",
        "| target (c=64 keep-alive) | wanted req/s | needs CPU µs/req "
        "| left for the host | minova's host now | of it in the kernel |",
        "|---|---|---|---|---|---|"]
    for procs in (1, 2):
        for name, host, other, factor in RPS_TARGETS:
            mine, theirs = _reference(measured, matrix.FOCUS,
                                      "%s-p%d" % (host, procs),
                                      "%s-p%d" % (other, procs))
            if not (mine and theirs and mine["cpu_us_per_request"]):
                continue
            wanted = factor * theirs["rps"]
            needs = mine["rps"] * mine["cpu_us_per_request"] / wanted
            kernel = mine.get("sys_us_per_request")
            lines.append("| reference, %dp%s: %.1fx %s | %.0f | %.0f | %s "
                         "| %.0f µs | %s |" % (
                             procs, name, factor, TARGET_NAMES[other],
                             wanted, needs,
                             "%.0f µs" % (needs - app) if needs > app
                             else "none: less than the app alone",
                             mine["cpu_us_per_request"] - app,
                             "–" if kernel is None else "%.0f µs" % kernel))
    lines += ["", "VmRSS of a fresh interpreter at each step of becoming "
              "a minova worker, before any request:", "",
              "| the process holds | RSS MB | added MB |", "|---|---|---|"]
    previous = None
    for label, mb in floor["rss_mb"]:
        lines.append("| %s | %.1f | %s |" % (
            label, mb, "" if previous is None else "+%.1f" % (mb - previous)))
        previous = mb
    uwsgi = _find(measured, "reference", "GET /", "uwsgi-p1")
    if uwsgi:
        lines.append("| uWSGI's worker in this run, under load | %.1f | |"
                     % uwsgi["rss_worker_mb"])
    app_mb, twisted_mb = floor["rss_mb"][0][1], floor["rss_mb"][2][1]
    lines += ["", "uWSGI's worker holds the app and little else. A "
              "Twisted host holds the app, Twisted's core and a reactor: "
              "%.1f MB over the app here before any code of minova's "
              "host runs." % (twisted_mb - app_mb), ""]
    return lines


def _short(endpoint):
    """An endpoint's label without what every bar shares (method, prefixes)."""
    for prefix in ("GET ", "/v2.1/", "/openstack/latest/"):
        endpoint = endpoint.replace(prefix, "", 1)
    return endpoint or "/"


def _plot(rows, path):
    """Grouped bars of x uWSGI at each endpoint's focus shape; False
    without matplotlib."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        from matplotlib import pyplot
    except ImportError:
        return False
    shapes = {(stack.name, endpoint.label): matrix.focus(endpoint)
              for stack in matrix.STACKS for endpoint in stack.endpoints}
    focus = [r for r in rows if not r["skipped"] and r["ratio_to_uwsgi"]
             and matrix.Shape(r["connections"], r["keep_alive"]) == shapes.get(
                 (r["stack"], r["endpoint"]), matrix.FOCUS)]
    if not focus:
        return False
    cells = sorted({(r["stack"], r["endpoint"]) for r in focus},
                   key=lambda c: (_stack_index(c[0]), c[1]))
    figure, axes = pyplot.subplots(1, 2, figsize=(13, 4.5), sharey=True)
    for axis, procs in zip(axes, (1, 2)):
        labels = [h.label for h in matrix.HOSTS if h.procs == procs]
        width = 0.8 / len(labels)
        for i, label in enumerate(labels):
            values = [next((r["ratio_to_uwsgi"] for r in focus
                            if (r["stack"], r["endpoint"], r["host"]) ==
                            cell + (label,)), 0) for cell in cells]
            axis.bar([x + i * width for x in range(len(cells))], values,
                     width, label=label)
        axis.axhline(1.0, color="grey", linewidth=0.8)
        axis.set_xticks([x + 0.4 - width / 2 for x in range(len(cells))])
        axis.set_xticklabels(["%s\n%s" % (stack, _short(endpoint))
                             for stack, endpoint in cells], fontsize=7)
        axis.set_title("%d process%s, keep-alive, c=64 (servers/detail "
                       "c=8)" % (procs, "" if procs == 1 else "es"))
        axis.legend(fontsize=7)
    axes[0].set_ylabel("req/s ÷ uWSGI same processes")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    pyplot.close(figure)
    return True

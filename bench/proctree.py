"""A server's process tree as /proc sees it: its PIDs, CPU time and resident memory.

CPU per request is (utime + stime of every process in the tree after a run)
minus (the same before), divided by the requests wrk completed: much less
sensitive to a noisy machine than requests per second. The stime part alone
is the kernel's share. The workers are the
leaves of the tree (uWSGI's and gunicorn's master, minova's parent process
serve nothing); RSS per worker is their mean VmRSS.
"""

import os

_TICK = os.sysconf("SC_CLK_TCK")


def _fields(pid, task=""):
    """/proc/<pid>/stat (with ``task``, ``task/<tid>/``: a thread's) from
    field 3 (state) on, or None if it is gone."""
    try:
        with open("/proc/%d/%sstat" % (pid, task)) as f:
            data = f.read()
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def _stat(pid):
    """(ppid, utime, stime in seconds) of ``pid``, or None if it is gone."""
    fields = _fields(pid)
    if fields is None:
        return None
    # proc(5) numbers from 1: ppid is field 4, utime 14, stime 15.
    return int(fields[1]), int(fields[11]) / _TICK, int(fields[12]) / _TICK


def tree(root):
    """The PIDs of ``root`` and all its descendants that are alive."""
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            stat = _stat(int(name))
            if stat is not None:
                parents[int(name)] = stat[0]
    found = [root] if root in parents else []
    for pid in found:
        found.extend(p for p, ppid in parents.items() if ppid == pid)
    return found


def start_time(pid):
    """When ``pid`` started (ticks since boot), to tell a reused PID; None if gone."""
    fields = _fields(pid)
    return None if fields is None else int(fields[19])


def cpu_seconds(root):
    """utime + stime of the whole tree, in seconds."""
    return sum(user_sys_seconds(root))


def user_sys_seconds(root):
    """(utime, stime) of the whole tree, in seconds: stime is the kernel's
    work for the tree (its socket calls, and loopback TCP done on its
    behalf)."""
    stats = [stat for stat in map(_stat, tree(root)) if stat]
    return (sum(stat[1] for stat in stats), sum(stat[2] for stat in stats))


def workers(root):
    """The leaves of the tree: the processes that serve requests."""
    pids = tree(root)
    parents = {(_stat(pid) or (None,))[0] for pid in pids}
    return [pid for pid in pids if pid not in parents]


def thread_times(pid):
    """``{tid: (utime, stime, voluntary, involuntary)}`` of each thread of
    ``pid`` that is alive: its CPU in seconds, and how often it gave up its
    CPU to wait (voluntary: a lock, a poll, a socket) or was taken off it
    (involuntary: the scheduler ran something else)."""
    times = {}
    try:
        tids = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return times
    for tid in tids:
        task = "task/%s/" % tid
        try:
            with open("/proc/%d/%sstatus" % (pid, task)) as f:
                status = f.read()
        except OSError:
            continue  # a thread that ended since the listing
        fields = _fields(pid, task)
        if fields is None:
            continue  # one that ended between the two reads
        switches = {}
        for line in status.splitlines():
            name, _, value = line.partition(":")
            if name.endswith("ctxt_switches"):
                switches[name] = int(value)
        times[int(tid)] = (int(fields[11]) / _TICK, int(fields[12]) / _TICK,
                           switches["voluntary_ctxt_switches"],
                           switches["nonvoluntary_ctxt_switches"])
    return times


def cmdline(pid):
    """The command line of ``pid`` as one string ("" if it is gone)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


def rss_mb(pid):
    """VmRSS of ``pid`` in MiB (0 if it is gone)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0

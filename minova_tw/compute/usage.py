"""Tenant usage (os-simple-tenant-usage): what each project's servers used in a time window.

A server counts from its ``launched_at`` to its ``terminated_at`` (or the
end of the window while it lives), clipped to the window; deleted servers
count for the part of their life inside it, and a server never launched
counts for nothing. Its hours times its flavor's vcpus, memory and disk
make the project's totals, as nova's simple_tenant_usage computes them.
The servers are taken in nova's order (project, then uuid), so a page
(``limit``, ``marker``: a server uuid) may end inside a project.

The window's end is never later than ``now``; an absent start or end is
``now``, and the start must come before the end.
"""

import collections
import datetime

import sqlalchemy as sa

from minova_tw.compute import base, exception
from minova_tw.db import models, transitions

I = models.Instance
E = transitions.effective

#: The formats nova accepts for ``start`` and ``end``.
TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f",
                "%Y-%m-%d %H:%M:%S.%f")
_COLUMNS = (I.uuid, I.name, I.project_id, I.flavor, I.vcpus, I.memory_mb,
            I.root_gb, I.ephemeral_gb, I.terminated_at,
            E(I.launched_at).label("launched_at"),
            E(I.vm_state).label("vm_state"))
_ORDER = [(I.project_id, "asc"), (I.uuid, "asc")]


def parse_time(text):
    """A naive UTC time from one of TIME_FORMATS; None for none given;
    InvalidStrTime otherwise."""
    if not text:
        return None
    for fmt in TIME_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise exception.InvalidStrTime(reason="Datetime is in invalid format")


def hours_in(launched_at, terminated_at, start, stop):
    """Hours of the life [launched_at, terminated_at) inside [start, stop]."""
    if launched_at is None or launched_at > stop:
        return 0
    if terminated_at is not None and terminated_at < start:
        return 0
    end = stop if terminated_at is None else min(stop, terminated_at)
    return (end - max(launched_at, start)).total_seconds() / 3600.0


def _server_usage(row, start, stop, now):
    """nova's ``server_usages`` entry of one server."""
    ended = row.terminated_at
    started = row.launched_at
    return {
        "hours": hours_in(started, ended, start, stop),
        "flavor": row.flavor.get("name", ""),
        "instance_id": row.uuid,
        "name": row.name,
        "tenant_id": row.project_id,
        "memory_mb": row.memory_mb,
        "local_gb": row.root_gb + row.ephemeral_gb,
        "vcpus": row.vcpus,
        "started_at": started,
        "ended_at": ended,
        "state": "terminated" if ended else row.vm_state,
        "uptime": int(((ended or now) - started).total_seconds()),
    }


def _totals(server_usages, start, stop, detailed):
    """One summary per project, in the servers' order."""
    projects = collections.OrderedDict()
    for usage in server_usages:
        summary = projects.get(usage["tenant_id"])
        if summary is None:
            summary = projects[usage["tenant_id"]] = {
                "tenant_id": usage["tenant_id"],
                **({"server_usages": []} if detailed else {}),
                "total_local_gb_usage": 0, "total_vcpus_usage": 0,
                "total_memory_mb_usage": 0, "total_hours": 0,
                "start": start, "stop": stop}
        hours = usage["hours"]
        summary["total_local_gb_usage"] += usage["local_gb"] * hours
        summary["total_vcpus_usage"] += usage["vcpus"] * hours
        summary["total_memory_mb_usage"] += usage["memory_mb"] * hours
        summary["total_hours"] += hours
        if detailed:
            summary["server_usages"].append(usage)
    return list(projects.values())


class UsageAPI(base.Service):

    @base.reader
    def usages(self, session, now, context, start=None, stop=None,
               project_id=None, detailed=True, limit=None, marker=None):
        """``(project summaries, server usages of the page)`` for the
        servers that ran between ``start`` and ``stop`` (naive UTC times
        or None for now): every project's (admin only) or ``project_id``'s
        (its members' or an admin's)."""
        if project_id is None:
            base.require_admin(context,
                               "os_compute_api:os-simple-tenant-usage:list")
        else:
            context.can("os_compute_api:os-simple-tenant-usage:show",
                        {"project_id": project_id})
        # nova reads its clock once for each absent bound, the start
        # first: with neither given, the window is empty but valid.
        given = start is not None or stop is not None
        if given and not (start or now) < (stop or now):
            raise exception.Invalid(
                "Invalid start time. The start time cannot occur after the "
                "end time.")
        start = start or now
        stop = min(stop or now, now)
        clauses = [sa.or_(I.terminated_at.is_(None), I.terminated_at > start),
                   E(I.launched_at) < stop]
        if project_id is not None:
            clauses.append(I.project_id == project_id)
        rows = base.page(session, sa.select(*_COLUMNS)
                         .select_from(transitions.JOINED).where(*clauses),
                         _ORDER, marker, I.uuid == marker, limit,
                         self.conf.api.max_limit, {"now": now})
        server_usages = [_server_usage(row, start, stop, now)
                         for row in rows]
        return _totals(server_usages, start, stop, detailed), server_usages

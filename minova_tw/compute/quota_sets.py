"""Quota sets and quota classes: reading and changing the limits ``compute.quotas`` enforces.

A project's limits (or a user's within it) are shown as in effect, set by
an admin, and deleted back to the defaults; the defaults are the quota
class ``default`` over ``[quota]``. Setting a limit below what is in use
(or, for a project, below what its users' own limits add up to) is refused
unless forced; a user's limit may not exceed what the project has left to
give out, as nova rules. A change of a project's limits holds the
project's lock (``db.locks``), the one a server create holds while it
checks, so a create sees the limits before or after a change, never half
of one.

Who may do what follows nova's policy defaults: anyone reads the defaults,
the project's own members and admins read its limits, only admins change
them or read and change quota classes.
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception, quotas
from minova_tw.db import locks, models

Q = models.Quota
QC = models.QuotaClass

_RULE = "os_compute_api:os-quota-sets:%s"
_CLASS_RULE = "os_compute_api:os-quota-class-sets:%s"


def _in_use(session, project_id, user_id=None):
    """{resource: amount in use}, as nova's detailed view counts it: the
    servers' instances, cores and RAM, and the server groups; everything
    else is 0."""
    used = dict.fromkeys(quotas.RESOURCES, 0)
    used.update(quotas.usage(session, project_id, user_id))
    used["server_groups"] = quotas.server_groups_used(session, project_id,
                                                      user_id)
    return used


def _check_range(resource, value, minimum, maximum):
    """nova's bounds of a new limit (-1, unlimited, is above everything)."""
    def infinite(limit):
        return float("inf") if limit == -1 else limit
    if infinite(value) < infinite(minimum):
        raise exception.Invalid(
            "Quota limit %s for %s must be greater than or equal to already "
            "used and reserved %s." % (value, resource, minimum))
    if infinite(value) > infinite(maximum):
        raise exception.Invalid(
            "Quota limit %s for %s must be less than or equal to %s."
            % (value, resource, maximum))


def _own_limits(session, project_id, user_id):
    """{resource: limit} set for ``user_id`` in the project."""
    return dict(session.execute(
        sa.select(Q.resource, Q.hard_limit)
        .where(Q.project_id == project_id, Q.user_id == user_id)).all())


def _given_to_users(session, project_id):
    """{resource: sum of the limits the project's users have of their
    own}."""
    return dict(session.execute(
        sa.select(Q.resource, sa.func.sum(Q.hard_limit))
        .where(Q.project_id == project_id, Q.user_id != quotas.PROJECT_WIDE)
        .group_by(Q.resource)).all())


def _settable(session, conf, project_id, user_id):
    """{resource: (minimum, maximum)} a new limit must stay within, with
    nova's arithmetic: what the project has left is its limit less what
    its users have of their own (-1 throughout: unlimited). A project's
    limit may not go below that sum or its usage; a user's not below the
    user's usage nor above what is left plus the user's own."""
    project = quotas.limits(session, conf, project_id)
    given = _given_to_users(session, project_id)
    used = _in_use(session, project_id, user_id)
    own = {} if user_id is None else _own_limits(session, project_id,
                                                 user_id)
    ranges = {}
    for resource in quotas.RESOURCES:
        limit = project[resource]
        left = limit - int(given.get(resource, 0))
        unlimited = limit <= -1 or left <= -1
        if user_id is None:
            minimum = max(-1 if unlimited else limit - left, used[resource])
            ranges[resource] = (minimum, -1)
        else:
            mine = own.get(resource, 0)
            ranges[resource] = (used[resource], -1 if unlimited or mine <= -1
                                else left + mine)
    return ranges


def _store(session, model, where, values, now):
    """Insert or update the ``model`` rows matching ``where`` (a dict of
    columns) for ``values`` ({resource: limit}); the caller holds the lock
    that makes this safe."""
    existing = {row.resource: row for row in session.scalars(
        sa.select(model).filter_by(**where)
        .where(model.resource.in_(list(values))))}
    for resource, limit in values.items():
        row = existing.get(resource)
        if row is None:
            session.add(model(resource=resource, hard_limit=limit,
                              created_at=now, **where))
        else:
            row.hard_limit = limit
            row.updated_at = now
    session.flush()


class QuotaSetAPI(base.Service):
    """os-quota-sets and os-quota-class-sets."""

    @base.reader
    def get(self, session, now, context, project_id, user_id=None):
        """{resource: limit} in effect for the project (or user)."""
        context.can(_RULE % "show", {"project_id": project_id})
        return quotas.limits(session, self.conf, project_id, user_id)

    @base.reader
    def get_detail(self, session, now, context, project_id, user_id=None):
        """{resource: {"limit", "in_use", "reserved"}} of the project (or
        user); nothing is ever reserved."""
        context.can(_RULE % "detail", {"project_id": project_id})
        limits = quotas.limits(session, self.conf, project_id, user_id)
        used = _in_use(session, project_id, user_id)
        return {resource: {"limit": limits[resource],
                           "in_use": used[resource], "reserved": 0}
                for resource in quotas.RESOURCES}

    @base.reader
    def get_defaults(self, session, now, context, project_id):
        """{resource: limit} a project has where nothing of its own is set;
        the same for every project."""
        return quotas.class_limits(session, self.conf, quotas.DEFAULT_CLASS)

    @base.writer
    def update(self, session, now, context, project_id, values,
               user_id=None, force=False):
        """Set ``values`` ({resource: limit}) for the project (or user);
        return the limits then in effect. Unless ``force``, each must be
        within ``_settable``'s range (Invalid, before anything changes)."""
        base.require_admin(context, _RULE % "update")
        locks.hold(session, locks.project(project_id))
        if not force:
            ranges = _settable(session, self.conf, project_id, user_id)
            for resource, value in values.items():
                _check_range(resource, value, *ranges[resource])
        _store(session, Q, {"project_id": project_id,
                            "user_id": user_id or quotas.PROJECT_WIDE},
               values, now)
        return quotas.limits(session, self.conf, project_id, user_id)

    @base.writer
    def delete(self, session, now, context, project_id, user_id=None):
        """Forget the limits set for the user, or for the project and all
        its users: the defaults apply again."""
        base.require_admin(context, _RULE % "delete")
        locks.hold(session, locks.project(project_id))
        stmt = sa.delete(Q).where(Q.project_id == project_id)
        if user_id:
            stmt = stmt.where(Q.user_id == user_id)
        session.execute(stmt)

    @base.reader
    def get_class(self, session, now, context, class_name):
        """{resource: limit} of a quota class (its own, else ``[quota]``)."""
        base.require_admin(context, _CLASS_RULE % "show")
        return quotas.class_limits(session, self.conf, class_name)

    @base.writer
    def update_class(self, session, now, context, class_name, values):
        """Set ``values`` in a quota class; return all of its limits."""
        base.require_admin(context, _CLASS_RULE % "update")
        if len(class_name) > 255:
            raise exception.Invalid(
                "quota_class_name has %d characters, more than 255."
                % len(class_name))
        locks.hold(session, locks.quota_class(class_name))
        _store(session, QC, {"class_name": class_name}, values, now)
        return quotas.class_limits(session, self.conf, class_name)

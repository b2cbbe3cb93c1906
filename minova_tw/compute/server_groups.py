"""Server groups: created, listed, shown and deleted, and joined by servers at boot.

A group belongs to the project that created it. Its owner's project (and
admins) may see and delete it; anyone may list their own project's groups,
and an admin all projects' (``all_projects``). How many groups a project
has is limited by its ``server_groups`` quota; how many servers one user
puts in one group by ``server_group_members`` (``quotas.limits``: the
os-quota-sets limits, else ``[quota]``). Both are counted under a
lock (the project's, the group's: ``db.locks``), so concurrent requests on
any process or host cannot pass the limit together. A server joins a group
at boot (``join``, called by the server's create) and leaves it when it is
deleted (``leave``); where a member may run is ``scheduler``'s business.
"""

import uuid
from typing import NamedTuple

import sqlalchemy as sa

from minova_tw.compute import base, exception, quotas
from minova_tw.db import locks, models

G = models.InstanceGroup
M = models.InstanceGroupMember
I = models.Instance

POLICIES = ("affinity", "anti-affinity", "soft-affinity",
            "soft-anti-affinity")
_RULE = "os_compute_api:os-server-groups:%s"


class ServerGroup(NamedTuple):
    """A group as the API shows it: its row's fields and its members'
    server uuids, in the order they joined."""

    uuid: str
    name: str
    project_id: str
    user_id: str
    policy: str
    rules: dict
    members: list


def _members(session, group_ids):
    """{group row id: [member server uuids]} for ``group_ids``."""
    members = {group_id: [] for group_id in group_ids}
    if group_ids:
        rows = session.execute(
            sa.select(M.group_id, I.uuid).join(I, I.id == M.instance_id)
            .where(M.group_id.in_(group_ids), I.deleted == 0)
            .order_by(M.id))
        for group_id, server in rows:
            members[group_id].append(server)
    return members


def _view(group, members):
    return ServerGroup(group.uuid, group.name, group.project_id,
                       group.user_id, group.policy, dict(group.rules),
                       members)


def find_group(session, group_uuid, for_update=False):
    """The group ``group_uuid`` whoever owns it, or InstanceGroupNotFound;
    with ``for_update`` its lock is held (see ``db.locks``)."""
    if for_update:
        locks.hold(session, locks.group(group_uuid))
    group = session.scalars(sa.select(G).where(G.uuid == group_uuid)).first()
    if group is None:
        raise exception.InstanceGroupNotFound(group_uuid=group_uuid)
    return group


def _owned_group(session, context, group_uuid, action, for_update=False):
    """The group, when the policy lets ``context`` ``action`` it (by
    default: its project's members, or an admin)."""
    group = find_group(session, group_uuid, for_update)
    context.can(_RULE % action, {"project_id": group.project_id,
                                 "user_id": group.user_id})
    return group


def join(session, conf, context, group_uuid, count):
    """Check that ``count`` more servers of ``context``'s user fit in the
    group's member quota; return the group, its lock held until the
    caller's transaction ends (so the servers it adds are counted by the
    next check, and placed knowing each other)."""
    group = find_group(session, group_uuid, for_update=True)
    limit = quotas.limits(session, conf, context.project_id,
                          context.user_id)["server_group_members"]
    if limit >= 0:
        used = session.scalar(
            sa.select(sa.func.count(M.id)).join(I, I.id == M.instance_id)
            .where(M.group_id == group.id, I.deleted == 0,
                   I.user_id == context.user_id))
        if used + count > limit:
            raise exception.ServerGroupMembersLimitExceeded()
    return group


def add_member(session, group, instance):
    """Make ``instance`` (flushed, with its row id) a member of ``group``."""
    session.add(M(group_id=group.id, instance_id=instance.id))


def leave(session, instance):
    """Take ``instance`` out of its group, if it is in one."""
    session.execute(sa.delete(M).where(M.instance_id == instance.id))


#: The uuid of the group a server (row id ``instance_id``) is in.
_GROUP_OF = (sa.select(G.uuid).join(M, M.group_id == G.id)
             .where(M.instance_id == sa.bindparam("instance_id")))


def load_groups(session, instance):
    """Set ``instance.group_uuids``, the uuids of the groups it is in (one
    at most); return it. Only the views of 2.71 show them, so only the
    calls behind those (show, update, rebuild) pay for the query."""
    instance.group_uuids = session.scalars(
        _GROUP_OF, {"instance_id": instance.id}).all()
    return instance


def locked_group_of(session, instance):
    """The server group ``instance`` is in, row-locked (its members may
    not change while the caller places the server), or None."""
    uuids = load_groups(session, instance).group_uuids
    return find_group(session, uuids[0], for_update=True) if uuids else None


class ServerGroupAPI(base.Service):

    @base.writer
    def create(self, session, now, context, name, policy, rules=None):
        """A new group of ``context``'s project; ``rules`` (only for
        anti-affinity) may set ``max_server_per_host``."""
        try:
            rules = {key: int(value) for key, value in (rules or {}).items()}
        except ValueError:  # more digits than int() reads
            raise exception.Invalid("max_server_per_host must be an integer "
                                    "of at most 4300 digits") from None
        context.can(_RULE % "create")
        if rules and policy != "anti-affinity":
            raise exception.InvalidServerGroupRules()
        limit = quotas.limits(session, self.conf, context.project_id,
                              context.user_id)["server_groups"]
        if limit >= 0:
            locks.hold(session, locks.project(context.project_id))
            if quotas.server_groups_used(session,
                                         context.project_id) >= limit:
                raise exception.ServerGroupLimitExceeded()
        group = G(uuid=str(uuid.uuid4()), name=name,
                  project_id=context.project_id, user_id=context.user_id,
                  policy=policy, rules=rules, created_at=now)
        session.add(group)
        return _view(group, [])

    @base.reader
    def list(self, session, now, context, all_projects=False, limit=None,
             offset=0):
        """The project's groups (every project's for an admin who asks
        ``all_projects``), oldest first, ``limit`` (at most ``[api]
        max_limit``) from ``offset``."""
        context.can(_RULE % "index")
        stmt = sa.select(G).order_by(G.id)
        if not (all_projects and context.can(_RULE % "index:all_projects",
                                             fatal=False)):
            stmt = stmt.where(G.project_id == context.project_id)
        # Paged in Python, as nova does: any offset, however large, works.
        max_limit = self.conf.api.max_limit
        limit = min(limit or max_limit, max_limit)
        groups = session.scalars(stmt).all()[offset:offset + limit]
        members = _members(session, [group.id for group in groups])
        return [_view(group, members[group.id]) for group in groups]

    @base.reader
    def get(self, session, now, context, group_uuid):
        group = _owned_group(session, context, group_uuid, "show")
        return _view(group, _members(session, [group.id])[group.id])

    @base.writer
    def delete(self, session, now, context, group_uuid):
        """Delete the group; its members keep running, in no group. Under
        the group's lock, so a server that joins it meanwhile is either in
        before (and leaves with the rest) or finds it gone, and of
        concurrent deletes one wins and the others find it gone."""
        group = _owned_group(session, context, group_uuid, "delete",
                             for_update=True)
        session.execute(sa.delete(G).where(G.id == group.id))

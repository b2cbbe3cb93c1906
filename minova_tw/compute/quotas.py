"""Quotas: the limits in effect for a project and user, usage, the checks, and /limits.

A limit comes from the closest place that sets it: the user's own limit in
the project, the project's, the quota class ``default``, then ``[quota]``
(``-1``, unlimited, for the network quotas nova keeps only for its API).
The first two are set with os-quota-sets, the class with
os-quota-class-sets (``compute.quota_sets``); every check and /limits reads
them here, in the caller's transaction.

Usage is counted from the live rows (servers not deleted, their vCPUs and
RAM; a user's key pairs) inside the caller's transaction, so a check and the
write it guards commit together. A check that guards a write first takes
the project's (or the user's) lock row (``db.locks``), so concurrent
requests on any process or host are checked one after the other and the
limit holds exactly; a change of a project's limits takes the same
project lock. -1 means unlimited.
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception, states
from minova_tw.db import locks, models

I = models.Instance
G = models.InstanceGroup
Q = models.Quota
QC = models.QuotaClass

#: nova's quota resources, in its order, with the ``[quota]`` option of
#: each default (None: unlimited, nova's network quotas).
DEFAULTS = (
    ("cores", "cores"),
    ("injected_files", "injected_files"),
    ("injected_file_content_bytes", "injected_file_content_bytes"),
    ("injected_file_path_bytes", "injected_file_path_length"),
    ("instances", "instances"),
    ("key_pairs", "key_pairs"),
    ("metadata_items", "metadata_items"),
    ("ram", "ram"),
    ("server_groups", "server_groups"),
    ("server_group_members", "server_group_members"),
    ("fixed_ips", None),
    ("floating_ips", None),
    ("security_groups", None),
    ("security_group_rules", None),
)
RESOURCES = tuple(resource for resource, _ in DEFAULTS)
#: The quota class whose limits are every project's defaults.
DEFAULT_CLASS = "default"
#: The user_id of a project's own limits (``models.Quota``).
PROJECT_WIDE = ""

#: Resources a server takes, in the order their quota is checked.
SERVER_RESOURCES = ("instances", "cores", "ram")


def config_defaults(conf):
    """{resource: limit} of ``[quota]``."""
    return {resource: -1 if option is None else getattr(conf.quota, option)
            for resource, option in DEFAULTS}


def class_limits(session, conf, class_name):
    """{resource: limit} of quota class ``class_name``: its own rows, else
    ``[quota]``."""
    limits = config_defaults(conf)
    limits.update(session.execute(
        sa.select(QC.resource, QC.hard_limit)
        .where(QC.class_name == class_name)).all())
    return limits


def _scopes(session, conf, project_id, user_id):
    """(the project's limits, the user's limits, the resources the user
    has limits of its own for), in two queries."""
    project = class_limits(session, conf, DEFAULT_CLASS)
    own = {}
    for row in session.execute(
            sa.select(Q.user_id, Q.resource, Q.hard_limit)
            .where(Q.project_id == project_id,
                   Q.user_id.in_({PROJECT_WIDE, user_id or PROJECT_WIDE}))):
        scope = project if row.user_id == PROJECT_WIDE else own
        scope[row.resource] = row.hard_limit
    return project, dict(project, **own), set(own)


def limits(session, conf, project_id, user_id=None):
    """{resource: limit} in effect for ``project_id``, or for ``user_id``
    in it: the closest that is set (user, project, class, config)."""
    return _scopes(session, conf, project_id, user_id)[1]


def usage(session, project_id, user_id=None):
    """{"instances", "cores", "ram"} the project's (or one of its users')
    live servers take: what a server create checks. A soft-deleted server
    takes nothing (nova's count), until it is restored."""
    where = [I.project_id == project_id, I.deleted == 0,
             I.vm_state != states.SOFT_DELETED]
    if user_id is not None:
        where.append(I.user_id == user_id)
    count, cores, ram = session.execute(
        sa.select(sa.func.count(I.id), sa.func.coalesce(sa.func.sum(I.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(I.memory_mb), 0))
        .where(*where)).one()
    return {"instances": count, "cores": int(cores), "ram": int(ram)}


def server_groups_used(session, project_id, user_id=None):
    """How many server groups the project (or one of its users) has."""
    where = [G.project_id == project_id]
    if user_id is not None:
        where.append(G.user_id == user_id)
    return session.scalar(sa.select(sa.func.count(G.id)).where(*where))


def _fitting(limit, used, amount, min_count, resource, count):
    """How many of ``count`` fit in ``limit`` (TooManyInstances if not
    ``min_count``)."""
    if limit < 0 or amount <= 0:
        return count
    fits = max(limit - used, 0) // amount
    if fits < min_count:
        raise exception.TooManyInstances(
            overs=resource, req=amount * min_count, used=used, allowed=limit)
    return min(count, fits)


def servers_that_fit(session, conf, project_id, user_id, each, min_count,
                     max_count):
    """How many of ``max_count`` servers, each taking ``each`` ({resource:
    amount}), fit in the quota of the project and, when ``user_id`` has
    limits of its own for servers, of the user; TooManyInstances if not
    even ``min_count`` do. Holds the project's lock until the caller's
    transaction ends, so the servers it then creates are counted by the
    next check."""
    locks.hold(session, locks.project(project_id))
    project, user, own = _scopes(session, conf, project_id, user_id)
    scopes = [(project, usage(session, project_id))]
    if own & set(SERVER_RESOURCES):
        scopes.append((user, usage(session, project_id, user_id)))
    count = max_count
    for limit, used in scopes:
        for resource in SERVER_RESOURCES:
            count = _fitting(limit[resource], used[resource],
                             each.get(resource, 0), min_count, resource,
                             count)
    return count


def check_metadata(session, conf, context, metadata):
    """Raise unless ``metadata`` fits the caller's metadata_items quota
    (nova checks the caller's project and user) and sizes."""
    limit = limits(session, conf, context.project_id,
                   context.user_id)["metadata_items"]
    if 0 <= limit < len(metadata):
        raise exception.MetadataLimitExceeded(allowed=limit)
    for key, value in metadata.items():
        if not key:
            reason = "Metadata property key blank."
        elif len(key) > 255:
            reason = "Metadata property key greater than 255 characters."
        elif len(value) > 255:
            reason = "Metadata property value greater than 255 characters."
        else:
            continue
        raise exception.InvalidMetadataSize(reason=reason)


def check_key_pairs(session, conf, project_id, user_id):
    """Raise unless ``user_id`` may have one more key pair (the limit in
    effect for the user in ``project_id``); holds the user's lock until the
    caller's transaction ends."""
    limit = limits(session, conf, project_id, user_id)["key_pairs"]
    if limit < 0:
        return
    locks.hold(session, locks.user(user_id))
    count = session.scalar(sa.select(sa.func.count(models.KeyPair.id))
                           .where(models.KeyPair.user_id == user_id))
    if count >= limit:
        raise exception.KeypairLimitExceeded()


class QuotaAPI(base.Service):

    @base.reader
    def get_limits(self, session, now, context, project_id=None):
        """The absolute limits and usage of /limits, every key of every
        microversion (the API drops what its version does not show).
        ``project_id`` (admin only) asks about another project."""
        context.can("os_compute_api:limits")
        if project_id is None or project_id == context.project_id:
            project_id = context.project_id
        else:
            base.require_admin(context, "os_compute_api:limits:other_project")
        quota = limits(session, self.conf, project_id)
        used = usage(session, project_id)
        return {
            "maxTotalInstances": quota["instances"],
            "maxTotalCores": quota["cores"],
            "maxTotalRAMSize": quota["ram"],
            "maxTotalKeypairs": quota["key_pairs"],
            "maxServerMeta": quota["metadata_items"],
            "maxImageMeta": quota["metadata_items"],
            "maxPersonality": quota["injected_files"],
            "maxPersonalitySize": quota["injected_file_content_bytes"],
            "maxTotalFloatingIps": quota["floating_ips"],
            "maxSecurityGroups": quota["security_groups"],
            "maxSecurityGroupRules": quota["security_group_rules"],
            "maxServerGroups": quota["server_groups"],
            "maxServerGroupMembers": quota["server_group_members"],
            "totalInstancesUsed": used["instances"],
            "totalCoresUsed": used["cores"],
            "totalRAMUsed": used["ram"],
            "totalFloatingIpsUsed": 0,
            "totalSecurityGroupsUsed": 0,
            "totalServerGroupsUsed": server_groups_used(session,
                                                        project_id),
        }

"""Quotas: a project's usage against ``[quota]``, the checks, and /limits.

Usage is counted from the live rows (servers not deleted, their vCPUs and
RAM; a user's key pairs) inside the caller's transaction, so a check and the
write it guards commit together. A check that guards a write first takes
the project's (or the user's) lock row (``db.locks``), so concurrent
requests on any process or host are checked one after the other and the
limit holds exactly. -1 means unlimited.
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception
from minova_tw.db import locks, models

I = models.Instance

#: Old nova's defaults for quotas minova does not keep (networks, groups).
FLOATING_IPS = 10
SECURITY_GROUPS = 10
SECURITY_GROUP_RULES = 20

#: Resources a server takes, in the order their quota is checked.
SERVER_RESOURCES = ("instances", "cores", "ram")


def usage(session, project_id):
    """{"instances", "cores", "ram"} the project's live servers take."""
    count, cores, ram = session.execute(
        sa.select(sa.func.count(I.id), sa.func.coalesce(sa.func.sum(I.vcpus), 0),
                  sa.func.coalesce(sa.func.sum(I.memory_mb), 0))
        .where(I.project_id == project_id, I.deleted == 0)).one()
    return {"instances": count, "cores": int(cores), "ram": int(ram)}


def servers_that_fit(session, conf, project_id, each, min_count,
                     max_count):
    """How many of ``max_count`` servers, each taking ``each`` ({resource:
    amount}), fit in the project's quota; TooManyInstances if not even
    ``min_count`` do. Holds the project's lock until the caller's
    transaction ends, so the servers it then creates are counted by the
    next check."""
    locks.hold(session, locks.project(project_id))
    used = usage(session, project_id)
    count = max_count
    for resource in SERVER_RESOURCES:
        limit = getattr(conf.quota, resource)
        amount = each.get(resource, 0)
        if limit < 0 or amount <= 0:
            continue
        fits = max(limit - used[resource], 0) // amount
        if fits < min_count:
            raise exception.TooManyInstances(
                overs=resource, req=amount * min_count,
                used=used[resource], allowed=limit)
        count = min(count, fits)
    return count


def check_metadata(conf, metadata):
    """Raise unless ``metadata`` fits the metadata_items quota and sizes."""
    limit = conf.quota.metadata_items
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


def check_key_pairs(session, conf, user_id):
    """Raise unless ``user_id`` may have one more key pair; holds the
    user's lock until the caller's transaction ends."""
    limit = conf.quota.key_pairs
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
        quota = self.conf.quota
        used = usage(session, project_id)
        return {
            "maxTotalInstances": quota.instances,
            "maxTotalCores": quota.cores,
            "maxTotalRAMSize": quota.ram,
            "maxTotalKeypairs": quota.key_pairs,
            "maxServerMeta": quota.metadata_items,
            "maxImageMeta": quota.metadata_items,
            "maxPersonality": quota.injected_files,
            "maxPersonalitySize": quota.injected_file_content_bytes,
            "maxTotalFloatingIps": FLOATING_IPS,
            "maxSecurityGroups": SECURITY_GROUPS,
            "maxSecurityGroupRules": SECURITY_GROUP_RULES,
            "maxServerGroups": quota.server_groups,
            "maxServerGroupMembers": quota.server_group_members,
            "totalInstancesUsed": used["instances"],
            "totalCoresUsed": used["cores"],
            "totalRAMUsed": used["ram"],
            "totalFloatingIpsUsed": 0,
            "totalSecurityGroupsUsed": 0,
            "totalServerGroupsUsed": 0,
        }

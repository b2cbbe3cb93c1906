"""Server tags (2.26): list, check, add, replace, delete one, delete all.

A server has at most MAX_TAGS tags, each stored once (``instance_tags``).
Changes take the server's row lock, so the limit holds whichever worker
adds the tag; they are refused (409) while the server is in a state nova
refuses them in (building, rescued, resized, ...), but not for a lock.
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception, lifecycle, servers
from minova_tw.db import models

#: nova's per-server limit.
#: nova's policy rules of server tags.
RULE = "os_compute_api:os-server-tags:%s"
MAX_TAGS = 50
T = models.InstanceTag


class ServerTagAPI(base.Service):

    @base.reader
    def list(self, session, now, context, server_id):
        return servers.get_instance(session, now, context, server_id,
                                    rule=RULE % "index").tags

    @base.reader
    def exists(self, session, now, context, server_id, tag):
        instance = servers.get_instance(session, now, context, server_id,
                                        rule=RULE % "show")
        return tag in instance.tags

    @base.writer
    def add(self, session, now, context, server_id, tag):
        """Add ``tag``; return False if the server had it already."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.UPDATE_TAG,
            RULE % "update")
        if len(instance.tag_rows) >= MAX_TAGS:
            raise exception.TooManyTags(limit=MAX_TAGS)
        if tag in instance.tags:
            return False
        instance.tag_rows.append(T(tag=tag))
        return True

    @base.writer
    def replace(self, session, now, context, server_id, tags):
        """Make ``tags`` (at most MAX_TAGS, duplicates once) the server's
        tags; return them."""
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.UPDATE_TAGS,
            RULE % "update_all")
        wanted = set(tags)
        if len(wanted) > MAX_TAGS:
            raise exception.TooManyTags(limit=MAX_TAGS)
        kept = [row for row in instance.tag_rows if row.tag in wanted]
        present = {row.tag for row in kept}
        instance.tag_rows = kept + [T(tag=tag) for tag in sorted(wanted)
                                    if tag not in present]
        session.flush()
        return sorted(wanted)

    @base.writer
    def delete(self, session, now, context, server_id, tag):
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.DELETE_TAG,
            RULE % "delete")
        deleted = session.execute(sa.delete(T).where(
            T.instance_id == instance.id, T.tag == tag)).rowcount
        if not deleted:
            raise exception.InstanceTagNotFound(instance_id=server_id,
                                                tag=tag)

    @base.writer
    def delete_all(self, session, now, context, server_id):
        instance = servers.checked_instance(
            session, now, context, server_id, lifecycle.DELETE_TAGS,
            RULE % "delete_all")
        session.execute(sa.delete(T).where(T.instance_id == instance.id))

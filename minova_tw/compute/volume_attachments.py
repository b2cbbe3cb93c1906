"""Volume attachments (os-volume_attachments): list, show, attach, update or swap, detach.

Attach, detach and swap are refused (409) while the server is locked or in
a state nova refuses them in, and record nova's instance actions. Swapping
the volume is an admin's move; from 2.85 the owner may change
``delete_on_termination``. A server booted from a volume (``boot_index``
0) cannot lose that volume.
"""

import sqlalchemy as sa

from minova_tw.compute import (base, exception, instance_actions, lifecycle,
                               servers, volumes)
from minova_tw.db import locks, models

V = models.VolumeAttachment
#: nova's policy rules of volume attachments.
RULE = "os_compute_api:os-volumes-attachments:%s"


def _attachment(instance, volume_id):
    for row in instance.volume_attachments:
        if row.volume_id == volume_id:
            return row
    raise exception.VolumeNotAttached(instance=instance.uuid,
                                      volume=volume_id)


#: What ``update`` may not change (nova's 400 names the field).
IMMUTABLE = (("id", "volume_id"), ("serverId", "instance_uuid"),
             ("device", "device_name"), ("tag", "tag"))


class VolumeAttachmentAPI(base.Service):

    @base.reader
    def list(self, session, now, context, server_id):
        return list(servers.get_instance(
            session, now, context, server_id,
            rule=RULE % "index").volume_attachments)

    @base.reader
    def get(self, session, now, context, server_id, volume_id):
        instance = servers.get_instance(session, now, context, server_id,
                                        rule=RULE % "show")
        return _attachment(instance, volume_id)

    @base.writer
    def attach(self, session, now, context, server_id, volume_id,
               device=None, tag=None, delete_on_termination=False):
        instance = servers.checked_instance(session, now, context, server_id,
                                            lifecycle.ATTACH_VOLUME,
                                            RULE % "create")
        row = volumes.attach(session, now, instance, volume_id, device, tag,
                     delete_on_termination)
        instance_actions.record(session, now, context, instance,
                                "attach_volume")
        return row

    @base.writer
    def update(self, session, now, context, server_id, volume_id,
               new_volume_id, changes=None):
        """Apply ``changes`` (``delete_on_termination``; the other
        attachment fields only as they are), then swap the volume for
        ``new_volume_id`` if it differs (an admin's move); return the
        attachment. ``changes`` None is the swap alone (before 2.85)."""
        instance = servers.get_instance(session, now, context, server_id,
                                        for_update=True,
                                        rule=RULE % "update")
        swap = changes is None or new_volume_id != volume_id
        if swap:
            context.can(RULE % "swap", servers.target(instance))
        row = _attachment(instance, volume_id)
        current = {"volume_id": row.volume_id, "instance_uuid": instance.uuid,
                   "device_name": row.device_name, "tag": row.tag}
        for key, field in IMMUTABLE:
            if key in (changes or {}) and changes[key] != current[field]:
                raise exception.Invalid(
                    "The %s property is not mutable" % key)
        if "delete_on_termination" in (changes or {}):
            row.delete_on_termination = changes["delete_on_termination"]
        if swap and new_volume_id != volume_id:
            lifecycle.check(context, instance, lifecycle.SWAP_VOLUME)
            self._swap(session, now, context, instance, row, new_volume_id)
        return row

    @staticmethod
    def _swap(session, now, context, instance, row, new_volume_id):
        locks.hold(session, locks.volume(new_volume_id))
        if session.scalar(sa.select(V.id).where(
                V.volume_id == new_volume_id)) is not None:
            raise exception.InvalidVolume(
                reason="volume %s is already attached" % new_volume_id)
        row.volume_id = new_volume_id
        instance_actions.record(session, now, context, instance,
                                "swap_volume")

    @base.writer
    def detach(self, session, now, context, server_id, volume_id):
        instance = servers.checked_instance(session, now, context, server_id,
                                            lifecycle.DETACH_VOLUME,
                                            RULE % "delete")
        row = _attachment(instance, volume_id)
        if row.boot_index == 0:
            raise exception.Invalid("Cannot detach a root device volume")
        instance.volume_attachments.remove(row)
        instance_actions.record(session, now, context, instance,
                                "detach_volume")

    @base.reader
    def find_volume(self, session, now, volume_id):
        """``(server uuid, device)`` of the live server ``volume_id`` is
        attached to, or None (what the volume stand-in shows)."""
        return session.execute(
            sa.select(models.Instance.uuid, V.device_name, V.attachment_id,
                      V.created_at)
            .join(models.Instance).where(V.volume_id == volume_id)).first()

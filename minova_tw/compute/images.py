"""The images server actions make: createImage's snapshots and createBackup's backups, and a backup's rotation.

minova has no image service and uploads nothing; an image is a row with
the name, project, server and backup type nova would give glance, so that
the image stand-in shows it by name (``openstack server backup create``
looks the new backup up that way) and a backup rotation deletes the
oldest backups of a server of one type, as nova's compute does: after a
backup of rotation ``n`` the ``n`` newest remain (0: none, not even the
new one).
"""

import uuid

import sqlalchemy as sa

from minova_tw.compute import base
from minova_tw.db import models

IM = models.Image
SNAPSHOT = "snapshot"
BACKUP = "backup"


def record(session, now, instance, name, image_type, backup_type=None):
    """A new image of ``instance``; its uuid."""
    image = IM(uuid=str(uuid.uuid4()), name=name,
               project_id=instance.project_id, instance_uuid=instance.uuid,
               image_type=image_type, backup_type=backup_type,
               created_at=now)
    session.add(image)
    session.flush()
    return image.uuid


def rotate(session, instance, backup_type, rotation):
    """Keep the ``rotation`` newest ``backup_type`` backups of
    ``instance``; delete the others."""
    newest_first = session.scalars(
        sa.select(IM.id).where(IM.instance_uuid == instance.uuid,
                               IM.image_type == BACKUP,
                               IM.backup_type == backup_type)
        .order_by(IM.created_at.desc(), IM.id.desc())).all()
    if len(newest_first) > rotation:
        session.execute(sa.delete(IM).where(
            IM.id.in_(newest_first[rotation:])))


class ImageAPI(base.Service):

    @base.reader
    def find(self, session, now, image_uuid):
        """The image ``image_uuid`` (a row with ``uuid``, ``name``, ...),
        or None."""
        return session.execute(
            sa.select(IM.__table__).where(IM.uuid == image_uuid)).first()

    @base.reader
    def list(self, session, now, name=None, uuids=None):
        """The images called ``name`` and/or among ``uuids``, oldest
        first."""
        stmt = sa.select(IM.__table__).order_by(IM.id)
        if name is not None:
            stmt = stmt.where(IM.name == name)
        if uuids is not None:
            stmt = stmt.where(IM.uuid.in_(list(uuids)))
        return session.execute(stmt).all()

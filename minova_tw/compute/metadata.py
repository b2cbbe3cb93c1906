"""What the metadata service asks: which server has this address, its data, its password.

The metadata service has no user, so these lookups take no context; the
caller has already identified the server (by the client's fixed IP, or by
neutron's signed X-Instance-ID with its project). The password a guest posts
is kept once, in the system metadata keys ``password_0`` .. ``password_3``
(255 characters each), as nova keeps it.
"""

import sqlalchemy as sa

from minova_tw.compute import base, exception, servers
from minova_tw.db import models, transitions

I = models.Instance

PASSWORD_CHUNKS = 4
CHUNK_SIZE = 255
MAX_PASSWORD_BYTES = PASSWORD_CHUNKS * CHUNK_SIZE
_PASSWORD_KEYS = ["password_%d" % i for i in range(PASSWORD_CHUNKS)]


def password(instance):
    """The password the guest posted, "" if none."""
    return "".join(instance.system_meta.get(key, "")
                   for key in _PASSWORD_KEYS)


def without_password(system_meta):
    """``system_meta`` with the password forgotten."""
    return {key: value for key, value in system_meta.items()
            if key not in _PASSWORD_KEYS}


class MetadataAPI(base.Service):

    @base.reader
    def get_by_address(self, session, now, address):
        """The live server with fixed IP ``address``, or InstanceNotFound."""
        instance = session.scalars(
            sa.select(I).join(models.FixedIP)
            .where(models.FixedIP.address == address, I.deleted == 0)).first()
        if instance is None:
            raise exception.InstanceNotFound(instance_id=address)
        return transitions.overlay(session, instance, now)

    @base.reader
    def get_by_uuid(self, session, now, instance_uuid, project_id=None):
        """The live server ``instance_uuid`` (of ``project_id`` if given)."""
        return servers.find_instance(session, now, instance_uuid, project_id)

    @base.writer
    def set_password(self, session, now, instance_uuid, value):
        """Keep the guest's password once: PasswordAlreadySet (409) if one
        is kept, PasswordTooLong (400) past 1020 bytes."""
        if len(value.encode()) > MAX_PASSWORD_BYTES:
            raise exception.PasswordTooLong(limit=MAX_PASSWORD_BYTES)
        instance = servers.find_instance(session, now, instance_uuid,
                                         for_update=True)
        if password(instance):
            raise exception.PasswordAlreadySet()
        chunks = {key: value[i * CHUNK_SIZE:(i + 1) * CHUNK_SIZE]
                  for i, key in enumerate(_PASSWORD_KEYS)}
        instance.system_meta = {**instance.system_meta, **chunks}

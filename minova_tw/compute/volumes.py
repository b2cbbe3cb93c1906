"""Attaching a volume to a server: the one-server rule and the device it shows as.

minova has no cinder: any uuid is a volume. An attachment is a row of
``volume_attachments`` with the device the volume shows as (the one asked
for, else the next free ``/dev/vdX``; ``/dev/vda`` is the root disk), its
tag and whether it goes with the server. A volume is on one server at a
time: attaching takes the volume's lock (``db.locks``), and the database's
unique volume id holds it too. Server create (block device mappings) and
os-volume_attachments both attach through ``attach``.
"""

import re
import string

import sqlalchemy as sa

from minova_tw.compute import exception
from minova_tw.db import locks, models

V = models.VolumeAttachment
#: nova's check of a device path (what its API schema allows too).
DEVICE_PATH = re.compile(r"(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$")
ROOT_DEVICE = "/dev/vda"
#: The longest device name the database stores.
DEVICE_LENGTH = 255


def _device_letters():
    """b, c, ... z, aa, ab, ...: the disks after the root one."""
    letters = string.ascii_lowercase
    yield from letters[1:]
    for first in letters:
        for second in letters:
            yield first + second


def _free_device(instance):
    used = {row.device_name for row in instance.volume_attachments}
    return next("/dev/vd" + suffix for suffix in _device_letters()
                if "/dev/vd" + suffix not in used)


def attach(session, now, instance, volume_id, device=None, tag=None,
           delete_on_termination=False, boot_index=None):
    """Attach ``volume_id`` to ``instance`` (row-locked or new); return
    the attachment. The root volume (``boot_index`` 0) is ``/dev/vda``
    unless ``device`` says otherwise."""
    if device and (len(device) > DEVICE_LENGTH
                   or not DEVICE_PATH.match(device)):
        raise exception.InvalidDevicePath(path=device)
    locks.hold(session, locks.volume(volume_id))
    holder = session.scalar(sa.select(models.Instance.uuid).join(V).where(
        V.volume_id == volume_id))
    if holder == instance.uuid:
        raise exception.InvalidVolume(
            reason="volume %s already attached" % volume_id)
    if holder is not None:
        raise exception.InvalidVolume(
            reason="volume %s is already attached to instances: %s"
            % (volume_id, holder))
    if not device:
        device = ROOT_DEVICE if boot_index == 0 else _free_device(instance)
    elif any(row.device_name == device
             for row in instance.volume_attachments):
        raise exception.DevicePathInUse(path=device)
    row = V(uuid=models.new_uuid(), attachment_id=models.new_uuid(),
            volume_id=volume_id, device_name=device, tag=tag,
            delete_on_termination=delete_on_termination,
            boot_index=boot_index, created_at=now)
    instance.volume_attachments.append(row)
    session.flush()
    return row

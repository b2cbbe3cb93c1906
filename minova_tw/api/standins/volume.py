"""The volume stand-in: cinder v3's read of one volume, for the CLI's volume lookups.

The mini nova has no volume service: any UUID is a volume, attached to at
most one server (``os-volume_attachments``). ``openstack server add
volume`` and ``server remove volume`` look the volume up in cinder first;
this app answers them at ``/volume``:

- ``GET /volume``: the versions document (v3 only).
- ``GET /volume/v3/volumes/<id>`` (also with a project id after ``v3``):
  any UUID as a 1 GiB volume named after itself, ``in-use`` with its
  attachment while a server has it, else ``available``.

Everything else is 404. Nothing is stored or created here.
"""

import re

import webob.dec

from minova_tw.api import standins, validation
from minova_tw.compute import api as compute

VERSION = {"id": "v3.0", "status": "CURRENT", "version": "3.0",
           "min_version": "3.0", "updated": "2024-01-01T00:00:00Z"}
_VOLUME_PATH = re.compile(r"^/v3(?:/[^/]+)?/volumes/([^/]+)$")
#: What every volume of the stand-in says besides its id and state.
VOLUME_DEFAULTS = {
    "size": 1, "availability_zone": "nova", "bootable": "false",
    "encrypted": False, "multiattach": False, "metadata": {},
    "volume_type": "__DEFAULT__", "snapshot_id": None, "source_volid": None,
    "description": None, "replication_status": None,
    "created_at": "2024-01-01T00:00:00.000000", "updated_at": None,
}


def volume(volume_id, attachment=None):
    """cinder's volume document; ``attachment`` is
    ``(server uuid, device, attachment id, attached at)`` or None."""
    attachments = []
    if attachment is not None:
        server_id, device, attachment_id, attached_at = attachment
        attachments.append({
            "id": volume_id, "attachment_id": attachment_id,
            "volume_id": volume_id, "server_id": server_id,
            "device": device, "host_name": None,
            "attached_at": attached_at.isoformat(timespec="microseconds")})
    return dict(VOLUME_DEFAULTS, id=volume_id, name=volume_id,
                status="in-use" if attachments else "available",
                attachments=attachments)


class VolumeStandIn:
    """The WSGI app mounted at ``/volume``."""

    def __init__(self, conf):
        self.attachments = compute.API(conf).volume_attachments

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip("/")
        if req.method == "GET":
            if path in ("", "/v3"):
                return standins.json_response({"versions": [dict(
                    VERSION, links=[{"rel": "self",
                                     "href": req.application_url + "/v3/"}])]},
                    status=300 if path == "" else 200)
            match = _VOLUME_PATH.match(path)
            if match and validation.is_uuid(match.group(1)):
                volume_id = match.group(1)
                return standins.json_response({"volume": volume(
                    volume_id, self.attachments.find_volume(volume_id))})
        return standins.error_response(
            404, "Not Found", "The volume stand-in serves only GET of "
            "/v3/volumes/<id>.")


factory = standins.standin_factory(VolumeStandIn, with_conf=True)

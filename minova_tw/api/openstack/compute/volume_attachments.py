"""/servers/{server_id}/os-volume_attachments: volumes attached to a server.

Any uuid is a volume (there is no cinder); a volume is on one server at a
time. An attachment shows the volume id (also as ``id`` until 2.89), the
server, the device, ``tag`` (2.70), ``delete_on_termination`` (2.79) and
from 2.89 the ``attachment_id`` and ``bdm_uuid`` instead of ``id``.
Attaching answers 200 with the attachment (without the 2.89 fields, as
nova does) until 2.101, and 202 without a body from 2.101. ``PUT`` swaps
the volume for another (an admin's move, every version) or, from 2.85,
changes ``delete_on_termination`` (the owner may); detaching answers 202.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import (
    volume_attachments as schema)
from minova_tw.compute import api as compute

#: The fields of a 2.85 update body besides ``volumeId``.
UPDATE_FIELDS = ("id", "serverId", "device", "tag", "delete_on_termination")


def _view(req, server_id, row):
    new_ids = api_version.is_supported(req, "2.89")
    view = {} if new_ids else {"id": row.volume_id}
    view.update(volumeId=row.volume_id, serverId=server_id)
    if row.device_name:
        view["device"] = row.device_name
    if api_version.is_supported(req, "2.70"):
        view["tag"] = row.tag
    if api_version.is_supported(req, "2.79"):
        view["delete_on_termination"] = row.delete_on_termination
    if new_ids:
        view.update(attachment_id=row.attachment_id, bdm_uuid=row.uuid)
    return view


class VolumeAttachmentController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(schema.index_query_v275, "2.75")
    @validation.query_schema(schema.index_query, "2.1", "2.74")
    def index(self, req, server_id):
        rows = self.compute_api.volume_attachments.list(
            req.environ["nova.context"], server_id)
        return {"volumeAttachments": [_view(req, server_id, row)
                                      for row in self._page(req, rows)]}

    def _page(self, req, rows):
        """``rows`` from ``offset``, at most ``limit`` (or ``[api]
        max_limit``): nova's offset paging, the last repeated value wins."""
        max_limit = self.conf.api.max_limit
        offset = int(req.GET.get("offset", 0))
        limit = min(int(req.GET.get("limit", max_limit)), max_limit)
        return rows[offset:offset + limit]

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        row = self.compute_api.volume_attachments.get(
            req.environ["nova.context"], server_id, id)
        return {"volumeAttachment": _view(req, server_id, row)}

    @wsgi.expected_errors((400, 403, 404, 409))
    @common.compute_errors
    @validation.schema(schema.create_v279, "2.79")
    @validation.schema(schema.create_v249, "2.49", "2.78")
    @validation.schema(schema.create, "2.1", "2.48")
    def create(self, req, server_id, body):
        attachment = body["volumeAttachment"]
        delete_on_termination = common.parse_bool(
            attachment.get("delete_on_termination", False))
        row = self.compute_api.volume_attachments.attach(
            req.environ["nova.context"], server_id, attachment["volumeId"],
            device=attachment.get("device"), tag=attachment.get("tag"),
            delete_on_termination=delete_on_termination)
        if api_version.is_supported(req, "2.101"):
            return wsgi.ResponseObject(None, code=202)
        view = {"id": row.volume_id, "serverId": server_id,
                "volumeId": row.volume_id, "device": row.device_name}
        if api_version.is_supported(req, "2.70"):
            view["tag"] = row.tag
        if api_version.is_supported(req, "2.79"):
            view["delete_on_termination"] = row.delete_on_termination
        return {"volumeAttachment": view}

    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update_v285, "2.85")
    @validation.schema(schema.update, "2.1", "2.84")
    def update(self, req, server_id, id, body):
        attachment = body["volumeAttachment"]
        changes = None
        if api_version.is_supported(req, "2.85"):
            changes = {key: attachment[key] for key in UPDATE_FIELDS
                       if key in attachment}
            if "delete_on_termination" in changes:
                changes["delete_on_termination"] = common.parse_bool(
                    changes["delete_on_termination"])
        self.compute_api.volume_attachments.update(
            req.environ["nova.context"], server_id, id,
            attachment["volumeId"], changes)

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @common.compute_errors
    def delete(self, req, server_id, id):
        self.compute_api.volume_attachments.detach(
            req.environ["nova.context"], server_id, id)

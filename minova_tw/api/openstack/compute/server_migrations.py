"""/servers/{server_id}/migrations: a server's live migrations in progress (2.23), abort (2.24) and force_complete (2.22).

Listed and shown with nova's ``server_uuid`` and byte counters (null:
the fake hosts copy nothing), the host fields null to a caller the
``index:host`` rule refuses (the list; show always has them, as nova's),
``uuid`` from 2.59, ``user_id`` and ``project_id`` from 2.80. DELETE
aborts a running live migration (from 2.65 a queued or preparing one
too); force_complete finishes it at once.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import server_migrations \
    as schema
from minova_tw.compute import api as compute
from minova_tw.compute import exception

KEYS = ("created_at", "dest_compute", "dest_host", "dest_node", "id",
        "source_compute", "source_node", "status", "updated_at")
HOST_KEYS = ("dest_compute", "dest_host", "dest_node", "source_compute",
             "source_node")
BYTE_COUNTERS = ("disk_processed_bytes", "disk_remaining_bytes",
                 "disk_total_bytes", "memory_processed_bytes",
                 "memory_remaining_bytes", "memory_total_bytes")


def _view(req, row, show_hosts=True):
    body = {key: getattr(row, key) for key in KEYS}
    body["created_at"] = common.naive_isotime(row.created_at)
    body["updated_at"] = common.naive_isotime(row.updated_at)
    body["server_uuid"] = row.instance_uuid
    body.update(dict.fromkeys(BYTE_COUNTERS))
    if not show_hosts:
        body.update(dict.fromkeys(HOST_KEYS))
    if api_version.is_supported(req, "2.59"):
        body["uuid"] = row.uuid
    if api_version.is_supported(req, "2.80"):
        body["user_id"] = row.user_id
        body["project_id"] = row.project_id
    return body


class ServerMigrationsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.migrations = compute.API(conf).migrations

    @wsgi.api_version("2.23")
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req, server_id):
        rows, show_hosts = self.migrations.in_progress(
            req.environ["nova.context"], server_id)
        return {"migrations": [_view(req, row, show_hosts) for row in rows]}

    @wsgi.api_version("2.23")
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        row = self.migrations.get_in_progress(
            req.environ["nova.context"], server_id, id)
        return {"migration": _view(req, row)}

    @wsgi.api_version("2.24")
    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    def delete(self, req, server_id, id):
        self.migrations.abort(
            req.environ["nova.context"], server_id, id,
            queued_too=api_version.is_supported(req, "2.65"))

    @wsgi.api_version("2.22")
    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("force_complete")
    @common.compute_errors
    @validation.schema(schema.force_complete)
    def _force_complete(self, req, id, server_id, body):
        try:
            self.migrations.force_complete(req.environ["nova.context"],
                                           server_id, id)
        except exception.MigrationNotFoundForInstance as error:
            raise webob.exc.HTTPBadRequest(
                explanation=error.format_message()) from None

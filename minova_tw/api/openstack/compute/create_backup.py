"""createBackup on ``/servers/{id}/action``: an image of the server, kept in a rotation.

From 2.45 the answer is ``{"image_id"}``; before, an empty 202 with the
image's Location (only when the rotation is not 0, as nova answers).
"""

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import servers
from minova_tw.api.openstack.compute.schemas import create_backup as schema
from minova_tw.compute import api as compute


class CreateBackupController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("createBackup")
    @common.compute_errors
    @validation.schema(schema.create_backup)
    def _create_backup(self, req, id, body):
        params = body["createBackup"]
        rotation = int(params["rotation"])
        image_id = self.compute_api.server_actions.create_backup(
            req.environ["nova.context"], id, params["name"],
            params["backup_type"], rotation,
            metadata=params.get("metadata"))
        return servers.image_created(self.conf, req, image_id,
                                     location=rotation > 0)

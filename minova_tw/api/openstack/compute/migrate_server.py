"""The migrate and os-migrateLive server actions (admin): move a server to another fake host.

``migrate`` (cold) takes a ``host`` from 2.56 and leaves the server in
VERIFY_RESIZE on it, for confirmResize or revertResize. ``os-migrateLive``
takes ``host`` (null: the scheduler picks), ``block_migration`` ("auto"
from 2.25; ``disk_over_commit`` before) and, from 2.30 to 2.67,
``force``. From 2.34 nova checks a live migration after it has answered,
so a move no host can take is a 202 and an ``error`` migration; before,
a 400. These actions are served on ``/servers/{id}/action`` beside the
server's own (routes' ``ACTION_CONTROLLERS``).
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import migrate_server as schema
from minova_tw.compute import api as compute


def check_force(params, host):
    """400 when ``params`` force a move (os-migrateLive 2.30-2.67,
    evacuate 2.29-2.67) without naming its ``host``."""
    if common.parse_bool(params.get("force", False)) and not host:
        raise webob.exc.HTTPBadRequest(
            explanation="Can't force to a non-provided destination")


class MigrateServerController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.server_actions = compute.API(conf).server_actions

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("migrate")
    @common.compute_errors
    @validation.schema(schema.migrate_v256, "2.56")
    def _migrate(self, req, id, body):
        host = None
        if api_version.is_supported(req, "2.56"):
            host = (body["migrate"] or {}).get("host")
        self.server_actions.migrate(req.environ["nova.context"], id, host)

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("os-migrateLive")
    @common.compute_errors
    @validation.schema(schema.migrate_live_v268, "2.68")
    @validation.schema(schema.migrate_live_v230, "2.30", "2.67")
    @validation.schema(schema.migrate_live_v225, "2.25", "2.29")
    @validation.schema(schema.migrate_live, "2.1", "2.24")
    def _migrate_live(self, req, id, body):
        params = body["os-migrateLive"]
        host = params["host"]
        if api_version.is_supported(req, "2.30"):
            check_force(params, host)
        self.server_actions.live_migrate(
            req.environ["nova.context"], id, host,
            checks_async=api_version.is_supported(req, "2.34"))

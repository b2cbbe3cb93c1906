"""Shelve actions on ``/servers/{id}/action``: shelve, shelveOffload, unshelve.

unshelve takes no body before 2.77, an ``availability_zone`` from 2.77,
and from 2.91 a ``host`` (admin) and a null zone that unpins the server;
both only for a SHELVED_OFFLOADED server (409 otherwise). The state
machine is compute.actions'.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import servers
from minova_tw.api.openstack.compute.schemas import shelve as schema
from minova_tw.compute import actions
from minova_tw.compute import api as compute


class ShelveController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    _shelve = servers.state_action("shelve", "shelve",
                                   errors=(400, 403, 404, 409))
    _shelve_offload = servers.state_action("shelveOffload", "shelve_offload",
                                           errors=(400, 404, 409))

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("unshelve")
    @common.compute_errors
    @validation.schema(schema.unshelve_v291, "2.91")
    @validation.schema(schema.unshelve_v277, "2.77", "2.90")
    @validation.schema(schema.unshelve, "2.1", "2.76")
    def _unshelve(self, req, id, body):
        params = body["unshelve"] if api_version.is_supported(
            req, "2.77") else None
        params = params or {}
        self.compute_api.server_actions.unshelve(
            req.environ["nova.context"], id,
            availability_zone=params.get("availability_zone",
                                         actions.UNCHANGED),
            host=params.get("host"))

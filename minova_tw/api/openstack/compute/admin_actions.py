"""Admin actions on ``/servers/{id}/action``: os-resetState, injectNetworkInfo.

os-resetState sets the vm_state ("active" or "error") and clears the
task at once; injectNetworkInfo only checks the server (minova's have no
guest to inject into). resetNetwork, gone with nova-network, is the 410
of the servers controller.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import servers
from minova_tw.api.openstack.compute.schemas import admin_actions as schema
from minova_tw.compute import api as compute


class AdminActionsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    _inject_network_info = servers.state_action(
        "injectNetworkInfo", "inject_network_info")

    @wsgi.response(202)
    @wsgi.expected_errors(404)
    @wsgi.action("os-resetState")
    @common.compute_errors
    @validation.schema(schema.reset_state)
    def _reset_state(self, req, id, body):
        self.compute_api.server_actions.reset_state(
            req.environ["nova.context"], id, body["os-resetState"]["state"])

"""Remote consoles of a server: ``POST /servers/{server_id}/remote-consoles`` (2.6+) and the older console actions.

Before 2.6 a console is a server action (``os-getVNCConsole``,
``os-getSPICEConsole``, ``os-getSerialConsole``), served on
``/servers/{id}/action`` beside the server's own actions (routes'
``ACTION_CONTROLLERS``); ``os-getRDPConsole`` answers 400, as nova's has
since its only driver was removed. From 2.6 one request names the
protocol and the type (``mks`` from 2.8, ``spice-direct`` from 2.99).
Either way the answer is a URL with a new token (compute.consoles).
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import remote_consoles as schema
from minova_tw.compute import api as compute


def _console_action(key, protocol, body_schema):
    """The pre-2.6 action ``key``: ``{"console": {"type", "url"}}``."""
    @wsgi.api_version("2.1", "2.5")
    @wsgi.expected_errors((400, 404, 409, 501))
    @wsgi.action(key)
    @common.compute_errors
    @validation.schema(body_schema)
    def action(self, req, id, body):
        console_type = body[key]["type"]
        url = self._url(req, id, protocol, console_type)
        return {"console": {"type": console_type, "url": url}}
    action.__name__ = "_%s" % key
    action.__doc__ = "%s: a %s console's URL." % (key, protocol)
    return action


class RemoteConsolesController(wsgi.Controller):
    """``/servers/{server_id}/remote-consoles`` and the console actions."""

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _url(self, req, server_id, protocol, console_type):
        return self.compute_api.consoles.get_console(
            req.environ["nova.context"], server_id, protocol,
            console_type)["url"]

    _get_vnc_console = _console_action(
        "os-getVNCConsole", "vnc", schema.get_vnc_console)
    _get_spice_console = _console_action(
        "os-getSPICEConsole", "spice", schema.get_spice_console)
    _get_serial_console = _console_action(
        "os-getSerialConsole", "serial", schema.get_serial_console)

    @wsgi.api_version("2.1", "2.5")
    @wsgi.expected_errors((400, 404, 409, 501))
    @wsgi.action("os-getRDPConsole")
    def _get_rdp_console(self, req, id, body):
        """Always 400: nova removed RDP consoles with the Hyper-V driver."""
        raise webob.exc.HTTPBadRequest()

    @wsgi.api_version("2.6")
    @wsgi.expected_errors((400, 404, 409, 501))
    @common.compute_errors
    @validation.schema(schema.create_v26, "2.6", "2.7")
    @validation.schema(schema.create_v28, "2.8", "2.98")
    @validation.schema(schema.create_v299, "2.99")
    def create(self, req, server_id, body):
        protocol = body["remote_console"]["protocol"]
        console_type = body["remote_console"]["type"]
        if protocol == "rdp":
            raise webob.exc.HTTPBadRequest(
                explanation="Unavailable console type rdp.")
        url = self._url(req, server_id, protocol, console_type)
        return {"remote_console": {"protocol": protocol,
                                   "type": console_type, "url": url}}

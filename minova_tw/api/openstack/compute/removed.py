"""APIs nova has removed: their routes stay and answer 410 Gone.

nova keeps the paths of what it dropped (nova-network's fixed IPs, DNS,
bulk floating IPs and default security group rules, cells v1, the XenAPI
agents, cloudpipe, certificates, fping, the XVP consoles, virtual
interfaces) so an old client learns the API is gone rather than that it
mistyped a URL: every method answers 410 with nova's body,
``{"computeFault": {"code": 410, "message": "This resource is no longer
available. No forwarding address is given."}}`` (webob's explanation of
410, as nova's), to everybody and whatever the body.
"""

import webob.exc

from minova_tw.api.openstack import wsgi


def removed_action(key):
    """The handler of a removed ``POST .../action`` with body key ``key``."""
    @wsgi.expected_errors(410)
    @wsgi.action(key)
    def gone(self, req, **route_args):
        raise webob.exc.HTTPGone()
    return gone


class RemovedController(wsgi.Controller):
    """Every path of a removed API, routed to ``gone``."""

    @wsgi.expected_errors(410)
    def gone(self, req, **route_args):
        """Any method: route arguments and body are ignored."""
        raise webob.exc.HTTPGone()


class FixedIPsController(RemovedController):
    """``/os-fixed-ips/{id}/action``: reserve and unreserve are gone too;
    another action is a bad request, as for any action route."""

    _reserve = removed_action("reserve")
    _unreserve = removed_action("unreserve")

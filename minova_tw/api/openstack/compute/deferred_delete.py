"""Deferred delete actions on ``/servers/{id}/action``: restore and forceDelete.

With ``[DEFAULT] reclaim_instance_interval`` > 0 a deleted server is
SOFT_DELETED for that long; restore brings it back (403 when the quota
has no room for it), forceDelete deletes it at once (compute.servers).
"""

from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.compute import servers
from minova_tw.compute import api as compute


class DeferredDeleteController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    _restore = servers.state_action("restore", "restore",
                                    errors=(403, 404, 409), part="servers")
    _force_delete = servers.state_action("forceDelete", "force_delete",
                                         part="servers")

"""/limits: the absolute limits in effect for the project (``compute.quotas``) and what it uses now.

Rate limits are long gone from nova, so ``rate`` is always empty. Keys
leave by microversion: the network and security group ones in 2.36,
``maxImageMeta`` in 2.39, the personality ones in 2.57. An admin may ask
about another project with ``tenant_id``.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.compute.schemas import limits as schema
from minova_tw.compute import api as compute

#: (first version without them, keys).
DROPPED = (
    ("2.36", ("maxTotalFloatingIps", "maxSecurityGroups",
              "maxSecurityGroupRules", "totalFloatingIpsUsed",
              "totalSecurityGroupsUsed")),
    ("2.39", ("maxImageMeta",)),
    ("2.57", ("maxPersonality", "maxPersonalitySize")),
)


class LimitsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    @wsgi.expected_errors(())
    @validation.query_schema(schema.limits_query_v275, "2.75")
    @validation.query_schema(schema.limits_query, "2.1", "2.74")
    def index(self, req):
        ctx = req.environ["nova.context"]
        absolute = self.compute_api.quotas.get_limits(
            ctx, project_id=req.GET.get("tenant_id"))
        for version, keys in DROPPED:
            if api_version.is_supported(req, version):
                for key in keys:
                    del absolute[key]
        return {"limits": {"rate": [], "absolute": absolute}}

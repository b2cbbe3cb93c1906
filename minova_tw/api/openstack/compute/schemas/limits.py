"""Schema of /limits' query string: an admin's ``tenant_id``."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

limits_query = {
    "type": "object",
    "properties": {"tenant_id": pt.multi_params({"type": "string"})},
    "additionalProperties": True,
}

limits_query_v275 = dict(limits_query, additionalProperties=False)

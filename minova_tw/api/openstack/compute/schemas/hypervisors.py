"""Schemas of os-hypervisors' query strings: paging from 2.33, the hostname pattern and with_servers from 2.53 (nothing else from then on)."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

index_query = {"type": "object", "properties": {},
               "additionalProperties": True}
index_query_v233 = {"type": "object",
                    "properties": pt.pagination_parameters,
                    "additionalProperties": True}
index_query_v253 = {
    "type": "object",
    "properties": {
        "limit": pt.single_param(pt.non_negative_integer),
        "marker": pt.single_param({"type": "string"}),
        "hypervisor_hostname_pattern": pt.single_param(pt.hostname),
        "with_servers": pt.single_param(pt.boolean),
    },
    "additionalProperties": False,
}
show_query = {"type": "object", "properties": {},
              "additionalProperties": True}
show_query_v253 = {
    "type": "object",
    "properties": {"with_servers": pt.single_param(pt.boolean)},
    "additionalProperties": False,
}
#: uptime, search, servers and statistics take any query (nova's ``{}``);
#: they are gone before 2.102.
anything = {}

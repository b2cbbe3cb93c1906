"""Schemas of the os-instance-actions list's query string: anything before 2.58; then paging and changes-since, changes-before from 2.66."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_time = pt.single_param({"type": "string", "format": "date-time"})

index_query = {
    "type": "object",
    "properties": {},
    "additionalProperties": True,
}

index_query_v258 = {
    "type": "object",
    "properties": {
        "limit": pt.single_param(pt.non_negative_integer),
        "marker": pt.single_param({"type": "string"}),
        "changes-since": _time,
    },
    "additionalProperties": False,
}

index_query_v266 = copy.deepcopy(index_query_v258)
index_query_v266["properties"]["changes-before"] = _time

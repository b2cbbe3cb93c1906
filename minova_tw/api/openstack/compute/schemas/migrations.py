"""Schemas of GET /os-migrations' query string: nova's filters (anything else tolerated before 2.59, user_id and project_id used); paging and changes-since from 2.59, changes-before from 2.66, user_id and project_id from 2.80."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_filter = pt.multi_params({"type": "string"})
_time = pt.single_param({"type": "string", "format": "date-time"})

index_query = {
    "type": "object",
    "properties": {
        "hidden": _filter,
        "host": _filter,
        "instance_uuid": _filter,
        "source_compute": _filter,
        "status": _filter,
        "migration_type": _filter,
        # nova filters on any parameter before 2.59; these two mean
        # something to the database.
        "user_id": _filter,
        "project_id": _filter,
    },
    "additionalProperties": True,
}

index_query_v259 = copy.deepcopy(index_query)
index_query_v259["properties"].update({
    "limit": pt.single_param(pt.non_negative_integer),
    "marker": pt.single_param({"type": "string"}),
    "changes-since": _time,
})
del index_query_v259["properties"]["user_id"]
del index_query_v259["properties"]["project_id"]
index_query_v259["additionalProperties"] = False

index_query_v266 = copy.deepcopy(index_query_v259)
index_query_v266["properties"]["changes-before"] = _time

index_query_v280 = copy.deepcopy(index_query_v266)
index_query_v280["properties"].update({
    "user_id": pt.single_param({"type": "string"}),
    "project_id": pt.single_param({"type": "string"}),
})

"""Schemas of /flavors: the listing's query string, admin create and update."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

SORT_KEYS = ["created_at", "description", "disabled", "ephemeral_gb",
             "flavorid", "id", "is_public", "memory_mb", "name", "root_gb",
             "rxtx_factor", "swap", "updated_at", "vcpus"]

index_query = {
    "type": "object",
    "properties": {
        "limit": pt.pagination_parameters["limit"],
        "marker": pt.pagination_parameters["marker"],
        "is_public": pt.multi_params({"type": "string"}),
        "minRam": pt.multi_params({"type": "string"}),
        "minDisk": pt.multi_params({"type": "string"}),
        "sort_key": pt.single_param({"type": "string", "enum": SORT_KEYS}),
        "sort_dir": pt.single_param({"type": "string",
                                     "enum": ["asc", "desc"]}),
    },
    # Unknown parameters were ignored before 2.75.
    "additionalProperties": True,
}

index_query_v275 = copy.deepcopy(index_query)
index_query_v275["additionalProperties"] = False

#: 2.102: a ``name`` filter (a regular expression, as nova's), and no more
#: sorting by the retired ``rxtx_factor``.
index_query_v2102 = copy.deepcopy(index_query_v275)
index_query_v2102["properties"]["name"] = pt.multi_params({"type": "string"})
index_query_v2102["properties"]["sort_key"]["items"]["enum"].remove(
    "rxtx_factor")

#: The largest integer nova's flavor columns hold.
_MAX_INT = 2 ** 31 - 1

create = {
    "type": "object",
    "properties": {
        "flavor": {
            "type": "object",
            "properties": {
                "name": pt.name,
                "id": {
                    "type": ["string", "null"], "minLength": 1,
                    "maxLength": 255,
                    "pattern": "^(?! )[a-zA-Z0-9. _-]+(?<! )$",
                },
                "ram": dict(pt.positive_integer, maximum=_MAX_INT),
                "vcpus": dict(pt.positive_integer, maximum=_MAX_INT),
                "disk": dict(pt.non_negative_integer, maximum=_MAX_INT),
                "OS-FLV-EXT-DATA:ephemeral": dict(pt.non_negative_integer,
                                                  maximum=_MAX_INT),
                "swap": dict(pt.non_negative_integer, maximum=_MAX_INT),
                "rxtx_factor": {
                    "type": ["number", "string"],
                    "pattern": r"^[0-9]+(\.[0-9]+)?$",
                    "minimum": 0, "exclusiveMinimum": True,
                    "maximum": 3.40282e+38,
                },
                "os-flavor-access:is_public": pt.boolean,
            },
            "required": ["name", "ram", "vcpus", "disk"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}

_description = {
    "type": ["string", "null"], "minLength": 0, "maxLength": 65535,
    "pattern": "^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
}

create_v255 = copy.deepcopy(create)
create_v255["properties"]["flavor"]["properties"]["description"] = (
    _description)

#: 2.102 retired ``rxtx_factor``: giving it is a 400.
create_v2102 = copy.deepcopy(create_v255)
del create_v2102["properties"]["flavor"]["properties"]["rxtx_factor"]

update = {
    "type": "object",
    "properties": {
        "flavor": {
            "type": "object",
            "properties": {"description": _description},
            "required": ["description"],
            "additionalProperties": False,
        },
    },
    "required": ["flavor"],
    "additionalProperties": False,
}

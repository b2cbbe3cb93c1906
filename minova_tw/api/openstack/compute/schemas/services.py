"""Schemas of os-services: the PUT bodies (by host and binary before 2.53, by id from 2.53) and the listing's filters."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_reason = {"type": "string", "minLength": 1, "maxLength": 255}

update = {
    "type": "object",
    "properties": {
        "host": pt.hostname,
        "binary": {"type": "string", "minLength": 1, "maxLength": 255},
        "disabled_reason": _reason,
    },
    "required": ["host", "binary"],
    "additionalProperties": False,
}

update_v211 = {
    "type": "object",
    "properties": dict(update["properties"], forced_down=pt.boolean),
    "required": ["host", "binary"],
    "additionalProperties": False,
}

update_v253 = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "disabled_reason": _reason,
        "forced_down": pt.boolean,
    },
    "additionalProperties": False,
}

_filters = {"host": pt.multi_params({"type": "string"}),
            "binary": pt.multi_params({"type": "string"})}
index_query = {"type": "object", "properties": _filters,
               "additionalProperties": True}
index_query_v275 = {"type": "object", "properties": _filters,
                    "additionalProperties": False}

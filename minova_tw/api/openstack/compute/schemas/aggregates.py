"""Schemas of os-aggregates' bodies: create, update, add_host, remove_host, set_metadata."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

#: A zone name: nova's name rules, and no ":" (which separates a host).
_zone = {"oneOf": [dict(pt.name, pattern="^[^:]*$"), {"type": "null"}]}

create = {
    "type": "object",
    "properties": {"aggregate": {
        "type": "object",
        "properties": {"name": pt.name, "availability_zone": _zone},
        "required": ["name"], "additionalProperties": False}},
    "required": ["aggregate"], "additionalProperties": False,
}

update = {
    "type": "object",
    "properties": {"aggregate": {
        "type": "object",
        "properties": {"name": pt.name, "availability_zone": _zone},
        "additionalProperties": False,
        "anyOf": [{"required": ["name"]},
                  {"required": ["availability_zone"]}]}},
    "required": ["aggregate"], "additionalProperties": False,
}


def _host_action(name):
    return {
        "type": "object",
        "properties": {name: {
            "type": "object", "properties": {"host": pt.hostname},
            "required": ["host"], "additionalProperties": False}},
        "required": [name], "additionalProperties": False,
    }


add_host = _host_action("add_host")
remove_host = _host_action("remove_host")

_metadata = copy.deepcopy(pt.metadata)
for _value in _metadata["patternProperties"].values():
    _value["type"] = ["string", "null"]

set_metadata = {
    "type": "object",
    "properties": {"set_metadata": {
        "type": "object", "properties": {"metadata": _metadata},
        "required": ["metadata"], "additionalProperties": False}},
    "required": ["set_metadata"], "additionalProperties": False,
}

"""Schemas of os-server-groups: create by version, and the listing's query.

Before 2.64 a group has ``policies``, a list of exactly one policy
(affinity or anti-affinity; 2.15 adds the soft ones); from 2.64 it has one
``policy`` and optional ``rules``, whose only rule is anti-affinity's
``max_server_per_host``. The listing's unknown query parameters are
ignored until 2.75 and refused from it.
"""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_HARD = ["anti-affinity", "affinity"]
_ALL = _HARD + ["soft-anti-affinity", "soft-affinity"]


def _create(properties, required):
    return {
        "type": "object",
        "properties": {"server_group": {
            "type": "object",
            "properties": dict(name=pt.name, **properties),
            "required": ["name"] + required,
            "additionalProperties": False,
        }},
        "required": ["server_group"],
        "additionalProperties": False,
    }


def _policies(policies):
    return {"type": "array",
            "items": [{"type": "string", "enum": policies}],
            "uniqueItems": True, "minItems": 1, "maxItems": 1,
            "additionalItems": False}


create = _create({"policies": _policies(_HARD)}, ["policies"])
create_v215 = _create({"policies": _policies(_ALL)}, ["policies"])
create_v264 = _create({
    "policy": {"type": "string", "enum": _ALL},
    "rules": {"type": "object",
              "properties": {"max_server_per_host": pt.positive_integer},
              "additionalProperties": False},
}, ["policy"])

index_query = {
    "type": "object",
    "properties": {
        "all_projects": pt.multi_params({"type": "string"}),
        "limit": pt.multi_params(pt.non_negative_integer),
        "offset": pt.multi_params(pt.non_negative_integer),
    },
    "additionalProperties": True,
}
index_query_v275 = copy.deepcopy(index_query)
index_query_v275["additionalProperties"] = False

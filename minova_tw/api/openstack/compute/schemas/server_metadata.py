"""Schemas of /servers/{id}/metadata: the whole set, or one item."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

create = {
    "type": "object",
    "properties": {"metadata": pt.metadata},
    "required": ["metadata"],
    "additionalProperties": False,
}

update_all = create

_one_item = copy.deepcopy(pt.metadata)
_one_item.update(minProperties=1, maxProperties=1)

update = {
    "type": "object",
    "properties": {"meta": _one_item},
    "required": ["meta"],
    "additionalProperties": False,
}

"""Schemas of /servers/{server_id}/tags (2.26): the whole list, and a body-less add."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

update_all = {
    "type": "object",
    "properties": {"tags": pt.tags},
    "required": ["tags"],
    "additionalProperties": False,
}

#: PUT /servers/{server_id}/tags/{tag} takes no body.
update = {"type": "null"}

"""Schemas of /servers/{server_id}/os-volume_attachments: attach (2.49 tag, 2.79 delete_on_termination), update (2.85), the listing's paging."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

#: nova's check of a device path (compute.volumes.DEVICE_PATH).
_device = {"type": ["string", "null"],
           "pattern": "(^/dev/x{0,1}[a-z]{0,1}d{0,1})([a-z]+)[0-9]*$"}

index_query = {
    "type": "object",
    "properties": {
        "limit": pt.multi_params(pt.non_negative_integer),
        "offset": pt.multi_params(pt.non_negative_integer),
    },
    "additionalProperties": True,
}

index_query_v275 = copy.deepcopy(index_query)
index_query_v275["additionalProperties"] = False

create = {
    "type": "object",
    "properties": {
        "volumeAttachment": {
            "type": "object",
            "properties": {"volumeId": pt.uuid, "device": _device},
            "required": ["volumeId"],
            "additionalProperties": False,
        },
    },
    "required": ["volumeAttachment"],
    "additionalProperties": False,
}

create_v249 = copy.deepcopy(create)
create_v249["properties"]["volumeAttachment"]["properties"]["tag"] = pt.tag

create_v279 = copy.deepcopy(create_v249)
create_v279["properties"]["volumeAttachment"]["properties"][
    "delete_on_termination"] = pt.boolean

update = copy.deepcopy(create)
del update["properties"]["volumeAttachment"]["properties"]["device"]

update_v285 = copy.deepcopy(create_v279)
update_v285["properties"]["volumeAttachment"]["properties"].update(
    serverId=pt.uuid, id=pt.uuid)

"""Schemas of /servers/{server_id}/os-interface: attach (a tag from 2.49) and the reads' query strings."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

create = {
    "type": "object",
    "properties": {
        "interfaceAttachment": {
            "type": "object",
            "properties": {
                "net_id": pt.uuid,
                "port_id": pt.uuid,
                "fixed_ips": {
                    "type": "array", "minItems": 1, "maxItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {"ip_address": pt.ip_address},
                        "required": ["ip_address"],
                        "additionalProperties": False,
                    },
                },
            },
            "additionalProperties": False,
        },
    },
    "additionalProperties": False,
}

create_v249 = copy.deepcopy(create)
create_v249["properties"]["interfaceAttachment"]["properties"]["tag"] = pt.tag

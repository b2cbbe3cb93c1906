"""Schemas of the evacuate server action: onSharedStorage (required) before 2.14, force from 2.29 to 2.67."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

evacuate = {
    "type": "object",
    "properties": {
        "evacuate": {
            "type": "object",
            "properties": {
                "host": pt.fqdn,
                "onSharedStorage": pt.boolean,
                "adminPass": pt.admin_password,
            },
            "required": ["onSharedStorage"],
            "additionalProperties": False,
        },
    },
    "required": ["evacuate"],
    "additionalProperties": False,
}

evacuate_v214 = copy.deepcopy(evacuate)
del evacuate_v214["properties"]["evacuate"]["properties"]["onSharedStorage"]
del evacuate_v214["properties"]["evacuate"]["required"]

evacuate_v229 = copy.deepcopy(evacuate_v214)
evacuate_v229["properties"]["evacuate"]["properties"]["force"] = pt.boolean

#: 2.68 drops force again: the 2.14 body (2.95 changes only the outcome).
evacuate_v268 = copy.deepcopy(evacuate_v214)

"""Bodies of the shelve actions: shelve and shelveOffload take anything, unshelve a zone (2.77) or a host (2.91)."""

from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import servers

shelve = servers.no_body_action("shelve")
shelve_offload = servers.no_body_action("shelveOffload")
unshelve = servers.no_body_action("unshelve")

#: ``{"unshelve": null}`` or ``{"unshelve": {"availability_zone": ...}}``
#: (an empty object is refused, as nova refuses it).
unshelve_v277 = {
    "type": "object",
    "properties": {
        "unshelve": {
            "type": ["object", "null"],
            "properties": {"availability_zone": pt.name},
            "required": ["availability_zone"],
            "additionalProperties": False,
        },
    },
    "required": ["unshelve"],
    "additionalProperties": False,
}

#: A null availability_zone unpins the server; a host is an admin's.
unshelve_v291 = {
    "type": "object",
    "properties": {
        "unshelve": {
            "type": ["object", "null"],
            "properties": {
                "availability_zone": {"type": ["string", "null"]},
                "host": {"type": "string"},
            },
            "additionalProperties": False,
        },
    },
    "required": ["unshelve"],
    "additionalProperties": False,
}

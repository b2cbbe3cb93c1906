"""Bodies of the admin actions: os-resetState's state, injectNetworkInfo's anything."""

from minova_tw.api.openstack.compute.schemas import servers

inject_network_info = servers.no_body_action("injectNetworkInfo")

reset_state = {
    "type": "object",
    "properties": {
        "os-resetState": {
            "type": "object",
            "properties": {
                "state": {"type": "string", "enum": ["active", "error"]},
            },
            "required": ["state"],
            "additionalProperties": False,
        },
    },
    "required": ["os-resetState"],
    "additionalProperties": False,
}

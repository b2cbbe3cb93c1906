"""Schemas of the console requests: the pre-2.6 actions and POST remote-consoles (2.6, 2.8, 2.99).

The enums are nova's: they still name types no driver offers any more
(xvpvnc, rdp), which the API then refuses with its own 400.
"""

import copy


def _get_console(key, types):
    """``{key: {"type": <one of types>}}`` and nothing else."""
    return {
        "type": "object",
        "properties": {key: {
            "type": "object",
            "properties": {"type": {"type": "string", "enum": types}},
            "required": ["type"],
            "additionalProperties": False,
        }},
        "required": [key],
        "additionalProperties": False,
    }


get_vnc_console = _get_console("os-getVNCConsole", ["novnc", "xvpvnc"])
get_spice_console = _get_console("os-getSPICEConsole", ["spice-html5"])
get_serial_console = _get_console("os-getSerialConsole", ["serial"])

create_v26 = {
    "type": "object",
    "properties": {"remote_console": {
        "type": "object",
        "properties": {
            "protocol": {"type": "string",
                         "enum": ["vnc", "spice", "serial", "rdp"]},
            "type": {"type": "string",
                     "enum": ["novnc", "xvpvnc", "spice-html5", "serial",
                              "rdp-html5"]},
        },
        "required": ["protocol", "type"],
        "additionalProperties": False,
    }},
    "required": ["remote_console"],
    "additionalProperties": False,
}


def _with(schema, protocol=None, console_type=None):
    """``schema`` with one more protocol and/or console type allowed."""
    grown = copy.deepcopy(schema)
    props = grown["properties"]["remote_console"]["properties"]
    if protocol:
        props["protocol"]["enum"].append(protocol)
    if console_type:
        props["type"]["enum"].append(console_type)
    return grown


create_v28 = _with(create_v26, "mks", "webmks")
create_v299 = _with(create_v28, console_type="spice-direct")

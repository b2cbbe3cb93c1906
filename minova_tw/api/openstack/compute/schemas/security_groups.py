"""Schemas of the security group server actions (addSecurityGroup, removeSecurityGroup)."""


def _action(key):
    """``{key: {"name": <non-empty>}}``; other top-level keys pass, as in
    nova."""
    return {
        "type": "object",
        "properties": {key: {
            "type": "object",
            "properties": {"name": {"type": "string", "minLength": 1}},
            "required": ["name"],
            "additionalProperties": False,
        }},
        "required": [key],
        "additionalProperties": True,
    }


add_security_group = _action("addSecurityGroup")
remove_security_group = _action("removeSecurityGroup")

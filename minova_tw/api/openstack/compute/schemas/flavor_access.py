"""Schemas of the flavor access actions: one project id, as stored (1-255 characters)."""


def _tenant_action(key):
    """``{key: {"tenant": <project id>}}`` and nothing else."""
    return {
        "type": "object",
        "properties": {key: {
            "type": "object",
            "properties": {"tenant": {"type": "string", "minLength": 1,
                                      "maxLength": 255}},
            "required": ["tenant"],
            "additionalProperties": False,
        }},
        "required": [key],
        "additionalProperties": False,
    }


add_tenant_access = _tenant_action("addTenantAccess")
remove_tenant_access = _tenant_action("removeTenantAccess")

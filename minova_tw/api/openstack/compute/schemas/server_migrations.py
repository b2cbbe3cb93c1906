"""Schemas of /servers/{server_id}/migrations: the force_complete action's body (nothing but null)."""

force_complete = {
    "type": "object",
    "properties": {"force_complete": {"type": "null"}},
    "required": ["force_complete"],
    "additionalProperties": False,
}

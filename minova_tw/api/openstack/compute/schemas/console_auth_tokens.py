"""Schemas of GET /os-console-auth-tokens/{token}: no query parameters; unknown ones are refused from 2.99."""

show_query = {"type": "object", "properties": {},
              "additionalProperties": True}
show_query_v299 = dict(show_query, additionalProperties=False)

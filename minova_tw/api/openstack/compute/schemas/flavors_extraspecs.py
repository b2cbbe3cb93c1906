"""Schemas of /flavors/{id}/os-extra_specs: set several, or one by key."""

import copy

_KEY = "^[a-zA-Z0-9-_:. ]{1,255}$"
_VALUE = {"type": ["string", "number", "boolean"], "minLength": 0,
          "maxLength": 255}

metadata = {
    "type": "object",
    "patternProperties": {_KEY: _VALUE},
    "additionalProperties": False,
}

create = {
    "type": "object",
    "properties": {"extra_specs": metadata},
    "required": ["extra_specs"],
    "additionalProperties": False,
}

update = copy.deepcopy(metadata)
update.update(minProperties=1, maxProperties=1)

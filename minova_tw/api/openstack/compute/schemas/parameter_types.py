"""Schema pieces every compute resource shares: names, ids, booleans, paging, metadata.

Query parameters are arrays because every parameter of a query string may
repeat (see ``minova_tw.api.validation.query_schema``): ``single_param``
allows one value, ``multi_params`` any number.
"""

import copy


def single_param(schema):
    """A query parameter given at most once, each value matching ``schema``."""
    return {"type": "array", "items": copy.deepcopy(schema), "maxItems": 1}


def multi_params(schema):
    """A query parameter that may repeat, each value matching ``schema``."""
    return {"type": "array", "items": copy.deepcopy(schema)}


def one_field_action(key, field, schema, other_keys=False):
    """An action body ``{key: {field: <schema>}}``; other top-level keys
    pass only with ``other_keys`` (nova's older action schemas)."""
    return {
        "type": "object",
        "properties": {key: {
            "type": "object",
            "properties": {field: copy.deepcopy(schema)},
            "required": [field],
            "additionalProperties": False,
        }},
        "required": [key],
        "additionalProperties": other_keys,
    }


boolean = {
    "type": ["boolean", "string"],
    "enum": [True, "True", "TRUE", "true", "1", "ON", "On", "on", "YES",
             "Yes", "yes", "y", "t", False, "False", "FALSE", "false", "0",
             "OFF", "Off", "off", "NO", "No", "no", "n", "f"],
}

none = {"enum": ["None", None, {}]}

positive_integer = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]*$", "minimum": 1, "minLength": 1,
}

non_negative_integer = {
    "type": ["integer", "string"],
    "pattern": "^[0-9]*$", "minimum": 0, "minLength": 1,
}

name = {
    "type": "string", "minLength": 1, "maxLength": 255, "format": "name",
}

name_or_none = {"oneOf": [name, {"type": "null"}]}

#: The query string of a method that takes no parameters, from 2.102 (when
#: nova made every API refuse unknown ones): any parameter is a 400.
no_query_v2102 = {"type": "object", "properties": {},
                  "additionalProperties": False}

description = {
    "type": ["string", "null"], "minLength": 0, "maxLength": 255,
    "pattern": "^[^\x00-\x1f\x7f]*$",
}

uuid = {"type": "string", "format": "uuid"}

image_id = {"type": "string", "format": "uuid"}

#: An image reference as nova accepts it before 2.x validation: a uuid or
#: an href ending in one.
image_ref = {"type": "string", "pattern": "^(|.*[0-9a-fA-F-]{32,36})$"}

flavor_ref = {"type": ["string", "integer"], "minLength": 1}

admin_password = {"type": "string"}

hostname = {
    "type": "string", "minLength": 1, "maxLength": 255,
    "pattern": "^[a-zA-Z0-9-._]*$",
}

ip_address = {"type": "string", "oneOf": [{"format": "ipv4"},
                                           {"format": "ipv6"}]}
ipv4 = {"type": "string", "format": "ipv4"}
ipv6 = {"type": "string", "format": "ipv6"}

#: Server hostname of 2.90: a single label, up to 63 characters.
server_hostname = {
    "type": "string", "minLength": 1, "maxLength": 63,
    "pattern": "^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$",
}

#: Server hostname of 2.94: a fully qualified name, up to 255 characters.
fqdn = {
    "type": "string", "minLength": 1, "maxLength": 255,
    "pattern": r"^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
               r"(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$",
}

metadata = {
    "type": "object",
    "patternProperties": {
        "^[a-zA-Z0-9-_:. ]{1,255}$": {"type": "string", "maxLength": 255},
    },
    "additionalProperties": False,
}

tag = {"type": "string", "minLength": 1, "maxLength": 60,
       "pattern": "^[^,/]*$"}

tags = {"type": "array", "items": tag, "maxItems": 50}

#: limit and marker of every paged listing.
pagination_parameters = {
    "limit": multi_params(non_negative_integer),
    "marker": multi_params({"type": "string"}),
}

"""Schemas of /os-keypairs: import/generate, and the user_id/paging query strings."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_name = {"type": "string", "minLength": 1, "maxLength": 255,
         "pattern": "^[a-zA-Z0-9 _-]+$"}
#: 2.92 allows "@" and "." too.
_name_v292 = dict(_name, pattern="^[a-zA-Z0-9 @._-]+$")

create = {
    "type": "object",
    "properties": {
        "keypair": {
            "type": "object",
            "properties": {
                "name": _name,
                "public_key": {"type": "string"},
            },
            "required": ["name"],
            "additionalProperties": False,
        },
    },
    "required": ["keypair"],
    "additionalProperties": False,
}

create_v22 = copy.deepcopy(create)
create_v22["properties"]["keypair"]["properties"]["type"] = {
    "type": "string", "enum": ["ssh", "x509"]}

create_v210 = copy.deepcopy(create_v22)
create_v210["properties"]["keypair"]["properties"]["user_id"] = {
    "type": "string"}

create_v292 = copy.deepcopy(create_v210)
create_v292["properties"]["keypair"]["properties"]["name"] = _name_v292
create_v292["properties"]["keypair"]["required"] = ["name", "public_key"]

_user_id = pt.multi_params({"type": "string"})

#: show and delete take the same query strings.
show_query = {"type": "object", "properties": {},
              "additionalProperties": True}
show_query_v210 = {"type": "object", "properties": {"user_id": _user_id},
                   "additionalProperties": True}
show_query_v275 = dict(show_query_v210, additionalProperties=False)

index_query = show_query
index_query_v210 = show_query_v210
index_query_v235 = {
    "type": "object",
    "properties": {"user_id": _user_id, **pt.pagination_parameters},
    "additionalProperties": True,
}
index_query_v275 = dict(index_query_v235, additionalProperties=False)

"""Schemas of os-quota-sets and os-quota-class-sets: which limits each microversion takes.

A limit is an integer (or a string of one) from -1, unlimited, to the
largest the database's integer column holds. The network quotas leave
quota sets in 2.36 and quota classes in 2.50, the personality (injected
file) quotas leave both in 2.57. Query strings take ``user_id`` (quota sets
only); from 2.75 nothing else.
"""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import quotas

#: The nova-network quotas nova still shows before 2.36 (2.50 for classes).
NETWORK = ("fixed_ips", "floating_ips", "security_groups",
           "security_group_rules")
#: The personality quotas nova shows before 2.57.
PERSONALITY = ("injected_files", "injected_file_content_bytes",
               "injected_file_path_bytes")
#: What quota classes show only from 2.50.
SERVER_GROUPS = ("server_groups", "server_group_members")

_limit = {
    "type": ["integer", "string"],
    "pattern": "^-?[0-9]+$",
    "minimum": -1,
    "maximum": 0x7FFFFFFF,
}


def _body(key, left_out=(), **more):
    """``{key: {resource: limit, ...}}`` of every resource but
    ``left_out``, plus ``more``."""
    properties = {resource: copy.deepcopy(_limit)
                  for resource in quotas.RESOURCES if resource not in left_out}
    properties.update(more)
    return {
        "type": "object",
        "properties": {key: {"type": "object", "properties": properties,
                             "additionalProperties": False}},
        "required": [key],
        "additionalProperties": False,
    }


update = _body("quota_set", force=pt.boolean)
update_v236 = _body("quota_set", NETWORK, force=pt.boolean)
update_v257 = _body("quota_set", NETWORK + PERSONALITY, force=pt.boolean)

class_update = _body("quota_class_set")
class_update_v250 = _body("quota_class_set", NETWORK)
class_update_v257 = _body("quota_class_set", NETWORK + PERSONALITY)

query = {
    "type": "object",
    "properties": {"user_id": pt.multi_params({"type": "string"})},
    "additionalProperties": True,
}
query_v275 = dict(query, additionalProperties=False)

"""Schemas of the migrate and os-migrateLive server actions: migrate's host (2.56); os-migrateLive's block_migration ("auto" from 2.25, disk_over_commit before), force (2.30-2.67)."""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_host = copy.deepcopy(pt.fqdn)
_host["type"] = ["string", "null"]

migrate_v256 = {
    "type": "object",
    "properties": {
        "migrate": {
            "type": ["object", "null"],
            "properties": {"host": _host},
            "additionalProperties": False,
        },
    },
    "required": ["migrate"],
    "additionalProperties": False,
}

migrate_live = {
    "type": "object",
    "properties": {
        "os-migrateLive": {
            "type": "object",
            "properties": {
                "block_migration": pt.boolean,
                "disk_over_commit": pt.boolean,
                "host": _host,
            },
            "required": ["block_migration", "disk_over_commit", "host"],
            "additionalProperties": False,
        },
    },
    "required": ["os-migrateLive"],
    "additionalProperties": False,
}

_block_migration = copy.deepcopy(pt.boolean)
_block_migration["enum"].append("auto")

migrate_live_v225 = copy.deepcopy(migrate_live)
_live = migrate_live_v225["properties"]["os-migrateLive"]
del _live["properties"]["disk_over_commit"]
_live["properties"]["block_migration"] = _block_migration
_live["required"] = ["block_migration", "host"]

migrate_live_v230 = copy.deepcopy(migrate_live_v225)
migrate_live_v230["properties"]["os-migrateLive"]["properties"]["force"] = (
    pt.boolean)

#: 2.68 drops force again: the 2.25 body.
migrate_live_v268 = copy.deepcopy(migrate_live_v225)

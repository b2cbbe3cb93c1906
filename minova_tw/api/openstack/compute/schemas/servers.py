"""Schemas of /servers: create, update, the actions' bodies, the listing's query string.

Each schema grows by microversion as nova's did; a name ending ``_v2NN``
is the schema from that version on.
"""

import copy

from minova_tw.api.openstack.compute.schemas import parameter_types as pt

_base64 = {"type": "string", "format": "base64", "maxLength": 65535}

_network = {
    "type": "object",
    "properties": {
        "fixed_ip": pt.ip_address,
        "port": {"oneOf": [{"type": "string", "format": "uuid"},
                           {"type": "null"}]},
        "uuid": {"type": "string"},
    },
    "additionalProperties": False,
}

_personality = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "contents": {"type": "string", "format": "base64"},
        },
        "additionalProperties": False,
    },
}

_bdm_v2 = {
    "type": "array",
    "items": {"type": "object", "properties": {
        "source_type": {"type": "string",
                        "enum": ["volume", "image", "snapshot", "blank"]},
        "destination_type": {"type": "string",
                             "enum": ["local", "volume"]},
        "uuid": {"type": "string"},
        "boot_index": {"type": ["integer", "string", "null"]},
        "volume_size": {"type": ["integer", "string", "null"]},
        "delete_on_termination": pt.boolean,
        "device_name": {"type": "string"},
        "device_type": {"type": "string"},
        "disk_bus": {"type": "string"},
        "guest_format": {"type": "string"},
        "no_device": {},
        "connection_info": {"type": "string"},
        "snapshot_id": {"type": "string"},
        "volume_id": {"type": "string"},
        "image_id": {"type": "string"},
    }, "additionalProperties": False},
}

#: Hints are free-form, but the server group one names a group (nova's
#: schema lets it be a list; the compute layer takes its first item).
_scheduler_hints = {
    "type": "object",
    "properties": {"group": {"oneOf": [
        {"type": "array", "items": pt.uuid}, pt.uuid]}},
    "additionalProperties": True,
}

create = {
    "type": "object",
    "properties": {
        "server": {
            "type": "object",
            "properties": {
                "name": pt.name,
                "imageRef": {"oneOf": [pt.image_id,
                                       {"type": "string", "maxLength": 0}]},
                "flavorRef": pt.flavor_ref,
                "adminPass": pt.admin_password,
                "metadata": pt.metadata,
                "networks": {"type": "array", "items": _network},
                "OS-DCF:diskConfig": {"type": "string",
                                      "enum": ["AUTO", "MANUAL"]},
                "accessIPv4": pt.ipv4,
                "accessIPv6": pt.ipv6,
                "personality": _personality,
                "availability_zone": {"type": "string", "minLength": 1,
                                      "maxLength": 255},
                "block_device_mapping_v2": _bdm_v2,
                "config_drive": pt.boolean,
                "key_name": {"type": "string", "minLength": 1,
                             "maxLength": 255},
                "min_count": pt.positive_integer,
                "max_count": pt.positive_integer,
                "return_reservation_id": pt.boolean,
                "security_groups": {"type": "array", "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string",
                                            "minLength": 1,
                                            "maxLength": 255}},
                    "additionalProperties": False}},
                "user_data": _base64,
            },
            "required": ["name", "flavorRef"],
            "additionalProperties": False,
        },
        "os:scheduler_hints": _scheduler_hints,
        "OS-SCH-HNT:scheduler_hints": _scheduler_hints,
    },
    "required": ["server"],
    "additionalProperties": False,
}


def _server_props(schema):
    return schema["properties"]["server"]["properties"]


create_v219 = copy.deepcopy(create)
_server_props(create_v219)["description"] = pt.description

create_v232 = copy.deepcopy(create_v219)
_server_props(create_v232)["networks"]["items"]["properties"]["tag"] = pt.tag

#: 2.37: networks is required: "auto", "none" or a list whose uuids are
#: real UUIDs; network tags are gone until 2.42.
create_v237 = copy.deepcopy(create_v219)
_network_v237 = copy.deepcopy(_network)
_network_v237["properties"]["uuid"] = pt.uuid
_server_props(create_v237)["networks"] = {"oneOf": [
    {"type": "array", "items": _network_v237},
    {"type": "string", "enum": ["none", "auto"]}]}
create_v237["properties"]["server"]["required"].append("networks")

create_v242 = copy.deepcopy(create_v237)
_server_props(create_v242)["networks"]["oneOf"][0]["items"]["properties"][
    "tag"] = pt.tag

create_v252 = copy.deepcopy(create_v242)
_server_props(create_v252)["tags"] = pt.tags

create_v257 = copy.deepcopy(create_v252)
del _server_props(create_v257)["personality"]

create_v263 = copy.deepcopy(create_v257)
_trusted_certs = {
    "type": ["array", "null"], "minItems": 1, "maxItems": 50,
    "uniqueItems": True,
    "items": {"type": "string", "minLength": 1},
}
_server_props(create_v263)["trusted_image_certificates"] = _trusted_certs

create_v274 = copy.deepcopy(create_v263)
_server_props(create_v274)["host"] = pt.hostname
_server_props(create_v274)["hypervisor_hostname"] = pt.hostname

create_v290 = copy.deepcopy(create_v274)
_server_props(create_v290)["hostname"] = pt.server_hostname

create_v294 = copy.deepcopy(create_v290)
_server_props(create_v294)["hostname"] = pt.fqdn

def _wrapped(key, properties, required=(), nullable=False):
    """``{key: {properties}}``, nothing else at either level (how every
    server body and action body is shaped)."""
    inner = {"type": ["object", "null"] if nullable else "object",
             "properties": properties, "additionalProperties": False}
    if required:
        inner["required"] = list(required)
    return {"type": "object", "properties": {key: inner},
            "required": [key], "additionalProperties": False}


_disk_config = {"type": "string", "enum": ["AUTO", "MANUAL"]}

update = _wrapped("server", {
    "name": pt.name, "OS-DCF:diskConfig": _disk_config,
    "accessIPv4": pt.ipv4, "accessIPv6": pt.ipv6})

update_v219 = copy.deepcopy(update)
_server_props(update_v219)["description"] = pt.description

update_v290 = copy.deepcopy(update_v219)
_server_props(update_v290)["hostname"] = pt.server_hostname

update_v294 = copy.deepcopy(update_v290)
_server_props(update_v294)["hostname"] = pt.fqdn

#: 2.104: unpin (null) or re-pin the server's availability zone.
update_v2104 = copy.deepcopy(update_v294)
_server_props(update_v2104)["pinned_availability_zone"] = pt.name_or_none

rebuild = _wrapped("rebuild", {
    "name": pt.name, "imageRef": pt.image_id,
    "adminPass": pt.admin_password, "metadata": pt.metadata,
    "preserve_ephemeral": pt.boolean, "OS-DCF:diskConfig": _disk_config,
    "accessIPv4": pt.ipv4, "accessIPv6": pt.ipv6,
    "personality": _personality}, required=["imageRef"])


def _rebuild_props(schema):
    return schema["properties"]["rebuild"]["properties"]


rebuild_v219 = copy.deepcopy(rebuild)
_rebuild_props(rebuild_v219)["description"] = pt.description

rebuild_v254 = copy.deepcopy(rebuild_v219)
_rebuild_props(rebuild_v254)["key_name"] = {
    "type": ["string", "null"], "minLength": 1, "maxLength": 255}

rebuild_v257 = copy.deepcopy(rebuild_v254)
del _rebuild_props(rebuild_v257)["personality"]
_rebuild_props(rebuild_v257)["user_data"] = {
    "oneOf": [_base64, {"type": "null"}]}

rebuild_v263 = copy.deepcopy(rebuild_v257)
_rebuild_props(rebuild_v263)["trusted_image_certificates"] = _trusted_certs

rebuild_v290 = copy.deepcopy(rebuild_v263)
_rebuild_props(rebuild_v290)["hostname"] = pt.server_hostname

rebuild_v294 = copy.deepcopy(rebuild_v290)
_rebuild_props(rebuild_v294)["hostname"] = pt.fqdn

reboot = _wrapped("reboot", {"type": {"type": "string", "enum": [
    "HARD", "Hard", "hard", "SOFT", "Soft", "soft"]}}, required=["type"])

resize = _wrapped("resize", {"flavorRef": pt.flavor_ref,
                             "OS-DCF:diskConfig": _disk_config},
                  required=["flavorRef"])

create_image = _wrapped("createImage", {"name": pt.name,
                                        "metadata": pt.metadata},
                        required=["name"])

change_password = _wrapped("changePassword",
                           {"adminPass": pt.admin_password},
                           required=["adminPass"])

rescue = _wrapped("rescue", {"adminPass": pt.admin_password,
                             "rescue_image_ref": pt.image_id},
                  nullable=True)

lock = {
    "type": "object",
    "properties": {"lock": {"type": "null"}},
    "required": ["lock"],
    "additionalProperties": False,
}

lock_v273 = _wrapped("lock", {"locked_reason": {
    "type": "string", "minLength": 1, "maxLength": 255}}, nullable=True)

console_output = _wrapped("os-getConsoleOutput", {"length": {
    "type": ["integer", "string", "null"], "pattern": "^-?[0-9]+$",
    "minimum": -1}})


def no_body_action(name):
    """``{"<name>": null}`` (os-start, pause, ...); any value is tolerated
    as nova's actions without a schema do."""
    return {"type": "object", "properties": {name: {}},
            "required": [name], "additionalProperties": False}


SORT_KEYS = ["access_ip_v4", "access_ip_v6", "auto_disk_config",
             "availability_zone", "config_drive", "created_at",
             "display_description", "display_name", "host", "hostname",
             "image_ref", "instance_type_id", "kernel_id", "key_name",
             "launch_index", "launched_at", "locked_by", "node",
             "power_state", "progress", "project_id", "ramdisk_id",
             "root_device_name", "task_state", "terminated_at",
             "updated_at", "user_id", "uuid", "vm_state",
             # accepted and ignored (nova's SERVER_LIST_IGNORE_SORT_KEY)
             "architecture", "cell_name", "cleaned",
             "default_ephemeral_device", "default_swap_device", "deleted",
             "deleted_at", "disable_terminate", "ephemeral_gb",
             "ephemeral_key_uuid", "id", "key_data", "launched_on", "locked",
             "memory_mb", "os_type", "reservation_id", "root_gb",
             "shutdown_terminate", "user_data", "vcpus", "vm_mode"]

_string = pt.multi_params({"type": "string"})
_time = pt.multi_params({"type": "string", "format": "date-time"})

query_params = {
    "type": "object",
    "properties": {
        "user_id": _string, "project_id": _string, "tenant_id": _string,
        "launch_index": _string, "image_ref": _string, "image": _string,
        "kernel_id": _string, "ramdisk_id": _string, "hostname": _string,
        "key_name": _string, "power_state": _string, "vm_state": _string,
        "task_state": _string, "host": _string, "node": _string,
        "flavor": _string, "reservation_id": _string,
        "launched_at": _string, "terminated_at": _string,
        "availability_zone": _string, "name": _string,
        "display_name": _string, "description": _string,
        "display_description": _string, "locked_by": _string,
        "uuid": _string, "root_device_name": _string,
        "config_drive": _string, "access_ip_v4": _string,
        "access_ip_v6": _string, "auto_disk_config": _string,
        "progress": _string,
        "sort_key": pt.multi_params({"type": "string", "enum": SORT_KEYS}),
        "sort_dir": pt.multi_params({"type": "string",
                                     "enum": ["asc", "desc"]}),
        "all_tenants": _string, "soft_deleted": _string,
        "deleted": _string, "status": _string,
        "changes-since": _time,
        "ip": _string, "ip6": _string, "created_at": _string,
        **pt.pagination_parameters,
    },
    # Unknown parameters were ignored before 2.75.
    "additionalProperties": True,
}

query_params_v226 = copy.deepcopy(query_params)
query_params_v226["properties"].update({
    "tags": _string, "tags-any": _string, "not-tags": _string,
    "not-tags-any": _string})

query_params_v266 = copy.deepcopy(query_params_v226)
query_params_v266["properties"]["changes-before"] = _time

query_params_v273 = copy.deepcopy(query_params_v266)
query_params_v273["properties"]["locked"] = _string

query_params_v275 = copy.deepcopy(query_params_v273)
query_params_v275["additionalProperties"] = False

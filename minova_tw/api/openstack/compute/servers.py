"""/servers: create, list, show, update and delete servers, and their actions.

Creation answers 202 with the new server's id, links and (``[api]
enable_instance_password``) adminPass, and a Location header; the server
is BUILD until ``[minova] build_time`` has passed; the volumes its
``block_device_mapping_v2`` names are attached to it (booting from a
volume with an empty ``imageRef``). Listing applies the
filters a non-admin may use at the request's version (others are dropped,
unknown ones are 400 from 2.75; an admin may use all), pages by server id
and sorts by nova's keys. Actions (``POST /servers/{id}/action``) answer
with nova's status codes; a server in a state the action does not allow
gives 409.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute import removed
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.schemas import servers as schema
from minova_tw.api.openstack.compute.views import servers as views
from minova_tw.compute import api as compute
from minova_tw.compute import exception, servers as compute_servers, states

#: Filters a non-admin may use, by the version that allowed them.
USER_FILTERS = (
    ("2.1", ("reservation_id", "name", "status", "image", "flavor", "ip",
             "changes-since", "all_tenants")),
    ("2.5", ("ip6",)),
    ("2.26", ("tags", "tags-any", "not-tags", "not-tags-any")),
    ("2.66", ("changes-before",)),
    ("2.73", ("locked",)),
    ("2.83", ("availability_zone", "config_drive", "key_name",
              "created_at", "launched_at", "terminated_at", "power_state",
              "task_state", "vm_state", "progress", "user_id")),
    ("2.90", ("hostname",)),
)
#: Query parameters the compute layer filters on under another name.
FILTER_ALIASES = {"display_name": "name", "image_ref": "image"}
#: Filters nova accepts that mean nothing in minova's world (kernels,
#: ramdisks, ...); they are dropped.
IGNORED_FILTERS = frozenset(("kernel_id", "ramdisk_id", "launch_index",
                             "locked_by", "description",
                             "display_description", "root_device_name",
                             "access_ip_v4", "access_ip_v6",
                             "auto_disk_config", "soft_deleted", "sort_key",
                             "sort_dir", "limit", "marker"))
TAG_FILTERS = ("tags", "tags-any", "not-tags", "not-tags-any")
TIME_FILTERS = ("changes-since", "changes-before", "created_at",
                "launched_at", "terminated_at")
#: Sort keys nova ignores for everyone, and those it ignores for
#: non-admins; "locked" sorts from 2.73.
IGNORED_SORT_KEYS = frozenset((
    "architecture", "cell_name", "cleaned", "default_ephemeral_device",
    "default_swap_device", "deleted", "deleted_at", "disable_terminate",
    "ephemeral_gb", "ephemeral_key_uuid", "id", "key_data", "launched_on",
    "memory_mb", "os_type", "reservation_id", "root_gb",
    "shutdown_terminate", "user_data", "vcpus", "vm_mode",
    # constant in minova: every server has the same
    "kernel_id", "ramdisk_id", "root_device_name"))
ADMIN_SORT_KEYS = frozenset(("host", "node"))


def _user_filters(req):
    allowed = set()
    for version, names in USER_FILTERS:
        if api_version.is_supported(req, version):
            allowed.update(names)
    return allowed


def _bad_request(message):
    return webob.exc.HTTPBadRequest(explanation=message)


def _search_options(req, ctx):
    """The compute layer's filters from the query string (see module doc).

    Returns None when nova answers an empty list without asking (an
    unknown status before 2.38).
    """
    allowed = None if ctx.can("os_compute_api:servers:allow_all_filters",
                              fatal=False) else _user_filters(req)
    filters = {}
    for name in req.GET:
        if name in IGNORED_FILTERS or (allowed is not None
                                       and name not in allowed):
            continue
        values = req.GET.getall(name)
        filters[FILTER_ALIASES.get(name, name)] = values[-1]
    if "status" in filters:
        statuses = [s.upper() for s in req.GET.getall("status")]
        if not all(s in states.STATUSES for s in statuses):
            if not api_version.is_supported(req, "2.38"):
                return None
            raise _bad_request("Invalid status value")
        filters["status"] = statuses
    for name in TAG_FILTERS:
        if name in filters:
            filters[name] = [t for t in filters[name].split(",") if t]
    for name in TIME_FILTERS:
        if name in filters:
            try:
                filters[name] = validation.parse_isotime(filters[name])
            except ValueError:
                raise _bad_request("Invalid filter field: %s." % name)
    if ("changes-since" in filters and "changes-before" in filters
            and filters["changes-since"] > filters["changes-before"]):
        raise _bad_request("The value of changes-since must be less than "
                           "or equal to changes-before.")
    for name in ("locked", "deleted"):
        if name in filters:
            filters[name] = _strict_bool(name, filters[name])
    if "all_tenants" in filters:
        value = filters["all_tenants"]
        filters["all_tenants"] = (True if value == ""
                                  else _strict_bool("all_tenants", value))
        if not filters["all_tenants"]:
            del filters["all_tenants"]
    for name in ("power_state", "progress"):
        if name in filters:
            try:
                filters[name] = int(filters[name])
            except ValueError:
                raise _bad_request("Invalid filter field: %s." % name)
    return filters


def _strict_bool(name, value):
    lowered = value.strip().lower()
    if lowered in ("1", "t", "true", "on", "y", "yes"):
        return True
    if lowered in ("0", "f", "false", "off", "n", "no"):
        return False
    raise _bad_request(
        "Unrecognized value '%s', acceptable values are: '0', '1', 'f', "
        "'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'" % value)


def _sort_params(req, ctx):
    keys, dirs = [], []
    sort_keys = req.GET.getall("sort_key")
    sort_dirs = req.GET.getall("sort_dir")
    locked_sorts = api_version.is_supported(req, "2.73")
    for index, key in enumerate(sort_keys):
        ignored = (key in IGNORED_SORT_KEYS
                   or (key == "locked" and not locked_sorts)
                   or (key in ADMIN_SORT_KEYS and not ctx.is_admin))
        if ignored:
            continue
        keys.append("host" if key == "node" else key)
        if index < len(sort_dirs):
            dirs.append(sort_dirs[index])
    if not sort_keys:
        dirs = sort_dirs[:1]
        keys = ["created_at"] if dirs else []
    return keys or None, dirs or None


def _disk_config(value):
    return None if value is None else value == "AUTO"


#: Body key -> the compute layer's name, for update and rebuild (the
#: schema of the request's version admits only its own keys).
CHANGEABLE = {"name": "name", "accessIPv4": "access_ip_v4",
              "accessIPv6": "access_ip_v6", "description": "description",
              "hostname": "hostname", "metadata": "metadata",
              "key_name": "key_name", "user_data": "user_data",
              "trusted_image_certificates": "trusted_certs",
              "pinned_availability_zone": "pinned_availability_zone"}


def _changes(req, params):
    """The compute layer's keyword arguments for an update or rebuild."""
    changes = {CHANGEABLE[key]: value for key, value in params.items()
               if key in CHANGEABLE}
    if req.is_legacy_v2() and "name" in changes:
        changes["name"] = changes["name"].strip()
    if "OS-DCF:diskConfig" in params:
        changes["auto_disk_config"] = _disk_config(
            params["OS-DCF:diskConfig"])
    return changes


def _networks(value):
    """The compute layer's ``networks``: "auto", "none", or a list of
    {"fixed_ip"?} per port (ports and network uuids name minova's one
    network)."""
    if value is None or isinstance(value, str):
        return value
    return [{"fixed_ip": net["fixed_ip"]} if "fixed_ip" in net else {}
            for net in value]


#: A boot index is a database integer (32 bits).
BOOT_INDEX_LIMIT = 2 ** 31


def _block_devices(mappings):
    """The compute layer's ``block_devices``: the mappings of existing
    volumes (``source_type`` volume), which are attached to the server.
    Images, snapshots and blank disks would need cinder to make a volume
    of them; minova has none, and leaves them out."""
    devices = []
    for bdm in mappings or ():
        if bdm.get("source_type") != "volume":
            continue
        volume_id = bdm.get("uuid") or bdm.get("volume_id")
        if not validation.is_uuid(volume_id):
            raise _bad_request("Block Device Mapping is Invalid: failed to "
                               "get volume %s." % volume_id)
        boot_index = bdm.get("boot_index")
        try:
            boot_index = None if boot_index in (None, "") else int(boot_index)
        except ValueError:
            boot_index = BOOT_INDEX_LIMIT
        if boot_index is not None and abs(boot_index) >= BOOT_INDEX_LIMIT:
            raise _bad_request("Block Device Mapping is Invalid: Boot "
                               "index is invalid.")
        devices.append({
            "volume_id": volume_id, "device_name": bdm.get("device_name"),
            "tag": bdm.get("tag"),
            "delete_on_termination": common.parse_bool(
                bdm.get("delete_on_termination", False)),
            "boot_index": boot_index if boot_index is not None
            and boot_index >= 0 else None})
    return devices


def state_action(key, method, code=202, errors=(404, 409),
                 part="server_actions"):
    """The handler of an action ``{key: null}`` that only calls
    ``<part>.<method>(context, id)`` of the controller's ``compute_api``
    (stop, pause, confirmResize, forceDelete ...)."""
    @wsgi.response(code)
    @wsgi.expected_errors(errors)
    @wsgi.action(key)
    @common.compute_errors
    @validation.schema(schema.no_body_action(key))
    def handler(self, req, id, body):
        getattr(getattr(self.compute_api, part), method)(
            req.environ["nova.context"], id)
    handler.__doc__ = "POST /servers/{id}/action {%r: null}" % key
    return handler


def image_created(conf, req, image_id, location=True):
    """The answer of an action that made an image (createImage,
    createBackup): ``{"image_id"}`` from 2.45; before, no body and (with
    ``location``) the image's Location."""
    if api_version.is_supported(req, "2.45"):
        return {"image_id": image_id}
    headers = {}
    if location:
        headers["Location"] = "%s/images/%s" % (
            common.Links(conf, req).image_base, image_id)
    return wsgi.ResponseObject(None, headers=headers)


class ServersController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    # -- reading -----------------------------------------------------------

    def _list(self, req, detail):
        ctx = req.environ["nova.context"]
        filters = _search_options(req, ctx)
        builder = views.ViewBuilder(self.conf, req)
        if filters is None:
            return {"servers": []}
        limit, marker = common.get_pagination_params(req)
        sort_keys, sort_dirs = _sort_params(req, ctx)
        instances = self.compute_api.servers.list(
            ctx, filters=filters, sort_keys=sort_keys, sort_dirs=sort_dirs,
            limit=limit, marker=marker, detail=detail)
        return builder.index(instances, detail=detail)

    @wsgi.expected_errors((400, 403))
    @common.compute_errors
    @validation.query_schema(schema.query_params_v275, "2.75")
    @validation.query_schema(schema.query_params_v273, "2.73", "2.74")
    @validation.query_schema(schema.query_params_v266, "2.66", "2.72")
    @validation.query_schema(schema.query_params_v226, "2.26", "2.65")
    @validation.query_schema(schema.query_params, "2.1", "2.25")
    def index(self, req):
        return self._list(req, detail=False)

    @wsgi.expected_errors((400, 403))
    @common.compute_errors
    @validation.query_schema(schema.query_params_v275, "2.75")
    @validation.query_schema(schema.query_params_v273, "2.73", "2.74")
    @validation.query_schema(schema.query_params_v266, "2.66", "2.72")
    @validation.query_schema(schema.query_params_v226, "2.26", "2.65")
    @validation.query_schema(schema.query_params, "2.1", "2.25")
    def detail(self, req):
        return self._list(req, detail=True)

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, id):
        ctx = req.environ["nova.context"]
        instance = self.compute_api.servers.get(ctx, id)
        return views.ViewBuilder(self.conf, req).show_one(instance)

    # -- create, update, delete ---------------------------------------------

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 409))
    @common.compute_errors
    @validation.schema(schema.create_v294, "2.94")
    @validation.schema(schema.create_v290, "2.90", "2.93")
    @validation.schema(schema.create_v274, "2.74", "2.89")
    @validation.schema(schema.create_v263, "2.63", "2.73")
    @validation.schema(schema.create_v257, "2.57", "2.62")
    @validation.schema(schema.create_v252, "2.52", "2.56")
    @validation.schema(schema.create_v242, "2.42", "2.51")
    @validation.schema(schema.create_v237, "2.37", "2.41")
    @validation.schema(schema.create_v232, "2.32", "2.36")
    @validation.schema(schema.create_v219, "2.19", "2.31")
    @validation.schema(schema.create, "2.1", "2.18")
    def create(self, req, body):
        ctx = req.environ["nova.context"]
        server = body["server"]
        name = server["name"]
        if req.is_legacy_v2():
            name = name.strip()
        image_ref = server.get("imageRef", "")
        if not image_ref and not server.get("block_device_mapping_v2"):
            raise _bad_request("Invalid imageRef provided.")
        try:
            min_count = int(server.get("min_count", 1))
            max_count = int(server.get("max_count", min_count))
        except ValueError:  # more digits than int() reads
            raise _bad_request("min_count and max_count must be integers "
                               "of at most 4300 digits") from None
        if min_count > max_count:
            raise _bad_request("min_count must be <= max_count")
        if server.get("hostname") and max_count > 1:
            raise _bad_request("Unable to set hostname when booting "
                               "multiple instances.")
        hints = body.get("os:scheduler_hints",
                         body.get("OS-SCH-HNT:scheduler_hints"))
        kwargs = dict(
            image_ref=image_ref, key_name=server.get("key_name"),
            user_data=server.get("user_data"),
            metadata=server.get("metadata"),
            availability_zone=server.get("availability_zone"),
            access_ip_v4=server.get("accessIPv4"),
            access_ip_v6=server.get("accessIPv6"),
            description=server.get("description"),
            hostname=server.get("hostname"),
            config_drive=common.parse_bool(server.get("config_drive",
                                                      False)),
            auto_disk_config=bool(_disk_config(
                server.get("OS-DCF:diskConfig"))),
            security_groups=[group["name"] for group
                             in server.get("security_groups", ())] or None,
            networks=_networks(server.get("networks")),
            min_count=min_count, max_count=max_count,
            tags=server.get("tags"), scheduler_hints=hints,
            trusted_certs=server.get("trusted_image_certificates"),
            host=server.get("host"),
            hypervisor_hostname=server.get("hypervisor_hostname"),
            block_devices=_block_devices(
                server.get("block_device_mapping_v2")))
        try:
            created = self.compute_api.servers.create(
                ctx, name, str(server["flavorRef"]), **kwargs)
        except exception.KeypairNotFound:
            raise _bad_request("Invalid key_name provided.") from None
        except (exception.FlavorNotFound,
                exception.InstanceGroupNotFound,
                exception.SecurityGroupNotFound) as exc:
            raise _bad_request(exc.format_message()) from None
        first = created[0]
        if common.parse_bool(server.get("return_reservation_id", False)):
            return wsgi.ResponseObject({"reservation_id":
                                        first.reservation_id})
        links = common.Links(self.conf, req)
        view = {"id": first.uuid, "links": links.links("servers",
                                                      first.uuid),
                "OS-DCF:diskConfig": ("AUTO" if first.auto_disk_config
                                      else "MANUAL"),
                # nova echoes the request's groups (names or ids) here.
                "security_groups": server.get("security_groups",
                                              [{"name": "default"}])}
        if self.conf.api.enable_instance_password:
            view["adminPass"] = (server.get("adminPass")
                                 or compute_servers.generate_password())
        return wsgi.ResponseObject(
            {"server": view},
            headers={"Location": links.href("servers", first.uuid)})

    def _update(self, req, id, body):
        ctx = req.environ["nova.context"]
        changes = _changes(req, body["server"])
        instance = self.compute_api.servers.update(ctx, id, **changes)
        return {"server": views.ViewBuilder(self.conf, req).changed(
            instance)}

    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update_v2104, "2.104")
    @validation.schema(schema.update_v294, "2.94", "2.103")
    @validation.schema(schema.update_v290, "2.90", "2.93")
    @validation.schema(schema.update_v219, "2.19", "2.89")
    @validation.schema(schema.update, "2.1", "2.18")
    def update(self, req, id, body):
        return self._update(req, id, body)

    @wsgi.response(204)
    @wsgi.expected_errors((404, 409))
    @common.compute_errors
    def delete(self, req, id):
        self.compute_api.servers.delete(req.environ["nova.context"], id)

    # -- actions -------------------------------------------------------------

    def _act(self, req, id, action, *args, **kwargs):
        getattr(self.compute_api.server_actions, action)(
            req.environ["nova.context"], id, *args, **kwargs)

    @wsgi.response(202)
    @wsgi.expected_errors((404, 409))
    @wsgi.action("reboot")
    @common.compute_errors
    @validation.schema(schema.reboot)
    def _action_reboot(self, req, id, body):
        self._act(req, id, "reboot", body["reboot"]["type"].upper())

    #: nova-network's reset, gone with it: 410 for everybody.
    _reset_network = removed.removed_action("resetNetwork")
    _stop_server = state_action("os-stop", "stop")
    _start_server = state_action("os-start", "start")
    _pause = state_action("pause", "pause")
    _unpause = state_action("unpause", "unpause")
    _suspend = state_action("suspend", "suspend")
    _resume = state_action("resume", "resume")

    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action("lock")
    @common.compute_errors
    @validation.schema(schema.lock_v273, "2.73")
    @validation.schema(schema.lock, "2.1", "2.72")
    def _lock(self, req, id, body):
        reason = (body["lock"] or {}).get("locked_reason")
        self._act(req, id, "lock", reason=reason)

    _unlock = state_action("unlock", "unlock")

    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action("changePassword")
    @common.compute_errors
    @validation.schema(schema.change_password)
    def _action_change_password(self, req, id, body):
        self._act(req, id, "change_password",
                  body["changePassword"]["adminPass"])

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("createImage")
    @common.compute_errors
    @validation.schema(schema.create_image)
    def _action_create_image(self, req, id, body):
        params = body["createImage"]
        image_id = self.compute_api.server_actions.create_image(
            req.environ["nova.context"], id, params["name"],
            metadata=params.get("metadata"))
        return image_created(self.conf, req, image_id)

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("rebuild")
    @common.compute_errors
    @validation.schema(schema.rebuild_v294, "2.94")
    @validation.schema(schema.rebuild_v290, "2.90", "2.93")
    @validation.schema(schema.rebuild_v263, "2.63", "2.89")
    @validation.schema(schema.rebuild_v257, "2.57", "2.62")
    @validation.schema(schema.rebuild_v254, "2.54", "2.56")
    @validation.schema(schema.rebuild_v219, "2.19", "2.53")
    @validation.schema(schema.rebuild, "2.1", "2.18")
    def _action_rebuild(self, req, id, body):
        params = body["rebuild"]
        changes = _changes(req, params)
        try:
            instance = self.compute_api.server_actions.rebuild(
                req.environ["nova.context"], id, params["imageRef"],
                **changes)
        except exception.KeypairNotFound:
            raise _bad_request("Invalid key_name provided.") from None
        view = views.ViewBuilder(self.conf, req).changed(instance)
        if self.conf.api.enable_instance_password:
            view["adminPass"] = (params.get("adminPass")
                                 or compute_servers.generate_password())
        return {"server": view}

    @wsgi.response(202)
    @wsgi.expected_errors((400, 403, 404, 409))
    @wsgi.action("resize")
    @common.compute_errors
    @validation.schema(schema.resize)
    def _action_resize(self, req, id, body):
        try:
            self._act(req, id, "resize", str(body["resize"]["flavorRef"]))
        except exception.FlavorNotFound:
            raise _bad_request("Unable to locate requested flavor.") from None

    _action_confirm_resize = state_action(
        "confirmResize", "confirm_resize", code=204, errors=(400, 404, 409))

    _action_revert_resize = state_action(
        "revertResize", "revert_resize", errors=(400, 403, 404, 409))

    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action("rescue")
    @common.compute_errors
    @validation.schema(schema.rescue)
    def _rescue(self, req, id, body):
        password = (body["rescue"] or {}).get("adminPass")
        self._act(req, id, "rescue")
        if not self.conf.api.enable_instance_password:
            return {}
        return {"adminPass": password or compute_servers.generate_password()}

    _unrescue = state_action("unrescue", "unrescue")

    @wsgi.expected_errors((404, 409))
    @wsgi.action("os-getConsoleOutput")
    @common.compute_errors
    @validation.schema(schema.console_output)
    def get_console_output(self, req, id, body):
        length = body["os-getConsoleOutput"].get("length")
        output = self.compute_api.server_actions.get_console_output(
            req.environ["nova.context"], id,
            length=None if length is None else int(length))
        return {"output": output}

    @wsgi.api_version("2.17")
    @wsgi.response(202)
    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action("trigger_crash_dump")
    @common.compute_errors
    @validation.schema(schema.no_body_action("trigger_crash_dump"))
    def _action_trigger_crash_dump(self, req, id, body):
        self._act(req, id, "trigger_crash_dump")

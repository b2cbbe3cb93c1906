"""/servers/{server_id}/os-instance-actions: what was done to a server, and the events of each action.

The list shows each action newest first; from 2.58 with ``updated_at``,
paged by ``limit`` and ``marker`` (a request id, with a ``links`` next
link) and filtered by ``changes-since`` (and ``changes-before`` from
2.66). Show adds the action's ``events``: before 2.51 only to admins
(``os_compute_api:os-instance-actions:events``), from 2.51 to the owner
too, without ``traceback``; 2.62 adds the obfuscated ``hostId`` for all
and ``host`` for admins, 2.84 ``details`` for admins
(``...:events:details``). From 2.21 a deleted server's actions are found
too.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import instance_actions as schema
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.api.openstack.compute.views import servers as server_views
from minova_tw.compute import api as compute

#: Who sees an event's traceback and host, and its details (2.84).
EVENTS_RULE = "os_compute_api:os-instance-actions:events"
DETAILS_RULE = "os_compute_api:os-instance-actions:events:details"

ACTION_KEYS = ("action", "instance_uuid", "request_id", "user_id",
               "project_id", "start_time", "message")
ACTION_KEYS_V258 = ACTION_KEYS + ("updated_at",)
EVENT_KEYS = ("event", "start_time", "finish_time", "result")
_TIMES = ("start_time", "finish_time", "updated_at")


def _value(row, key):
    value = getattr(row, key)
    return common.naive_isotime(value) if key in _TIMES else value


def _format(row, keys):
    return {key: _value(row, key) for key in keys}


class InstanceActionsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.actions = compute.API(conf).instance_actions

    @staticmethod
    def _read_deleted(req):
        return api_version.is_supported(req, "2.21")

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.query_schema(schema.index_query_v266, "2.66")
    @validation.query_schema(schema.index_query_v258, "2.58", "2.65")
    @validation.query_schema(schema.index_query, "2.1", "2.57")
    def index(self, req, server_id):
        ctx = req.environ["nova.context"]
        if not api_version.is_supported(req, "2.58"):
            rows = self.actions.list(ctx, server_id,
                                     read_deleted=self._read_deleted(req))
            return {"instanceActions": [_format(row, ACTION_KEYS)
                                        for row in rows]}
        since, before = common.changes_window(req)
        limit, marker = common.get_pagination_params(req)
        rows = self.actions.list(
            ctx, server_id, read_deleted=True, paged=True, limit=limit,
            marker=marker, changes_since=since, changes_before=before)
        actions = [_format(row, ACTION_KEYS_V258) for row in rows]
        body = {"instanceActions": actions}
        links = common.collection_links(
            self.conf, req, actions,
            "servers/%s/os-instance-actions" % server_id, "request_id")
        if links:
            body["links"] = links
        return body

    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, server_id, id):
        ctx = req.environ["nova.context"]
        action, events, project_id = self.actions.get(
            ctx, server_id, id, read_deleted=self._read_deleted(req))
        new = api_version.is_supported(req, "2.58")
        body = _format(action, ACTION_KEYS_V258 if new else ACTION_KEYS)
        owner = action.project_id or project_id
        target = {"project_id": owner}
        admin = ctx.can(EVENTS_RULE, target, fatal=False)
        details = (api_version.is_supported(req, "2.84")
                   and ctx.can(DETAILS_RULE, target, fatal=False))
        if admin or api_version.is_supported(req, "2.51"):
            body["events"] = [self._event(req, event, admin, details, owner)
                              for event in events]
        return {"instanceAction": body}

    @staticmethod
    def _event(req, event, admin, details, project_id):
        """One event as this request's version and caller see it: the
        traceback and host need the events rule, details its own."""
        view = _format(event, EVENT_KEYS)
        if admin:
            view["traceback"] = event.traceback
        if api_version.is_supported(req, "2.62"):
            if admin:
                view["host"] = event.host
            view["hostId"] = server_views.host_id(project_id, event.host)
        if details:
            view["details"] = event.details
        return view

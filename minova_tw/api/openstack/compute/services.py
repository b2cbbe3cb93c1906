"""/os-services: the fake hosts' services; an admin disables, forces down or deletes a compute service.

GET lists them (filters ``host`` and ``binary``; ``forced_down`` from
2.11; UUID ids from 2.53). Before 2.53 a PUT names its action in the path
(``enable``, ``disable``, ``disable-log-reason``, from 2.11 ``force-down``)
and the service by host and binary in the body; from 2.53 it names the
service's UUID and the body says what changes. Only nova-compute services
change (400 for the others). DELETE refuses (409) a compute service whose
host still runs servers.
"""

import uuid

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import services as schema
from minova_tw.compute import api as compute
from minova_tw.compute import exception


def _is_uuid(value):
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _uuid_or_400(service_id):
    if not _is_uuid(service_id):
        raise webob.exc.HTTPBadRequest(
            explanation="Invalid uuid %s" % service_id)


def _view(req, service, now):
    view = {"binary": service.binary, "host": service.host,
            "id": (service.uuid if api_version.is_supported(req, "2.53")
                   else service.id),
            "zone": service.zone,
            "status": "disabled" if service.disabled else "enabled",
            "state": "up" if service.up else "down",
            "updated_at": common.naive_isotime(now),
            "disabled_reason": service.disabled_reason}
    if api_version.is_supported(req, "2.11"):
        view["forced_down"] = service.forced_down
    return view


class ServiceController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.services = compute.API(conf).services

    @wsgi.expected_errors(())
    @validation.query_schema(schema.index_query, "2.1", "2.74")
    @validation.query_schema(schema.index_query_v275, "2.75")
    def index(self, req):
        # nova filters by the last value of a repeated parameter.
        found, now = self.services.list(
            req.environ["nova.context"], host=req.GET.get("host") or None,
            binary=req.GET.get("binary") or None)
        return {"services": [_view(req, service, now) for service in found]}

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.schema(schema.update, "2.1", "2.10")
    @validation.schema(schema.update_v211, "2.11", "2.52")
    @validation.schema(schema.update_v253, "2.53")
    def update(self, req, id, body):
        context = req.environ["nova.context"]
        if api_version.is_supported(req, "2.53"):
            _uuid_or_400(id)
            forced_down = body.get("forced_down")
            service, now = self.services.update(
                context, id, status=body.get("status"),
                disabled_reason=body.get("disabled_reason"),
                forced_down=(None if forced_down is None
                             else common.parse_bool(forced_down)))
            return {"service": _view(req, service, now)}
        actions = {"enable": self._enable, "disable": self._disable,
                   "disable-log-reason": self._disable_log_reason}
        if api_version.is_supported(req, "2.11"):
            actions["force-down"] = self._force_down
        context.can("os_compute_api:os-services:update", {})
        if id not in actions:
            raise webob.exc.HTTPNotFound(explanation="Unknown action")
        return actions[id](context, body)

    def _set_status(self, context, body, disabled, reason=None):
        self.services.update_by_host(
            context, body["host"], body["binary"], disabled=disabled,
            disabled_reason=reason)
        service = {"host": body["host"], "binary": body["binary"],
                   "status": "disabled" if disabled else "enabled"}
        if reason:
            service["disabled_reason"] = reason
        return {"service": service}

    def _enable(self, context, body):
        return self._set_status(context, body, False)

    def _disable(self, context, body):
        return self._set_status(context, body, True)

    def _disable_log_reason(self, context, body):
        if "disabled_reason" not in body:
            raise webob.exc.HTTPBadRequest(
                explanation="Missing disabled reason field")
        return self._set_status(context, body, True,
                                body["disabled_reason"])

    def _force_down(self, context, body):
        if "forced_down" not in body:
            raise webob.exc.HTTPBadRequest(
                explanation="Missing forced_down field")
        forced_down = common.parse_bool(body["forced_down"])
        self.services.update_by_host(context, body["host"], body["binary"],
                                     forced_down=forced_down)
        return {"service": {"host": body["host"], "binary": body["binary"],
                            "forced_down": forced_down}}

    @wsgi.response(204)
    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    def delete(self, req, id):
        context = req.environ["nova.context"]
        context.can("os_compute_api:os-services:delete", {})
        by_uuid = api_version.is_supported(req, "2.53")
        if by_uuid:
            _uuid_or_400(id)
        else:
            try:
                id = str(int(id))
            except ValueError:
                raise webob.exc.HTTPBadRequest(
                    explanation="Invalid input received: id must be an "
                                "integer") from None
        try:
            self.services.delete(context, id, by_uuid)
        except exception.ServiceNotFound:
            # nova words this 404 its own way on DELETE.
            raise webob.exc.HTTPNotFound(
                explanation="Service %s not found." % id) from None

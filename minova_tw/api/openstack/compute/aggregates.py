"""/os-aggregates: host aggregates (admin): CRUD, add_host, remove_host, set_metadata.

Create answers 200 (as nova does) without hosts and metadata; delete 200
with no body; ``uuid`` shows from 2.41. The ``availability_zone``
metadata (or the create / update field) makes the aggregate's hosts a
zone. ``POST /os-aggregates/{id}/images`` (2.81, pre-caching images on
the hosts) is not served: a fake host has no image cache to fill.
"""

import webob

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import aggregates as schema
from minova_tw.api.openstack.compute.schemas import parameter_types as pt
from minova_tw.compute import aggregates as fleet
from minova_tw.compute import api as compute


def _integer_id(aggregate_id):
    try:
        int(aggregate_id)
    except ValueError:
        raise webob.exc.HTTPBadRequest(
            explanation="Invalid input received: id must be an integer"
        ) from None


def _view(req, aggregate, full=True):
    meta = aggregate.meta
    view = {"availability_zone": meta.get(fleet.ZONE_KEY),
            "created_at": common.naive_isotime(aggregate.created_at),
            "deleted": False, "deleted_at": None, "id": aggregate.id,
            "name": aggregate.name,
            "updated_at": common.naive_isotime(aggregate.updated_at)}
    if full:
        view.update(hosts=aggregate.hosts, metadata=meta)
    if api_version.is_supported(req, "2.41"):
        view["uuid"] = aggregate.uuid
    return {"aggregate": view}


class AggregateController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.aggregates = compute.API(conf).aggregates

    @wsgi.expected_errors(())
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req):
        return {"aggregates": [
            _view(req, a)["aggregate"]
            for a in self.aggregates.list(req.environ["nova.context"])]}

    @wsgi.expected_errors((400, 409))
    @common.compute_errors
    @validation.schema(schema.create)
    def create(self, req, body):
        wanted = body["aggregate"]
        zone = wanted.get("availability_zone")
        aggregate = self.aggregates.create(
            req.environ["nova.context"], wanted["name"].strip(),
            zone.strip() if zone else None)
        return _view(req, aggregate, full=False)

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, id):
        req.environ["nova.context"].can(fleet.RULE % "show", {})
        _integer_id(id)
        return _view(req, self.aggregates.get(req.environ["nova.context"],
                                              id))

    @wsgi.expected_errors((400, 404, 409))
    @common.compute_errors
    @validation.schema(schema.update)
    def update(self, req, id, body):
        req.environ["nova.context"].can(fleet.RULE % "update", {})
        _integer_id(id)
        changes = dict(body["aggregate"])
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        return _view(req, self.aggregates.update(
            req.environ["nova.context"], id, **changes))

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    def delete(self, req, id):
        req.environ["nova.context"].can(fleet.RULE % "delete", {})
        _integer_id(id)
        self.aggregates.delete(req.environ["nova.context"], id)

    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action("add_host")
    @common.compute_errors
    @validation.schema(schema.add_host)
    def _add_host(self, req, id, body):
        req.environ["nova.context"].can(fleet.RULE % "add_host", {})
        _integer_id(id)
        try:
            return _view(req, self.aggregates.add_host(
                req.environ["nova.context"], id,
                body["add_host"]["host"]))
        except fleet.exception.ComputeHostNotFound as error:
            raise webob.exc.HTTPNotFound(
                explanation=error.format_message()) from None
        except fleet.exception.InvalidAggregateAction as error:
            raise webob.exc.HTTPConflict(
                explanation=error.format_message()) from None

    @wsgi.expected_errors((400, 404, 409))
    @wsgi.action("remove_host")
    @common.compute_errors
    @validation.schema(schema.remove_host)
    def _remove_host(self, req, id, body):
        req.environ["nova.context"].can(fleet.RULE % "remove_host", {})
        _integer_id(id)
        host = body["remove_host"]["host"]
        try:
            return _view(req, self.aggregates.remove_host(
                req.environ["nova.context"], id, host))
        except (fleet.exception.ComputeHostNotFound,
                fleet.exception.AggregateNotFound,
                fleet.exception.AggregateHostNotFound):
            raise webob.exc.HTTPNotFound(
                explanation="Cannot remove host %s in aggregate %s"
                % (host, id)) from None
        except fleet.exception.InvalidAggregateAction as error:
            raise webob.exc.HTTPConflict(
                explanation=error.format_message()) from None

    @wsgi.expected_errors((400, 404))
    @wsgi.action("set_metadata")
    @common.compute_errors
    @validation.schema(schema.set_metadata)
    def _set_metadata(self, req, id, body):
        req.environ["nova.context"].can(fleet.RULE % "set_metadata", {})
        _integer_id(id)
        return _view(req, self.aggregates.set_metadata(
            req.environ["nova.context"], id,
            body["set_metadata"]["metadata"]))

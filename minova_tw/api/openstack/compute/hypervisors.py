"""/os-hypervisors: the fake hosts' hypervisors, their resources and servers (admin).

The list and detail page from 2.33 and, from 2.53, filter by
``hypervisor_hostname_pattern`` and add ``servers`` with
``with_servers=true``, replacing ``/{pattern}/search`` and
``/{pattern}/servers`` (gone from 2.53). Ids are UUIDs from 2.53. 2.88
drops the resource fields from the detail, adds ``uptime`` to it and
removes ``/statistics`` and ``/{id}/uptime``.
"""

import json
import uuid

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import hypervisors as schema
from minova_tw.compute import api as compute
from minova_tw.compute import hypervisors as fake

RESOURCES = ("vcpus", "memory_mb", "local_gb", "vcpus_used",
             "memory_mb_used", "local_gb_used", "free_ram_mb",
             "free_disk_gb", "current_workload", "running_vms",
             "disk_available_least")


def _not_found(hypervisor_id):
    return webob.exc.HTTPNotFound(
        explanation="Hypervisor with ID '%s' could not be found."
        % hypervisor_id)


def _view(req, hypervisor, now, detail, with_servers=False):
    by_uuid = api_version.is_supported(req, "2.53")
    service = hypervisor.service
    view = {"id": hypervisor.uuid if by_uuid else hypervisor.id,
            "hypervisor_hostname": hypervisor.hypervisor_hostname,
            "state": "up" if service.up else "down",
            "status": "disabled" if service.disabled else "enabled"}
    if detail:
        view.update(hypervisor_type=fake.HYPERVISOR_TYPE,
                    hypervisor_version=fake.HYPERVISOR_VERSION,
                    host_ip=hypervisor.host_ip,
                    service={"id": service.uuid if by_uuid else service.id,
                             "host": hypervisor.host,
                             "disabled_reason": service.disabled_reason})
        if api_version.is_supported(req, "2.88"):
            view["uptime"] = fake.uptime(now)
        else:
            view.update((field, getattr(hypervisor, field))
                        for field in RESOURCES)
            view["cpu_info"] = (fake.CPU_INFO
                                if api_version.is_supported(req, "2.28")
                                else json.dumps(fake.CPU_INFO))
    if hypervisor.servers:
        view["servers"] = [{"name": name, "uuid": server_uuid}
                           for name, server_uuid in hypervisor.servers]
    elif with_servers and api_version.is_supported(req, "2.75"):
        view["servers"] = []
    return view


def _with_servers(req):
    return (api_version.is_supported(req, "2.53")
            and common.parse_bool(req.GET.get("with_servers", False)))


class HypervisorsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.hypervisors = compute.API(conf).hypervisors

    def _list(self, req, detail):
        pattern = (req.GET.get("hypervisor_hostname_pattern")
                   if api_version.is_supported(req, "2.53") else None)
        paged = api_version.is_supported(req, "2.33")
        limit, marker = (common.get_pagination_params(req) if paged
                         else (None, None))
        if pattern is not None and ("limit" in req.GET or marker):
            raise webob.exc.HTTPBadRequest(
                explanation="Paging over hypervisors with the "
                            "hypervisor_hostname_pattern query parameter "
                            "is not supported.")
        with_servers = _with_servers(req)
        found, now = self.hypervisors.list(
            req.environ["nova.context"],
            rule="list-detail" if detail else "list", pattern=pattern,
            with_servers=with_servers)
        views = [_view(req, h, now, detail, with_servers) for h in found]
        if not paged or pattern is not None:
            return {"hypervisors": views}
        if marker is not None:
            ids = [str(view["id"]) for view in views]
            if marker not in ids:
                raise webob.exc.HTTPBadRequest(
                    explanation="marker [%s] not found" % marker)
            views = views[ids.index(marker) + 1:]
        most = self.conf.api.max_limit
        views = views[:most if limit is None else min(limit, most)]
        result = {"hypervisors": views}
        links = common.collection_links(
            self.conf, req, views,
            "os-hypervisors/detail" if detail else "os-hypervisors", "id")
        if links:
            result["hypervisors_links"] = links
        return result

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.query_schema(schema.index_query, "2.1", "2.32")
    @validation.query_schema(schema.index_query_v233, "2.33", "2.52")
    @validation.query_schema(schema.index_query_v253, "2.53")
    def index(self, req):
        return self._list(req, detail=False)

    @wsgi.expected_errors((400, 404))
    @common.compute_errors
    @validation.query_schema(schema.index_query, "2.1", "2.32")
    @validation.query_schema(schema.index_query_v233, "2.33", "2.52")
    @validation.query_schema(schema.index_query_v253, "2.53")
    def detail(self, req):
        return self._list(req, detail=True)

    def _one(self, req, hypervisor_id, rule, with_servers=False):
        """The hypervisor of ``hypervisor_id`` (integer, UUID from 2.53)
        after the policy ``rule``, and the time."""
        context = req.environ["nova.context"]
        context.can(fake.RULE % rule, {})
        by_uuid = api_version.is_supported(req, "2.53")
        if by_uuid:
            try:
                uuid.UUID(hypervisor_id)
            except ValueError:
                raise webob.exc.HTTPBadRequest(
                    explanation="Invalid uuid %s" % hypervisor_id) from None
        found, now = self.hypervisors.list(context, rule=rule,
                                           with_servers=with_servers)
        for hypervisor in found:
            if (hypervisor.uuid if by_uuid
                    else str(hypervisor.id)) == hypervisor_id.strip():
                return hypervisor, now
        raise _not_found(hypervisor_id)

    @wsgi.expected_errors((400, 404))
    @validation.query_schema(schema.show_query, "2.1", "2.52")
    @validation.query_schema(schema.show_query_v253, "2.53")
    def show(self, req, id):
        with_servers = _with_servers(req)
        hypervisor, now = self._one(req, id, "show", with_servers)
        return {"hypervisor": _view(req, hypervisor, now, True,
                                    with_servers)}

    @wsgi.api_version("2.1", "2.87")
    @wsgi.expected_errors((400, 404))
    @validation.query_schema(schema.anything)
    def uptime(self, req, id):
        hypervisor, now = self._one(req, id, "uptime")
        view = _view(req, hypervisor, now, False)
        view["uptime"] = fake.uptime(now)
        return {"hypervisor": view}

    @wsgi.api_version("2.1", "2.52")
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(schema.anything)
    def search(self, req, id):
        found, now = self.hypervisors.list(
            req.environ["nova.context"], rule="search", pattern=id)
        return {"hypervisors": [_view(req, h, now, False) for h in found]}

    @wsgi.api_version("2.1", "2.52")
    @wsgi.expected_errors(404)
    @common.compute_errors
    @validation.query_schema(schema.anything)
    def servers(self, req, id):
        found, now = self.hypervisors.list(
            req.environ["nova.context"], rule="servers", pattern=id,
            with_servers=True)
        return {"hypervisors": [_view(req, h, now, False) for h in found]}

    @wsgi.api_version("2.1", "2.87")
    @wsgi.expected_errors(())
    @validation.query_schema(schema.anything)
    def statistics(self, req):
        return {"hypervisor_statistics": self.hypervisors.statistics(
            req.environ["nova.context"])}

"""``GET /os-simple-tenant-usage`` (every project, admin) and ``GET /os-simple-tenant-usage/{tenant_id}``.

What the projects' servers used between ``start`` and ``end``
(compute.usage), in nova's shapes: project totals, with each server's
usage when ``detailed=1`` (always for one project). From 2.40 the servers
are paged (``limit``, ``marker``) and a full page links to the next. Times
are shown as nova's JSON shows naive datetimes, with microseconds and no
zone.
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import (
    simple_tenant_usage as schema)
from minova_tw.compute import api as compute
from minova_tw.compute import usage

COLLECTION = "os-simple-tenant-usage"
_TIMES = ("start", "stop", "started_at", "ended_at")


def _first(req, name, default=None):
    """The first value of a query parameter, as nova reads these."""
    values = req.GET.getall(name)
    return values[0] if values else default


def _shown(entry):
    """``entry`` with its times as nova's JSON writes them."""
    return {key: (value.isoformat(timespec="microseconds")
                  if key in _TIMES and value is not None else value)
            for key, value in entry.items()}


def _summary(summary):
    shown = _shown(summary)
    if "server_usages" in summary:
        shown["server_usages"] = [_shown(server)
                                  for server in summary["server_usages"]]
    return shown


class SimpleTenantUsageController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.compute_api = compute.API(conf)

    def _usages(self, req, project_id=None, detailed=True):
        """(summaries, server usages, whether 2.40 paging applies)."""
        paged = api_version.is_supported(req, "2.40")
        limit, marker = (common.get_pagination_params(req) if paged
                         else (None, None))
        summaries, servers = self.compute_api.usage.usages(
            req.environ["nova.context"],
            usage.parse_time(_first(req, "start")),
            usage.parse_time(_first(req, "end")),
            project_id=project_id, detailed=detailed, limit=limit,
            marker=marker)
        return [_summary(s) for s in summaries], servers, paged

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.query_schema(schema.index_query, "2.1", "2.39")
    @validation.query_schema(schema.index_query_v240, "2.40", "2.74")
    @validation.query_schema(schema.index_query_v275, "2.75")
    def index(self, req):
        summaries, servers, paged = self._usages(
            req, detailed=_first(req, "detailed", "0") == "1")
        body = {"tenant_usages": summaries}
        links = paged and common.collection_links(
            self.conf, req, servers, COLLECTION, "instance_id")
        if links:
            body["tenant_usages_links"] = links
        return body

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.query_schema(schema.show_query, "2.1", "2.39")
    @validation.query_schema(schema.show_query_v240, "2.40", "2.74")
    @validation.query_schema(schema.show_query_v275, "2.75")
    def show(self, req, id):
        summaries, servers, paged = self._usages(req, project_id=id)
        body = {"tenant_usage": summaries[0] if summaries else {}}
        links = paged and common.collection_links(
            self.conf, req, servers, "%s/%s" % (COLLECTION, id),
            "instance_id")
        if links:
            body["tenant_usage_links"] = links
        return body

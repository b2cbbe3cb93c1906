"""GET /os-migrations: every server move, for admins (and a project's manager, for its own project).

Each migration shows nova's fields; the host fields are null to a caller
the ``index:host`` rule refuses. 2.23 adds ``migration_type`` (and a
``links`` self link on a live migration in progress); 2.59 the ``uuid``, paging newest first by
``limit`` and ``marker`` (a migration uuid, with ``migrations_links``)
and ``changes-since``; 2.66 ``changes-before``; 2.80 shows ``user_id`` and
``project_id`` and takes them as filters again (nova's list took any
parameter as a filter before 2.59).
"""

from minova_tw.api import validation
from minova_tw.api.openstack import api_version_request as api_version
from minova_tw.api.openstack import common, wsgi
from minova_tw.api.openstack.compute.schemas import migrations as schema
from minova_tw.compute import api as compute
from minova_tw.compute import migrations as compute_migrations

KEYS = ("created_at", "dest_compute", "dest_host", "dest_node", "id",
        "instance_uuid", "new_instance_type_id", "old_instance_type_id",
        "source_compute", "source_node", "status", "updated_at")
HOST_KEYS = ("dest_compute", "dest_host", "dest_node", "source_compute",
             "source_node")
#: What the list filters on: what each version's query schema lets
#: through (user_id and project_id before 2.59, as nova passes its whole
#: query to the database, and from 2.80).
FILTERS = ("hidden", "host", "instance_uuid", "source_compute", "status",
           "migration_type", "user_id", "project_id")
_TIMES = ("created_at", "updated_at")


def view(row, keys, show_hosts):
    """A migration as nova shows it: times without a zone, the host
    fields null unless ``show_hosts``."""
    body = {key: getattr(row, key) for key in keys}
    for key in _TIMES:
        body[key] = common.naive_isotime(body[key])
    if not show_hosts:
        body.update(dict.fromkeys(HOST_KEYS))
    return body


class MigrationsController(wsgi.Controller):

    def __init__(self, conf):
        super().__init__(conf)
        self.migrations = compute.API(conf).migrations

    @wsgi.expected_errors(400)
    @common.compute_errors
    @validation.query_schema(schema.index_query_v280, "2.80")
    @validation.query_schema(schema.index_query_v266, "2.66", "2.79")
    @validation.query_schema(schema.index_query_v259, "2.59", "2.65")
    @validation.query_schema(schema.index_query, "2.1", "2.58")
    def index(self, req):
        ctx = req.environ["nova.context"]
        v223 = api_version.is_supported(req, "2.23")
        v259 = api_version.is_supported(req, "2.59")
        v280 = api_version.is_supported(req, "2.80")
        filters = {name: req.GET[name] for name in FILTERS
                   if name in req.GET}
        paging = {}
        if v259:
            since, before = common.changes_window(
                req, api_version.is_supported(req, "2.66"))
            limit, marker = common.get_pagination_params(req)
            paging = dict(paged=True, limit=limit, marker=marker,
                          changes_since=since, changes_before=before)
        rows, show_hosts = self.migrations.list(ctx, filters, **paging)
        keys = KEYS + (("migration_type",) if v223 else ()) + (
            ("uuid",) if v259 else ()) + (
            ("user_id", "project_id") if v280 else ())
        links = common.Links(self.conf, req)
        migrations = []
        for row in rows:
            body = view(row, keys, show_hosts)
            if (v223 and row.migration_type ==
                    compute_migrations.LIVE_MIGRATION
                    and row.status in compute_migrations.LIVE_IN_PROGRESS):
                body["links"] = links.links(
                    "servers/%s/migrations" % row.instance_uuid, row.id)
            migrations.append(body)
        result = {"migrations": migrations}
        if v259:
            next_links = common.collection_links(
                self.conf, req, migrations, "os-migrations", "uuid")
            if next_links:
                result["migrations_links"] = next_links
        return result

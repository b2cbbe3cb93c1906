"""The compute API's route table: which path and method reach which method.

``ROUTE_LIST`` is the one place a compute resource is wired in. Each entry
is ``(path, {HTTP_METHOD: (ControllerClass, method_name)})``; paths are
relative to ``/v2.1`` and every route also exists under ``/{project_id}``
(see ``ProjectMapper``). To add a resource:

1. write ``compute/<resource>.py`` with a ``wsgi.Controller`` subclass.
   Methods take ``(self, req, **route_args)`` plus ``body`` for POST and
   PUT, and return a dict (JSON), None, a ``wsgi.ResponseObject`` or a webob
   response. Declare what they may fail with (``@wsgi.expected_errors``),
   their success status (``@wsgi.response(202)``), their body schema
   (``@validation.schema``), their microversion range
   (``@wsgi.api_version``) and server actions (``@wsgi.action("reboot")``
   on methods reached through the ``.../action`` route);
2. add its paths here, e.g.::

       ("/flavors", {"GET": (flavors.FlavorsController, "index")}),
       ("/flavors/{id}", {"GET": (flavors.FlavorsController, "show")}),
       ("/servers/{id}/action",
        {"POST": (servers.ServersController, "action")}),

   Put fixed paths (``/flavors/detail``) before patterns that would swallow
   them (``/flavors/{id}``): the first match wins. A controller whose
   actions belong on another resource's ``.../action`` path (the console
   actions on ``/servers/{id}/action``) is listed in ``ACTION_CONTROLLERS``
   under the routed controller.

Each controller class is built once per process with the ConfigOpts.
"""

from minova_tw import conf as minova_conf
from minova_tw.api import openstack
from minova_tw.api.openstack.compute import (
    admin_actions,
    aggregates,
    availability_zone,
    console_auth_tokens,
    create_backup,
    deferred_delete,
    evacuate,
    extension_info,
    flavor_access,
    flavors,
    flavors_extraspecs,
    hypervisors,
    instance_actions,
    interfaces,
    ips,
    keypairs,
    limits,
    migrate_server,
    migrations,
    quota_classes,
    quota_sets,
    remote_consoles,
    removed,
    security_groups,
    server_groups,
    server_metadata,
    server_migrations,
    server_password,
    server_tags,
    servers,
    services,
    shelve,
    simple_tenant_usage,
    versions,
    volume_attachments)
from minova_tw.db import migration

_AGGREGATES = aggregates.AggregateController
_AZ = availability_zone.AvailabilityZoneController
_FLAVORS = flavors.FlavorsController
_IPS = ips.IPsController
_FLAVOR_ACCESS = flavor_access.FlavorAccessController
_SPECS = flavors_extraspecs.FlavorExtraSpecsController
_KEYPAIRS = keypairs.KeypairController
_GROUPS = server_groups.ServerGroupController
_METADATA = server_metadata.ServerMetadataController
_QUOTA_CLASSES = quota_classes.QuotaClassSetsController
_QUOTAS = quota_sets.QuotaSetsController
_SERVERS = servers.ServersController
_TAGS = server_tags.ServerTagsController
_ACTIONS = instance_actions.InstanceActionsController
_CONSOLES = remote_consoles.RemoteConsolesController
_EXTENSIONS = extension_info.ExtensionInfoController
_USAGE = simple_tenant_usage.SimpleTenantUsageController
_INTERFACES = interfaces.InterfaceAttachmentController
_VOLUMES = volume_attachments.VolumeAttachmentController
_MIGRATE = migrate_server.MigrateServerController
_EVACUATE = evacuate.EvacuateController
_MIGRATIONS = migrations.MigrationsController
_SERVER_MIGRATIONS = server_migrations.ServerMigrationsController
_SERVICES = services.ServiceController
_HYPERVISORS = hypervisors.HypervisorsController
_SERVER_SECGROUPS = security_groups.ServerSecurityGroupController
_SECGROUP_ACTIONS = security_groups.SecurityGroupActionController
_PASSWORD = server_password.ServerPasswordController
#: Every method of an API nova removed: 410 Gone (see removed.py).
_GONE = (removed.RemovedController, "gone")

ROUTE_LIST = (
    # /v2.1 and /v2.1/ are answered by the urlmap's version app; with a
    # project id (/v2.1/<project>/) the document comes through here.
    ("/", {"GET": (versions.VersionsController, "show")}),
    ("/extensions", {"GET": (_EXTENSIONS, "index")}),
    ("/extensions/{id}", {"GET": (_EXTENSIONS, "show")}),
    ("/flavors", {"GET": (_FLAVORS, "index"),
                  "POST": (_FLAVORS, "create")}),
    ("/flavors/detail", {"GET": (_FLAVORS, "detail")}),
    ("/flavors/{id}", {"GET": (_FLAVORS, "show"),
                       "PUT": (_FLAVORS, "update"),
                       "DELETE": (_FLAVORS, "delete")}),
    ("/flavors/{id}/action", {"POST": (_FLAVOR_ACCESS, "action")}),
    ("/flavors/{flavor_id}/os-flavor-access",
     {"GET": (_FLAVOR_ACCESS, "index")}),
    ("/flavors/{flavor_id}/os-extra_specs", {"GET": (_SPECS, "index"),
                                             "POST": (_SPECS, "create")}),
    ("/flavors/{flavor_id}/os-extra_specs/{id}",
     {"GET": (_SPECS, "show"), "PUT": (_SPECS, "update"),
      "DELETE": (_SPECS, "delete")}),
    ("/limits", {"GET": (limits.LimitsController, "index")}),
    ("/os-agents", {"GET": _GONE, "POST": _GONE}),
    ("/os-agents/{id}", {"PUT": _GONE, "DELETE": _GONE}),
    ("/os-aggregates", {"GET": (_AGGREGATES, "index"),
                        "POST": (_AGGREGATES, "create")}),
    ("/os-aggregates/{id}", {"GET": (_AGGREGATES, "show"),
                             "PUT": (_AGGREGATES, "update"),
                             "DELETE": (_AGGREGATES, "delete")}),
    ("/os-aggregates/{id}/action", {"POST": (_AGGREGATES, "action")}),
    ("/os-availability-zone", {"GET": (_AZ, "index")}),
    ("/os-availability-zone/detail", {"GET": (_AZ, "detail")}),
    ("/os-cells", {"GET": _GONE, "POST": _GONE}),
    ("/os-cells/capacities", {"GET": _GONE}),
    ("/os-cells/detail", {"GET": _GONE}),
    ("/os-cells/info", {"GET": _GONE}),
    ("/os-cells/sync_instances", {"POST": _GONE}),
    ("/os-cells/{id}", {"GET": _GONE, "PUT": _GONE, "DELETE": _GONE}),
    ("/os-cells/{id}/capacities", {"GET": _GONE}),
    ("/os-certificates", {"POST": _GONE}),
    ("/os-certificates/{id}", {"GET": _GONE}),
    ("/os-cloudpipe", {"GET": _GONE, "POST": _GONE}),
    ("/os-cloudpipe/{id}", {"PUT": _GONE}),
    ("/os-console-auth-tokens/{id}",
     {"GET": (console_auth_tokens.ConsoleAuthTokensController, "show")}),
    ("/os-fixed-ips/{id}", {"GET": _GONE}),
    ("/os-fixed-ips/{id}/action",
     {"POST": (removed.FixedIPsController, "action")}),
    ("/os-floating-ip-dns", {"GET": _GONE}),
    ("/os-floating-ip-dns/{id}", {"PUT": _GONE, "DELETE": _GONE}),
    ("/os-floating-ip-dns/{domain_id}/entries/{id}",
     {"GET": _GONE, "PUT": _GONE, "DELETE": _GONE}),
    ("/os-floating-ips-bulk", {"GET": _GONE, "POST": _GONE}),
    ("/os-floating-ips-bulk/{id}", {"GET": _GONE, "PUT": _GONE}),
    ("/os-fping", {"GET": _GONE}),
    ("/os-fping/{id}", {"GET": _GONE}),
    ("/os-hypervisors", {"GET": (_HYPERVISORS, "index")}),
    ("/os-hypervisors/detail", {"GET": (_HYPERVISORS, "detail")}),
    ("/os-hypervisors/statistics", {"GET": (_HYPERVISORS, "statistics")}),
    ("/os-hypervisors/{id}", {"GET": (_HYPERVISORS, "show")}),
    ("/os-hypervisors/{id}/search", {"GET": (_HYPERVISORS, "search")}),
    ("/os-hypervisors/{id}/servers", {"GET": (_HYPERVISORS, "servers")}),
    ("/os-hypervisors/{id}/uptime", {"GET": (_HYPERVISORS, "uptime")}),
    ("/os-keypairs", {"GET": (_KEYPAIRS, "index"),
                      "POST": (_KEYPAIRS, "create")}),
    ("/os-keypairs/{id}", {"GET": (_KEYPAIRS, "show"),
                           "DELETE": (_KEYPAIRS, "delete")}),
    ("/os-migrations", {"GET": (_MIGRATIONS, "index")}),
    ("/os-quota-class-sets/{id}", {"GET": (_QUOTA_CLASSES, "show"),
                                   "PUT": (_QUOTA_CLASSES, "update")}),
    ("/os-quota-sets/{id}", {"GET": (_QUOTAS, "show"),
                             "PUT": (_QUOTAS, "update"),
                             "DELETE": (_QUOTAS, "delete")}),
    ("/os-quota-sets/{id}/detail", {"GET": (_QUOTAS, "detail")}),
    ("/os-quota-sets/{id}/defaults", {"GET": (_QUOTAS, "defaults")}),
    ("/os-security-group-default-rules", {"GET": _GONE, "POST": _GONE}),
    ("/os-security-group-default-rules/{id}",
     {"GET": _GONE, "DELETE": _GONE}),
    ("/os-server-groups", {"GET": (_GROUPS, "index"),
                           "POST": (_GROUPS, "create")}),
    ("/os-server-groups/{id}", {"GET": (_GROUPS, "show"),
                                "DELETE": (_GROUPS, "delete")}),
    ("/os-services", {"GET": (_SERVICES, "index")}),
    ("/os-services/{id}", {"PUT": (_SERVICES, "update"),
                           "DELETE": (_SERVICES, "delete")}),
    ("/os-simple-tenant-usage", {"GET": (_USAGE, "index")}),
    ("/os-simple-tenant-usage/{id}", {"GET": (_USAGE, "show")}),
    ("/servers", {"GET": (_SERVERS, "index"),
                  "POST": (_SERVERS, "create")}),
    ("/servers/detail", {"GET": (_SERVERS, "detail")}),
    ("/servers/{id}", {"GET": (_SERVERS, "show"),
                       "PUT": (_SERVERS, "update"),
                       "DELETE": (_SERVERS, "delete")}),
    ("/servers/{id}/action", {"POST": (_SERVERS, "action")}),
    ("/servers/{server_id}/consoles", {"GET": _GONE, "POST": _GONE}),
    ("/servers/{server_id}/consoles/{id}", {"GET": _GONE, "DELETE": _GONE}),
    ("/servers/{server_id}/ips", {"GET": (_IPS, "index")}),
    ("/servers/{server_id}/ips/{id}", {"GET": (_IPS, "show")}),
    ("/servers/{server_id}/migrations",
     {"GET": (_SERVER_MIGRATIONS, "index")}),
    ("/servers/{server_id}/migrations/{id}",
     {"GET": (_SERVER_MIGRATIONS, "show"),
      "DELETE": (_SERVER_MIGRATIONS, "delete")}),
    ("/servers/{server_id}/migrations/{id}/action",
     {"POST": (_SERVER_MIGRATIONS, "action")}),
    ("/servers/{server_id}/os-instance-actions",
     {"GET": (_ACTIONS, "index")}),
    ("/servers/{server_id}/os-instance-actions/{id}",
     {"GET": (_ACTIONS, "show")}),
    ("/servers/{server_id}/os-interface",
     {"GET": (_INTERFACES, "index"), "POST": (_INTERFACES, "create")}),
    ("/servers/{server_id}/os-interface/{id}",
     {"GET": (_INTERFACES, "show"), "DELETE": (_INTERFACES, "delete")}),
    ("/servers/{server_id}/os-security-groups",
     {"GET": (_SERVER_SECGROUPS, "index")}),
    ("/servers/{server_id}/os-server-password",
     {"GET": (_PASSWORD, "index"), "DELETE": (_PASSWORD, "clear")}),
    ("/servers/{server_id}/os-virtual-interfaces", {"GET": _GONE}),
    ("/servers/{server_id}/remote-consoles", {"POST": (_CONSOLES, "create")}),
    ("/servers/{server_id}/os-volume_attachments",
     {"GET": (_VOLUMES, "index"), "POST": (_VOLUMES, "create")}),
    ("/servers/{server_id}/os-volume_attachments/{id}",
     {"GET": (_VOLUMES, "show"), "PUT": (_VOLUMES, "update"),
      "DELETE": (_VOLUMES, "delete")}),
    ("/servers/{server_id}/metadata",
     {"GET": (_METADATA, "index"), "POST": (_METADATA, "create"),
      "PUT": (_METADATA, "update_all")}),
    ("/servers/{server_id}/metadata/{id}",
     {"GET": (_METADATA, "show"), "PUT": (_METADATA, "update"),
      "DELETE": (_METADATA, "delete")}),
    ("/servers/{server_id}/tags",
     {"GET": (_TAGS, "index"), "PUT": (_TAGS, "update_all"),
      "DELETE": (_TAGS, "delete_all")}),
    ("/servers/{server_id}/tags/{id}",
     {"GET": (_TAGS, "show"), "PUT": (_TAGS, "update"),
      "DELETE": (_TAGS, "delete")}),
)

#: Routed controller -> the controllers whose ``@action`` methods its
#: ``.../action`` route serves too, as nova's action extensions are.
ACTION_CONTROLLERS = {
    _SERVERS: (_CONSOLES, _SECGROUP_ACTIONS, _MIGRATE, _EVACUATE,
               admin_actions.AdminActionsController,
               create_backup.CreateBackupController,
               deferred_delete.DeferredDeleteController,
               shelve.ShelveController),
}


class APIRouterV21(openstack.APIRouter):
    """The compute API v2.1 app (paste ``osapi_compute_app_v21``)."""

    def __init__(self, conf, route_list=ROUTE_LIST,
                 action_controllers=ACTION_CONTROLLERS):
        super().__init__(conf, route_list, action_controllers)

    @classmethod
    def factory(cls, global_conf, **local_conf):
        """paste.app_factory. The database must have the code's schema
        first (minova_tw.db.migration.ensure_current: an SQLite file is
        brought to it, a server database is only checked), so the app
        serves from its first request."""
        conf = minova_conf.from_paste(global_conf)
        migration.ensure_current(conf)
        return cls(conf)

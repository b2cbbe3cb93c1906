"""``GET /extensions`` and ``/extensions/{alias}``: nova's v2 extension list, as far as minova serves it.

nova answers with a frozen list of the old v2 extensions, kept for clients
that still ask (Horizon's ``extension_supported()`` looks names up in it).
minova lists an extension only when it serves what the extension stood
for, and works that out from its own route table, so the list stays true
as routes are added (``served_aliases``). Each entry of ``EXTENSIONS`` says
how: ``SHOWN`` (fields every server or flavor body has, or server create
takes), a path of ``routes.ROUTE_LIST`` served by a live controller
(optionally with one method: ``os-flavor-manage`` is ``POST /flavors``),
or a server or flavor action key. Extensions of APIs nova removed, or
that minova has no part of (the proxies to neutron, cinder and glance,
cells, baremetal ...), are not in ``EXTENSIONS`` and never listed. The
``/v2`` list is the same (nova adds only ``OS-EXT-VIF-NET`` there, for the
virtual interfaces API, which is gone).

Names, aliases and descriptions are nova's; every entry has nova's
namespace, updated time and empty links.
"""

import webob.exc

from minova_tw.api import validation
from minova_tw.api.openstack import wsgi
from minova_tw.api.openstack.compute import removed
from minova_tw.api.openstack.compute.schemas import parameter_types as pt

SHOWN = (("shown",),)
NAMESPACE = "http://docs.openstack.org/compute/ext/fake_xml"
UPDATED = "2014-12-03T00:00:00Z"

#: (alias, name, description, the ways minova serves it), in nova's order.
EXTENSIONS = (
    ("NMN", "Multinic",
     "Multiple network support.",
     (("action", "addFixedIp"),)),
    ("OS-DCF", "DiskConfig",
     "Disk Management Extension.",
     SHOWN),
    ("OS-EXT-AZ", "ExtendedAvailabilityZone",
     "Extended Availability Zone support.",
     SHOWN),
    ("OS-EXT-IPS", "ExtendedIps",
     "Adds type parameter to the ip list.",
     SHOWN),
    ("OS-EXT-IPS-MAC", "ExtendedIpsMac",
     "Adds mac address parameter to the ip list.",
     SHOWN),
    ("OS-EXT-SRV-ATTR", "ExtendedServerAttributes",
     "Extended Server Attributes support.",
     SHOWN),
    ("OS-EXT-STS", "ExtendedStatus",
     "Extended Status support.",
     SHOWN),
    ("OS-FLV-DISABLED", "FlavorDisabled",
     "Support to show the disabled status of a flavor.",
     SHOWN),
    ("OS-FLV-EXT-DATA", "FlavorExtraData",
     "Provide additional data for flavors.",
     SHOWN),
    ("OS-SCH-HNT", "SchedulerHints",
     "Pass arbitrary key/value pairs to the scheduler.",
     SHOWN),
    ("OS-SRV-USG", "ServerUsage",
     "Adds launched_at and terminated_at on Servers.",
     SHOWN),
    ("os-access-ips", "AccessIPs",
     "Access IPs support.",
     SHOWN),
    ("os-admin-actions", "AdminActions",
     "Enable admin-only server actions\n\n    Actions include: "
     "resetNetwork, injectNetworkInfo, os-resetState\n    ",
     (("action", "os-resetState"),)),
    ("os-admin-password", "AdminPassword",
     "Admin password management support.",
     (("action", "changePassword"),)),
    ("os-aggregates", "Aggregates",
     "Admin-only aggregate administration.",
     (("path", "/os-aggregates"),)),
    ("os-assisted-volume-snapshots", "AssistedVolumeSnapshots",
     "Assisted volume snapshots.",
     (("path", "/os-assisted-volume-snapshots"),)),
    ("os-attach-interfaces", "AttachInterfaces",
     "Attach interface support.",
     (("path", "/servers/{server_id}/os-interface"),)),
    ("os-availability-zone", "AvailabilityZone",
     "1. Add availability_zone to the Create Server API.\n       "
     "2. Add availability zones describing.\n    ",
     (("path", "/os-availability-zone"),)),
    ("os-baremetal-nodes", "BareMetalNodes",
     "Admin-only bare-metal node administration.",
     (("path", "/os-baremetal-nodes"),)),
    ("os-config-drive", "ConfigDrive",
     "Config Drive Extension.",
     SHOWN),
    ("os-console-auth-tokens", "ConsoleAuthTokens",
     "Console token authentication support.",
     (("path", "/os-console-auth-tokens/{id}"),)),
    ("os-console-output", "ConsoleOutput",
     "Console log output support, with tailing ability.",
     (("action", "os-getConsoleOutput"),)),
    ("os-create-backup", "CreateBackup",
     "Create a backup of a server.",
     (("action", "createBackup"),)),
    ("os-deferred-delete", "DeferredDelete",
     "Instance deferred delete.",
     (("action", "restore"),)),
    ("os-evacuate", "Evacuate",
     "Enables server evacuation.",
     (("action", "evacuate"),)),
    ("os-extended-evacuate-find-host", "ExtendedEvacuateFindHost",
     "Enables server evacuation without target host. Scheduler will "
     "select one to target.",
     (("action", "evacuate"),)),
    ("os-extended-hypervisors", "ExtendedHypervisors",
     "Extended hypervisors support.",
     (("path", "/os-hypervisors/detail"),)),
    ("os-extended-quotas", "ExtendedQuotas",
     "Adds ability for admins to delete quota and optionally force the "
     "update Quota command.",
     (("path", "/os-quota-sets/{id}", "DELETE"),)),
    ("os-extended-rescue-with-image", "ExtendedRescueWithImage",
     "Allow the user to specify the image to use for rescue.",
     (("action", "rescue"),)),
    ("os-extended-services", "ExtendedServices",
     "Extended services support.",
     (("path", "/os-services/{id}", "PUT"),)),
    ("os-extended-services-delete", "ExtendedServicesDelete",
     "Extended services deletion support.",
     (("path", "/os-services/{id}", "DELETE"),)),
    ("os-extended-status", "ExtendedStatus",
     "Extended Status support.",
     SHOWN),
    ("os-extended-volumes", "ExtendedVolumes",
     "Extended Volumes support.",
     SHOWN),
    ("os-flavor-access", "FlavorAccess",
     "Flavor access support.",
     (("path", "/flavors/{flavor_id}/os-flavor-access"),)),
    ("os-flavor-extra-specs", "FlavorExtraSpecs",
     "Flavors extra specs support.",
     (("path", "/flavors/{flavor_id}/os-extra_specs"),)),
    ("os-flavor-manage", "FlavorManage",
     "Flavor create/delete API support.",
     (("path", "/flavors", "POST"),)),
    ("os-flavor-rxtx", "FlavorRxtx",
     "Support to show the rxtx status of a flavor.",
     SHOWN),
    ("os-flavor-swap", "FlavorSwap",
     "Support to show the swap status of a flavor.",
     SHOWN),
    ("os-floating-ip-pools", "FloatingIpPools",
     "Floating IPs support.",
     (("path", "/os-floating-ip-pools"),)),
    ("os-floating-ips", "FloatingIps",
     "Floating IPs support.",
     (("path", "/os-floating-ips"),)),
    ("os-hosts", "Hosts",
     "Admin-only host administration.",
     (("path", "/os-hosts"),)),
    ("os-hypervisor-status", "HypervisorStatus",
     "Show hypervisor status.",
     (("path", "/os-hypervisors/detail"),)),
    ("os-hypervisors", "Hypervisors",
     "Admin-only hypervisor administration.",
     (("path", "/os-hypervisors"),)),
    ("os-instance-actions", "InstanceActions",
     "View a log of actions and events taken on an instance.",
     (("path", "/servers/{server_id}/os-instance-actions"),)),
    ("os-instance_usage_audit_log", "OSInstanceUsageAuditLog",
     "Admin-only Task Log Monitoring.",
     (("path", "/os-instance_usage_audit_log"),)),
    ("os-keypairs", "Keypairs",
     "Keypair Support.",
     (("path", "/os-keypairs"),)),
    ("os-lock-server", "LockServer",
     "Enable lock/unlock server actions.",
     (("action", "lock"),)),
    ("os-migrate-server", "MigrateServer",
     "Enable migrate and live-migrate server actions.",
     (("action", "migrate"),)),
    ("os-migrations", "Migrations",
     "Provide data on migrations.",
     (("path", "/os-migrations"),)),
    ("os-multiple-create", "MultipleCreate",
     "Allow multiple create in the Create Server v2.1 API.",
     SHOWN),
    ("os-networks", "Networks",
     "Admin-only Network Management Extension.",
     (("path", "/os-networks"),)),
    ("os-pause-server", "PauseServer",
     "Enable pause/unpause server actions.",
     (("action", "pause"),)),
    ("os-personality", "Personality",
     "Personality support.",
     SHOWN),
    ("os-preserve-ephemeral-rebuild", "PreserveEphemeralOnRebuild",
     "Allow preservation of the ephemeral partition on rebuild.",
     (("action", "rebuild"),)),
    ("os-quota-class-sets", "QuotaClasses",
     "Quota classes management support.",
     (("path", "/os-quota-class-sets/{id}"),)),
    ("os-quota-sets", "Quotas",
     "Quotas management support.",
     (("path", "/os-quota-sets/{id}"),)),
    ("os-rescue", "Rescue",
     "Instance rescue mode.",
     (("action", "rescue"),)),
    ("os-security-groups", "SecurityGroups",
     "Security group support.",
     (("path", "/os-security-groups"),
      ("path", "/servers/{server_id}/os-security-groups"),
      ("action", "addSecurityGroup"))),
    ("os-server-diagnostics", "ServerDiagnostics",
     "Allow Admins to view server diagnostics through server action.",
     (("path", "/servers/{server_id}/diagnostics"),)),
    ("os-server-external-events", "ServerExternalEvents",
     "Server External Event Triggers.",
     (("path", "/os-server-external-events"),)),
    ("os-server-group-quotas", "ServerGroupQuotas",
     "Adds quota support to server groups.",
     (("path", "/os-server-groups"),)),
    ("os-server-groups", "ServerGroups",
     "Server group support.",
     (("path", "/os-server-groups"),)),
    ("os-server-list-multi-status", "ServerListMultiStatus",
     "Allow to filter the servers by a set of status values.",
     SHOWN),
    ("os-server-password", "ServerPassword",
     "Server password support.",
     (("path", "/servers/{server_id}/os-server-password"),)),
    ("os-server-sort-keys", "ServerSortKeys",
     "Add sorting support in get Server v2 API.",
     SHOWN),
    ("os-server-start-stop", "ServerStartStop",
     "Start/Stop instance compute API support.",
     (("action", "os-start"),)),
    ("os-services", "Services",
     "Services support.",
     (("path", "/os-services"),)),
    ("os-shelve", "Shelve",
     "Instance shelve mode.",
     (("action", "shelve"),)),
    ("os-simple-tenant-usage", "SimpleTenantUsage",
     "Simple tenant usage extension.",
     (("path", "/os-simple-tenant-usage"),)),
    ("os-suspend-server", "SuspendServer",
     "Enable suspend/resume server actions.",
     (("action", "suspend"),)),
    ("os-tenant-networks", "OSTenantNetworks",
     "Tenant-based Network Management Extension.",
     (("path", "/os-tenant-networks"),)),
    ("os-used-limits", "UsedLimits",
     "Provide data on limited resources that are being used.",
     (("path", "/limits"),)),
    ("os-used-limits-for-admin", "UsedLimitsForAdmin",
     "Provide data to admin on limited resources used by other tenants.",
     (("path", "/limits"),)),
    ("os-user-data", "UserData",
     "Add user_data to the Create Server API.",
     SHOWN),
    ("os-user-quotas", "UserQuotas",
     "Project user quota support.",
     (("path", "/os-quota-sets/{id}"),)),
    ("os-volume-attachment-update", "VolumeAttachmentUpdate",
     "Support for updating a volume attachment.",
     (("path", "/servers/{server_id}/os-volume_attachments/{id}", "PUT"),)),
    ("os-volumes", "Volumes",
     "Volumes support.",
     (("path", "/os-volumes"),)),
)

def served_aliases(route_list, action_controllers):
    """The aliases of EXTENSIONS that ``route_list`` (and the action
    controllers of its action routes) serve, in nova's order."""
    routed, actions = {}, set()
    for path, methods in route_list:
        for method, (controller_class, name) in methods.items():
            if issubclass(controller_class, removed.RemovedController):
                continue
            routed.setdefault(path, set()).add(method)
            if name == "action":
                for served in (controller_class,
                               *action_controllers.get(controller_class, ())):
                    actions |= wsgi.action_keys(served)

    def holds(way):
        kind, *what = way
        if kind == "action":
            return what[0] in actions
        if kind == "path":
            path, *method = what
            return path in routed and (not method or method[0] in routed[path])
        return True

    return [alias for alias, _, _, ways in EXTENSIONS
            if any(holds(way) for way in ways)]


class ExtensionInfoController(wsgi.Controller):
    """Any authenticated caller may read the list
    (``os_compute_api:extensions``: any role)."""

    def __init__(self, conf):
        super().__init__(conf)
        # The route table names this controller, so it is read here, once
        # it is whole, rather than imported with this module.
        from minova_tw.api.openstack.compute import routes
        served = set(served_aliases(routes.ROUTE_LIST,
                                    routes.ACTION_CONTROLLERS))
        self.extensions = [
            {"alias": alias, "description": description, "links": [],
             "name": name, "namespace": NAMESPACE, "updated": UPDATED}
            for alias, name, description, _ in EXTENSIONS if alias in served]

    @wsgi.expected_errors(())
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def index(self, req):
        return {"extensions": self.extensions}

    @wsgi.expected_errors(404)
    @validation.query_schema(pt.no_query_v2102, "2.102")
    def show(self, req, id):
        for extension in self.extensions:
            if extension["alias"] == id:
                return {"extension": extension}
        raise webob.exc.HTTPNotFound()

"""Rules of what a project has of its own: keypairs, limits, quotas, server
groups, usage, and the lists anyone may read (zones, extensions)."""

from minova_tw.policies import base

#: Keypairs belong to a user, not a project: the target is the user.
ADMIN_OR_OWNER = "(%s) or user_id:%%(user_id)s" % base.ADMIN

rules = [
    base.rule(
        "os_compute_api:os-keypairs:index", ADMIN_OR_OWNER,
        "See a user's keypairs (another user's: user_id query).",
        ("GET", "/os-keypairs")),
    base.rule(
        "os_compute_api:os-keypairs:create", ADMIN_OR_OWNER,
        "Make or import a keypair (for another user: user_id in the body).",
        ("POST", "/os-keypairs")),
    base.rule(
        "os_compute_api:os-keypairs:delete", ADMIN_OR_OWNER,
        "Remove a keypair (another user's: user_id query).",
        ("DELETE", "/os-keypairs/{keypair_name}")),
    base.rule(
        "os_compute_api:os-keypairs:show", ADMIN_OR_OWNER,
        "See one keypair (another user's: user_id query).",
        ("GET", "/os-keypairs/{keypair_name}")),
    base.rule(
        "os_compute_api:limits", base.ANYONE,
        "See the caller's project limits and usage.",
        ("GET", "/limits")),
    base.rule(
        "os_compute_api:limits:other_project", base.ADMIN,
        "See another project's limits (tenant_id query).",
        ("GET", "/limits")),
    base.rule(
        "os_compute_api:os-quota-sets:update", base.ADMIN,
        "Change a project's (or a project user's) quotas.",
        ("PUT", "/os-quota-sets/{tenant_id}")),
    base.rule(
        "os_compute_api:os-quota-sets:defaults", base.ANYONE,
        "See the default quotas.",
        ("GET", "/os-quota-sets/{tenant_id}/defaults")),
    base.rule(
        "os_compute_api:os-quota-sets:show", base.PROJECT_READER_OR_ADMIN,
        "See a project's quotas.",
        ("GET", "/os-quota-sets/{tenant_id}")),
    base.rule(
        "os_compute_api:os-quota-sets:delete", base.ADMIN,
        "Put a project's quotas back to the defaults.",
        ("DELETE", "/os-quota-sets/{tenant_id}")),
    base.rule(
        "os_compute_api:os-quota-sets:detail", base.PROJECT_READER_OR_ADMIN,
        "See a project's quotas with usage and reservations.",
        ("GET", "/os-quota-sets/{tenant_id}/detail")),
    base.rule(
        "os_compute_api:os-quota-class-sets:show", base.ADMIN,
        "See a quota class.",
        ("GET", "/os-quota-class-sets/{quota_class}")),
    base.rule(
        "os_compute_api:os-quota-class-sets:update", base.ADMIN,
        "Change a quota class.",
        ("PUT", "/os-quota-class-sets/{quota_class}")),
    base.rule(
        "os_compute_api:os-server-groups:create", base.PROJECT_MEMBER_OR_ADMIN,
        "Make a server group.",
        ("POST", "/os-server-groups")),
    base.rule(
        "os_compute_api:os-server-groups:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a server group.",
        ("DELETE", "/os-server-groups/{server_group_id}")),
    base.rule(
        "os_compute_api:os-server-groups:index", base.PROJECT_READER_OR_ADMIN,
        "See the caller's project's server groups.",
        ("GET", "/os-server-groups")),
    base.rule(
        "os_compute_api:os-server-groups:index:all_projects", base.ADMIN,
        "See the server groups of every project (all_projects query).",
        ("GET", "/os-server-groups")),
    base.rule(
        "os_compute_api:os-server-groups:show", base.PROJECT_READER_OR_ADMIN,
        "See one server group.",
        ("GET", "/os-server-groups/{server_group_id}")),
    base.rule(
        "os_compute_api:os-simple-tenant-usage:show",
        base.PROJECT_READER_OR_ADMIN,
        "See one project's usage.",
        ("GET", "/os-simple-tenant-usage/{tenant_id}")),
    base.rule(
        "os_compute_api:os-simple-tenant-usage:list", base.ADMIN,
        "See every project's usage.",
        ("GET", "/os-simple-tenant-usage")),
    base.rule(
        "os_compute_api:os-availability-zone:list", base.ANYONE,
        "See the availability zones, names and state only.",
        ("GET", "/os-availability-zone")),
    base.rule(
        "os_compute_api:os-availability-zone:detail", base.ADMIN,
        "See the availability zones with their hosts and services.",
        ("GET", "/os-availability-zone/detail")),
    base.rule(
        "os_compute_api:extensions", base.ANYONE,
        "See the list of API extensions.",
        ("GET", "/extensions"),
        ("GET", "/extensions/{alias}")),
]

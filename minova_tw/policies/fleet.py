"""Rules of the operator's view of the fleet: aggregates, hosts, hypervisors,
services, migrations, and the calls other services make to nova."""

from minova_tw.policies import base

rules = [
    base.rule(
        "os_compute_api:os-aggregates:set_metadata", base.ADMIN,
        "Set the metadata of a host aggregate.",
        ("POST", "/os-aggregates/{aggregate_id}/action (set_metadata)")),
    base.rule(
        "os_compute_api:os-aggregates:add_host", base.ADMIN,
        "Put a compute host into a host aggregate.",
        ("POST", "/os-aggregates/{aggregate_id}/action (add_host)")),
    base.rule(
        "os_compute_api:os-aggregates:create", base.ADMIN,
        "Make a host aggregate.",
        ("POST", "/os-aggregates")),
    base.rule(
        "os_compute_api:os-aggregates:remove_host", base.ADMIN,
        "Take a compute host out of a host aggregate.",
        ("POST", "/os-aggregates/{aggregate_id}/action (remove_host)")),
    base.rule(
        "os_compute_api:os-aggregates:update", base.ADMIN,
        "Rename a host aggregate or change its availability zone.",
        ("PUT", "/os-aggregates/{aggregate_id}")),
    base.rule(
        "os_compute_api:os-aggregates:index", base.ADMIN,
        "See every host aggregate.",
        ("GET", "/os-aggregates")),
    base.rule(
        "os_compute_api:os-aggregates:delete", base.ADMIN,
        "Remove a host aggregate.",
        ("DELETE", "/os-aggregates/{aggregate_id}")),
    base.rule(
        "os_compute_api:os-aggregates:show", base.ADMIN,
        "See one host aggregate.",
        ("GET", "/os-aggregates/{aggregate_id}")),
    base.rule(
        "compute:aggregates:images", base.ADMIN,
        "Ask the hosts of an aggregate to cache images.",
        ("POST", "/os-aggregates/{aggregate_id}/images")),
    base.rule(
        "os_compute_api:os-hosts:list", base.ADMIN,
        "See the compute hosts (the old os-hosts API).",
        ("GET", "/os-hosts")),
    base.rule(
        "os_compute_api:os-hosts:show", base.ADMIN,
        "See one compute host's resources (the old os-hosts API).",
        ("GET", "/os-hosts/{host_name}")),
    base.rule(
        "os_compute_api:os-hosts:update", base.ADMIN,
        "Enable, disable or put in maintenance a compute host (the old os-"
        "hosts API).",
        ("PUT", "/os-hosts/{host_name}")),
    base.rule(
        "os_compute_api:os-hosts:reboot", base.ADMIN,
        "Reboot a compute host (the old os-hosts API).",
        ("GET", "/os-hosts/{host_name}/reboot")),
    base.rule(
        "os_compute_api:os-hosts:shutdown", base.ADMIN,
        "Shut down a compute host (the old os-hosts API).",
        ("GET", "/os-hosts/{host_name}/shutdown")),
    base.rule(
        "os_compute_api:os-hosts:start", base.ADMIN,
        "Start a compute host (the old os-hosts API).",
        ("GET", "/os-hosts/{host_name}/startup")),
    base.rule(
        "os_compute_api:os-hypervisors:list", base.ADMIN,
        "See the hypervisors.",
        ("GET", "/os-hypervisors")),
    base.rule(
        "os_compute_api:os-hypervisors:list-detail", base.ADMIN,
        "See the hypervisors with their details.",
        ("GET", "/os-hypervisors/details")),
    base.rule(
        "os_compute_api:os-hypervisors:statistics", base.ADMIN,
        "See the hypervisors' summed resources.",
        ("GET", "/os-hypervisors/statistics")),
    base.rule(
        "os_compute_api:os-hypervisors:show", base.ADMIN,
        "See one hypervisor.",
        ("GET", "/os-hypervisors/{hypervisor_id}")),
    base.rule(
        "os_compute_api:os-hypervisors:uptime", base.ADMIN,
        "See a hypervisor's uptime.",
        ("GET", "/os-hypervisors/{hypervisor_id}/uptime")),
    base.rule(
        "os_compute_api:os-hypervisors:search", base.ADMIN,
        "Find hypervisors by host name.",
        ("GET", "/os-hypervisors/{hypervisor_hostname_pattern}/search")),
    base.rule(
        "os_compute_api:os-hypervisors:servers", base.ADMIN,
        "See the servers on hypervisors found by host name.",
        ("GET", "/os-hypervisors/{hypervisor_hostname_pattern}/servers")),
    base.rule(
        "os_compute_api:os-services:list", base.ADMIN,
        "See the compute services.",
        ("GET", "/os-services")),
    base.rule(
        "os_compute_api:os-services:update", base.ADMIN,
        "Enable, disable or force down a compute service.",
        ("PUT", "/os-services/{service_id}")),
    base.rule(
        "os_compute_api:os-services:delete", base.ADMIN,
        "Remove a compute service.",
        ("DELETE", "/os-services/{service_id}")),
    base.rule(
        "os_compute_api:os-migrations:index", base.PROJECT_MANAGER_OR_ADMIN,
        "See the migrations of the caller's project.",
        ("GET", "/os-migrations")),
    base.rule(
        "os_compute_api:os-migrations:index:all_projects", base.ADMIN,
        "See the migrations of every project.",
        ("GET", "/os-migrations")),
    base.rule(
        "os_compute_api:os-migrations:index:host", base.ADMIN,
        "See the host fields of migrations.",
        ("GET", "/os-migrations")),
    base.rule(
        "os_compute_api:os-baremetal-nodes:list", base.ADMIN,
        "See the bare metal nodes (a proxy to the bare metal service).",
        ("GET", "/os-baremetal-nodes")),
    base.rule(
        "os_compute_api:os-baremetal-nodes:show", base.ADMIN,
        "See one bare metal node (a proxy to the bare metal service).",
        ("GET", "/os-baremetal-nodes/{node_id}")),
    base.rule(
        "os_compute_api:os-console-auth-tokens", base.ADMIN,
        "Look up what a console token connects to.",
        ("GET", "/os-console-auth-tokens/{console_token}")),
    base.rule(
        "os_compute_api:os-server-external-events:create",
        base.SERVICE_OR_ADMIN,
        "Tell the compute service about an event of another service (network,"
        " volume).",
        ("POST", "/os-server-external-events")),
    base.rule(
        "os_compute_api:os-assisted-volume-snapshots:create",
        base.SERVICE_OR_ADMIN,
        "Take a volume snapshot with the hypervisor's help (called by the "
        "volume service).",
        ("POST", "/os-assisted-volume-snapshots")),
    base.rule(
        "os_compute_api:os-assisted-volume-snapshots:delete",
        base.SERVICE_OR_ADMIN,
        "Remove a hypervisor-assisted volume snapshot (called by the volume "
        "service).",
        ("DELETE", "/os-assisted-volume-snapshots/{snapshot_id}")),
    base.rule(
        "os_compute_api:os-instance-usage-audit-log:list", base.ADMIN,
        "See the usage audit log of every period.",
        ("GET", "/os-instance_usage_audit_log")),
    base.rule(
        "os_compute_api:os-instance-usage-audit-log:show", base.ADMIN,
        "See the usage audit log of the period before a time.",
        ("GET", "/os-instance_usage_audit_log/{before_timestamp}")),
]

"""Rules of the APIs through which nova speaks for neutron, cinder and ironic
(networks, floating IPs, security groups, volumes, bare metal nodes are in
``fleet``)."""

from minova_tw.policies import base

rules = [
    base.rule(
        "os_compute_api:os-floating-ips:add", base.PROJECT_MEMBER_OR_ADMIN,
        "Associate a floating IP with a server.",
        ("POST", "/servers/{server_id}/action (addFloatingIp)")),
    base.rule(
        "os_compute_api:os-floating-ips:remove", base.PROJECT_MEMBER_OR_ADMIN,
        "Disassociate a floating IP from a server.",
        ("POST", "/servers/{server_id}/action (removeFloatingIp)")),
    base.rule(
        "os_compute_api:os-floating-ips:list", base.PROJECT_READER_OR_ADMIN,
        "See the project's floating IPs (a proxy to the network service).",
        ("GET", "/os-floating-ips")),
    base.rule(
        "os_compute_api:os-floating-ips:create", base.PROJECT_MEMBER_OR_ADMIN,
        "Allocate a floating IP (a proxy to the network service).",
        ("POST", "/os-floating-ips")),
    base.rule(
        "os_compute_api:os-floating-ips:show", base.PROJECT_READER_OR_ADMIN,
        "See one floating IP (a proxy to the network service).",
        ("GET", "/os-floating-ips/{floating_ip_id}")),
    base.rule(
        "os_compute_api:os-floating-ips:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Release a floating IP (a proxy to the network service).",
        ("DELETE", "/os-floating-ips/{floating_ip_id}")),
    base.rule(
        "os_compute_api:os-floating-ip-pools", base.ANYONE,
        "See the floating IP pools (a proxy to the network service).",
        ("GET", "/os-floating-ip-pools")),
    base.rule(
        "os_compute_api:os-networks:list", base.PROJECT_READER_OR_ADMIN,
        "See the networks (a proxy to the network service).",
        ("GET", "/os-networks")),
    base.rule(
        "os_compute_api:os-networks:show", base.PROJECT_READER_OR_ADMIN,
        "See one network (a proxy to the network service).",
        ("GET", "/os-networks/{network_id}")),
    base.rule(
        "os_compute_api:os-tenant-networks:list", base.PROJECT_READER_OR_ADMIN,
        "See the project's networks (a proxy to the network service).",
        ("GET", "/os-tenant-networks")),
    base.rule(
        "os_compute_api:os-tenant-networks:show", base.PROJECT_READER_OR_ADMIN,
        "See one of the project's networks (a proxy to the network service).",
        ("GET", "/os-tenant-networks/{network_id}")),
    base.rule(
        "os_compute_api:os-security-groups:get", base.PROJECT_READER_OR_ADMIN,
        "See the security groups (a proxy to the network service).",
        ("GET", "/os-security-groups")),
    base.rule(
        "os_compute_api:os-security-groups:show", base.PROJECT_READER_OR_ADMIN,
        "See one security group (a proxy to the network service).",
        ("GET", "/os-security-groups/{security_group_id}")),
    base.rule(
        "os_compute_api:os-security-groups:create",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Make a security group (a proxy to the network service).",
        ("POST", "/os-security-groups")),
    base.rule(
        "os_compute_api:os-security-groups:update",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Change a security group (a proxy to the network service).",
        ("PUT", "/os-security-groups/{security_group_id}")),
    base.rule(
        "os_compute_api:os-security-groups:delete",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a security group (a proxy to the network service).",
        ("DELETE", "/os-security-groups/{security_group_id}")),
    base.rule(
        "os_compute_api:os-security-groups:rule:create",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Add a security group rule (a proxy to the network service).",
        ("POST", "/os-security-group-rules")),
    base.rule(
        "os_compute_api:os-security-groups:rule:delete",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a security group rule (a proxy to the network service).",
        ("DELETE", "/os-security-group-rules/{security_group_id}")),
    base.rule(
        "os_compute_api:os-security-groups:list", base.PROJECT_READER_OR_ADMIN,
        "See a server's security groups.",
        ("GET", "/servers/{server_id}/os-security-groups")),
    base.rule(
        "os_compute_api:os-security-groups:add", base.PROJECT_MEMBER_OR_ADMIN,
        "Add a security group to a server.",
        ("POST", "/servers/{server_id}/action (addSecurityGroup)")),
    base.rule(
        "os_compute_api:os-security-groups:remove",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a security group from a server.",
        ("POST", "/servers/{server_id}/action (removeSecurityGroup)")),
    base.rule(
        "os_compute_api:os-volumes:list", base.PROJECT_READER_OR_ADMIN,
        "See the volumes (a proxy to the volume service).",
        ("GET", "/os-volumes")),
    base.rule(
        "os_compute_api:os-volumes:create", base.PROJECT_MEMBER_OR_ADMIN,
        "Make a volume (a proxy to the volume service).",
        ("POST", "/os-volumes")),
    base.rule(
        "os_compute_api:os-volumes:detail", base.PROJECT_READER_OR_ADMIN,
        "See the volumes with details (a proxy to the volume service).",
        ("GET", "/os-volumes/detail")),
    base.rule(
        "os_compute_api:os-volumes:show", base.PROJECT_READER_OR_ADMIN,
        "See one volume (a proxy to the volume service).",
        ("GET", "/os-volumes/{volume_id}")),
    base.rule(
        "os_compute_api:os-volumes:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a volume (a proxy to the volume service).",
        ("DELETE", "/os-volumes/{volume_id}")),
    base.rule(
        "os_compute_api:os-volumes:snapshots:list",
        base.PROJECT_READER_OR_ADMIN,
        "See the volume snapshots (a proxy to the volume service).",
        ("GET", "/os-snapshots")),
    base.rule(
        "os_compute_api:os-volumes:snapshots:create",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Make a volume snapshot (a proxy to the volume service).",
        ("POST", "/os-snapshots")),
    base.rule(
        "os_compute_api:os-volumes:snapshots:detail",
        base.PROJECT_READER_OR_ADMIN,
        "See the volume snapshots with details (a proxy to the volume "
        "service).",
        ("GET", "/os-snapshots/detail")),
    base.rule(
        "os_compute_api:os-volumes:snapshots:show",
        base.PROJECT_READER_OR_ADMIN,
        "See one volume snapshot (a proxy to the volume service).",
        ("GET", "/os-snapshots/{snapshot_id}")),
    base.rule(
        "os_compute_api:os-volumes:snapshots:delete",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a volume snapshot (a proxy to the volume service).",
        ("DELETE", "/os-snapshots/{snapshot_id}")),
]

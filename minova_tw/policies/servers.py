"""Rules of servers and their sub-resources: metadata, tags, addresses,
password, shares, topology, interfaces, volume attachments, actions taken,
migrations in progress and diagnostics."""

from minova_tw.policies import base

rules = [
    base.rule(
        "os_compute_api:servers:index", base.PROJECT_READER_OR_ADMIN,
        "List servers.",
        ("GET", "/servers")),
    base.rule(
        "os_compute_api:servers:detail", base.PROJECT_READER_OR_ADMIN,
        "List servers with details.",
        ("GET", "/servers/detail")),
    base.rule(
        "os_compute_api:servers:index:get_all_tenants", base.ADMIN,
        "List the servers of every project (all_tenants query).",
        ("GET", "/servers")),
    base.rule(
        "os_compute_api:servers:detail:get_all_tenants", base.ADMIN,
        "List the servers of every project with details (all_tenants query).",
        ("GET", "/servers/detail")),
    base.rule(
        "os_compute_api:servers:allow_all_filters", base.ADMIN,
        "Filter server lists by any field, not only the ones open to "
        "everyone.",
        ("GET", "/servers"),
        ("GET", "/servers/detail")),
    base.rule(
        "os_compute_api:servers:show", base.PROJECT_READER_OR_ADMIN,
        "See a server.",
        ("GET", "/servers/{server_id}")),
    base.rule(
        "os_compute_api:servers:show:flavor-extra-specs",
        base.PROJECT_READER_OR_ADMIN,
        "See the flavor's extra specs in a server document (2.47 and later).",
        ("GET", "/servers/detail"),
        ("GET", "/servers/{server_id}"),
        ("PUT", "/servers/{server_id}"),
        ("POST", "/servers/{server_id}/action (rebuild)")),
    base.rule(
        "os_compute_api:servers:show:host_status", base.ADMIN,
        "See a server's host_status (2.16 and later).",
        ("GET", "/servers/{server_id}"),
        ("GET", "/servers/detail"),
        ("PUT", "/servers/{server_id}"),
        ("POST", "/servers/{server_id}/action (rebuild)")),
    base.rule(
        "os_compute_api:servers:show:host_status:unknown-only", base.ADMIN,
        "See a server's host_status only when it is UNKNOWN (2.16 and later).",
        ("GET", "/servers/{server_id}"),
        ("GET", "/servers/detail"),
        ("PUT", "/servers/{server_id}"),
        ("POST", "/servers/{server_id}/action (rebuild)")),
    base.rule(
        "os_compute_api:servers:create", base.PROJECT_MEMBER_OR_ADMIN,
        "Create a server.",
        ("POST", "/servers")),
    base.rule(
        "os_compute_api:servers:create:forced_host", base.ADMIN,
        "Create a server on a host named in its availability zone "
        "(zone:host:node).",
        ("POST", "/servers")),
    base.rule(
        "compute:servers:create:requested_destination", base.ADMIN,
        "Create a server on a host or node named in the request (2.74 and "
        "later).",
        ("POST", "/servers")),
    base.rule(
        "os_compute_api:servers:create:attach_volume",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Create a server with block device mappings.",
        ("POST", "/servers")),
    base.rule(
        "os_compute_api:servers:create:attach_network",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Create a server with networks or ports named in the request.",
        ("POST", "/servers")),
    base.rule(
        "os_compute_api:servers:create:trusted_certs",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Create a server with trusted image certificates.",
        ("POST", "/servers")),
    base.rule(
        "os_compute_api:servers:create:zero_disk_flavor", base.ADMIN,
        "Create a server from an image with a flavor of zero root disk.",
        ("POST", "/servers")),
    base.rule(
        "network:attach_external_network", base.ADMIN,
        "Attach a server to an external network.",
        ("POST", "/servers"),
        ("POST", "/servers/{server_id}/os-interface")),
    base.rule(
        "os_compute_api:servers:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Delete a server.",
        ("DELETE", "/servers/{server_id}")),
    base.rule(
        "os_compute_api:servers:update", base.PROJECT_MEMBER_OR_ADMIN,
        "Change a server's name, description or host name.",
        ("PUT", "/servers/{server_id}")),
    base.rule(
        "os_compute_api:servers:confirm_resize", base.PROJECT_MEMBER_OR_ADMIN,
        "Confirm a server's resize or cold migration.",
        ("POST", "/servers/{server_id}/action (confirmResize)")),
    base.rule(
        "os_compute_api:servers:revert_resize", base.PROJECT_MEMBER_OR_ADMIN,
        "Revert a server's resize or cold migration.",
        ("POST", "/servers/{server_id}/action (revertResize)")),
    base.rule(
        "os_compute_api:servers:reboot", base.PROJECT_MEMBER_OR_ADMIN,
        "Reboot a server.",
        ("POST", "/servers/{server_id}/action (reboot)")),
    base.rule(
        "os_compute_api:servers:resize", base.PROJECT_MEMBER_OR_ADMIN,
        "Resize a server to another flavor.",
        ("POST", "/servers/{server_id}/action (resize)")),
    base.rule(
        "compute:servers:resize:cross_cell", base.NOBODY,
        "Resize a server into another cell.",
        ("POST", "/servers/{server_id}/action (resize)")),
    base.rule(
        "os_compute_api:servers:rebuild", base.PROJECT_MEMBER_OR_ADMIN,
        "Rebuild a server.",
        ("POST", "/servers/{server_id}/action (rebuild)")),
    base.rule(
        "os_compute_api:servers:rebuild:trusted_certs",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Rebuild a server with trusted image certificates.",
        ("POST", "/servers/{server_id}/action (rebuild)")),
    base.rule(
        "os_compute_api:servers:create_image", base.PROJECT_MEMBER_OR_ADMIN,
        "Snapshot a server as an image.",
        ("POST", "/servers/{server_id}/action (createImage)")),
    base.rule(
        "os_compute_api:servers:create_image:allow_volume_backed",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Snapshot a server that boots from a volume.",
        ("POST", "/servers/{server_id}/action (createImage)")),
    base.rule(
        "os_compute_api:servers:start", base.PROJECT_MEMBER_OR_ADMIN,
        "Start a stopped server.",
        ("POST", "/servers/{server_id}/action (os-start)")),
    base.rule(
        "os_compute_api:servers:stop", base.PROJECT_MEMBER_OR_ADMIN,
        "Stop a server.",
        ("POST", "/servers/{server_id}/action (os-stop)")),
    base.rule(
        "os_compute_api:servers:trigger_crash_dump",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Make a server dump its memory (NMI).",
        ("POST", "/servers/{server_id}/action (trigger_crash_dump)")),
    base.rule(
        "os_compute_api:os-extended-server-attributes", base.ADMIN,
        "See a server's OS-EXT-SRV-ATTR fields (host, instance name, "
        "hypervisor details, ...).",
        ("GET", "/servers/{id}"),
        ("GET", "/servers/detail"),
        ("PUT", "/servers/{server_id}"),
        ("POST", "/servers/{server_id}/action (rebuild)")),
    base.rule(
        "os_compute_api:server-metadata:index", base.PROJECT_READER_OR_ADMIN,
        "See a server's metadata.",
        ("GET", "/servers/{server_id}/metadata")),
    base.rule(
        "os_compute_api:server-metadata:show", base.PROJECT_READER_OR_ADMIN,
        "See one metadata item of a server.",
        ("GET", "/servers/{server_id}/metadata/{key}")),
    base.rule(
        "os_compute_api:server-metadata:create", base.PROJECT_MEMBER_OR_ADMIN,
        "Add metadata items to a server.",
        ("POST", "/servers/{server_id}/metadata")),
    base.rule(
        "os_compute_api:server-metadata:update_all",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Replace a server's metadata.",
        ("PUT", "/servers/{server_id}/metadata")),
    base.rule(
        "os_compute_api:server-metadata:update", base.PROJECT_MEMBER_OR_ADMIN,
        "Set one metadata item of a server.",
        ("PUT", "/servers/{server_id}/metadata/{key}")),
    base.rule(
        "os_compute_api:server-metadata:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Remove one metadata item of a server.",
        ("DELETE", "/servers/{server_id}/metadata/{key}")),
    base.rule(
        "os_compute_api:os-server-tags:delete_all",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Remove every tag of a server.",
        ("DELETE", "/servers/{server_id}/tags")),
    base.rule(
        "os_compute_api:os-server-tags:index", base.PROJECT_READER_OR_ADMIN,
        "See a server's tags.",
        ("GET", "/servers/{server_id}/tags")),
    base.rule(
        "os_compute_api:os-server-tags:update_all",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Replace a server's tags.",
        ("PUT", "/servers/{server_id}/tags")),
    base.rule(
        "os_compute_api:os-server-tags:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Remove one tag of a server.",
        ("DELETE", "/servers/{server_id}/tags/{tag}")),
    base.rule(
        "os_compute_api:os-server-tags:update", base.PROJECT_MEMBER_OR_ADMIN,
        "Add one tag to a server.",
        ("PUT", "/servers/{server_id}/tags/{tag}")),
    base.rule(
        "os_compute_api:os-server-tags:show", base.PROJECT_READER_OR_ADMIN,
        "Check whether a server has a tag.",
        ("GET", "/servers/{server_id}/tags/{tag}")),
    base.rule(
        "os_compute_api:ips:show", base.PROJECT_READER_OR_ADMIN,
        "See a server's addresses on one network.",
        ("GET", "/servers/{server_id}/ips/{network_label}")),
    base.rule(
        "os_compute_api:ips:index", base.PROJECT_READER_OR_ADMIN,
        "See a server's addresses.",
        ("GET", "/servers/{server_id}/ips")),
    base.rule(
        "os_compute_api:os-server-password:show", base.PROJECT_READER_OR_ADMIN,
        "Read a server's encrypted password.",
        ("GET", "/servers/{server_id}/os-server-password")),
    base.rule(
        "os_compute_api:os-server-password:clear",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Clear a server's encrypted password.",
        ("DELETE", "/servers/{server_id}/os-server-password")),
    base.rule(
        "os_compute_api:os-server-shares:index", base.PROJECT_READER_OR_ADMIN,
        "See the shares attached to a server.",
        ("GET", "/servers/{server_id}/shares")),
    base.rule(
        "os_compute_api:os-server-shares:create", base.PROJECT_MEMBER_OR_ADMIN,
        "Attach a share to a server.",
        ("POST", "/servers/{server_id}/shares")),
    base.rule(
        "os_compute_api:os-server-shares:show", base.PROJECT_READER_OR_ADMIN,
        "See one share attached to a server.",
        ("GET", "/servers/{server_id}/shares/{share_id}")),
    base.rule(
        "os_compute_api:os-server-shares:delete", base.PROJECT_MEMBER_OR_ADMIN,
        "Detach a share from a server.",
        ("DELETE", "/servers/{server_id}/shares/{share_id}")),
    base.rule(
        "compute:server:topology:index", base.PROJECT_READER_OR_ADMIN,
        "See a server's NUMA topology.",
        ("GET", "/servers/{server_id}/topology")),
    base.rule(
        "compute:server:topology:host:index", base.ADMIN,
        "See the host side of a server's NUMA topology.",
        ("GET", "/servers/{server_id}/topology")),
    base.rule(
        "os_compute_api:os-attach-interfaces:list",
        base.PROJECT_READER_OR_ADMIN,
        "See the network ports plugged into a server.",
        ("GET", "/servers/{server_id}/os-interface")),
    base.rule(
        "os_compute_api:os-attach-interfaces:show",
        base.PROJECT_READER_OR_ADMIN,
        "See one network port plugged into a server.",
        ("GET", "/servers/{server_id}/os-interface/{port_id}")),
    base.rule(
        "os_compute_api:os-attach-interfaces:create",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Plug a network port into a server.",
        ("POST", "/servers/{server_id}/os-interface")),
    base.rule(
        "os_compute_api:os-attach-interfaces:delete",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Unplug a network port from a server.",
        ("DELETE", "/servers/{server_id}/os-interface/{port_id}")),
    base.rule(
        "os_compute_api:os-volumes-attachments:index",
        base.PROJECT_READER_OR_ADMIN,
        "See the volumes attached to a server.",
        ("GET", "/servers/{server_id}/os-volume_attachments")),
    base.rule(
        "os_compute_api:os-volumes-attachments:create",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Attach a volume to a server.",
        ("POST", "/servers/{server_id}/os-volume_attachments")),
    base.rule(
        "os_compute_api:os-volumes-attachments:show",
        base.PROJECT_READER_OR_ADMIN,
        "See one volume attached to a server.",
        ("GET", "/servers/{server_id}/os-volume_attachments/{volume_id}")),
    base.rule(
        "os_compute_api:os-volumes-attachments:update",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Change a volume attachment's delete_on_termination (2.85 and later).",
        ("PUT", "/servers/{server_id}/os-volume_attachments/{volume_id}")),
    base.rule(
        "os_compute_api:os-volumes-attachments:swap", base.SERVICE_OR_ADMIN,
        "Swap a server's volume for another (called by the volume service "
        "when it migrates a volume).",
        ("PUT", "/servers/{server_id}/os-volume_attachments/{volume_id}")),
    base.rule(
        "os_compute_api:os-volumes-attachments:delete",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Detach a volume from a server.",
        ("DELETE", "/servers/{server_id}/os-volume_attachments/{volume_id}")),
    base.rule(
        "os_compute_api:os-instance-actions:events:details", base.ADMIN,
        "See the host and detail fields of an action's events.",
        ("GET", "/servers/{server_id}/os-instance-actions/{request_id}")),
    base.rule(
        "os_compute_api:os-instance-actions:events", base.ADMIN,
        "See the events of a server action.",
        ("GET", "/servers/{server_id}/os-instance-actions/{request_id}")),
    base.rule(
        "os_compute_api:os-instance-actions:list",
        base.PROJECT_READER_OR_ADMIN,
        "See the actions taken on a server.",
        ("GET", "/servers/{server_id}/os-instance-actions")),
    base.rule(
        "os_compute_api:os-instance-actions:show",
        base.PROJECT_READER_OR_ADMIN,
        "See one action taken on a server.",
        ("GET", "/servers/{server_id}/os-instance-actions/{request_id}")),
    base.rule(
        "os_compute_api:servers:migrations:show", base.ADMIN,
        "See one in-progress migration of a server.",
        ("GET", "/servers/{server_id}/migrations/{migration_id}")),
    base.rule(
        "os_compute_api:servers:migrations:force_complete",
        base.PROJECT_MANAGER_OR_ADMIN,
        "Force a live migration to complete.",
        ("POST", "/servers/{server_id}/migrations/{migration_id}/action "
                 "(force_complete)")),
    base.rule(
        "os_compute_api:servers:migrations:delete",
        base.PROJECT_MANAGER_OR_ADMIN,
        "Abort a live migration.",
        ("DELETE", "/servers/{server_id}/migrations/{migration_id}")),
    base.rule(
        "os_compute_api:servers:migrations:index",
        base.PROJECT_MANAGER_OR_ADMIN,
        "See a server's in-progress migrations.",
        ("GET", "/servers/{server_id}/migrations")),
    base.rule(
        "os_compute_api:servers:migrations:index:host", base.ADMIN,
        "See the host fields of a server's migrations.",
        ("GET", "/servers/{server_id}/migrations")),
    base.rule(
        "os_compute_api:os-server-diagnostics", base.ADMIN,
        "See a server's hypervisor diagnostics.",
        ("GET", "/servers/{server_id}/diagnostics")),
]

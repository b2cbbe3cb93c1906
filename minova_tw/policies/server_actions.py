"""Rules of the server actions that nova files under their own extensions
(lock, pause, shelve, migrate, rescue, ...); the core ones (reboot, stop,
resize, ...) are in ``servers``."""

from minova_tw.policies import base

rules = [
    base.rule(
        "os_compute_api:os-admin-actions:reset_state", base.ADMIN,
        "Set a server's state by hand (active or error).",
        ("POST", "/servers/{server_id}/action (os-resetState)")),
    base.rule(
        "os_compute_api:os-admin-actions:inject_network_info", base.ADMIN,
        "Push a server's network information to it again.",
        ("POST", "/servers/{server_id}/action (injectNetworkInfo)")),
    base.rule(
        "os_compute_api:os-admin-password", base.PROJECT_MEMBER_OR_ADMIN,
        "Set a server's administrator password.",
        ("POST", "/servers/{server_id}/action (changePassword)")),
    base.rule(
        "os_compute_api:os-console-output", base.PROJECT_MEMBER_OR_ADMIN,
        "Read a server's console log.",
        ("POST", "/servers/{server_id}/action (os-getConsoleOutput)")),
    base.rule(
        "os_compute_api:os-create-backup", base.PROJECT_MEMBER_OR_ADMIN,
        "Snapshot a server as a rotating backup image.",
        ("POST", "/servers/{server_id}/action (createBackup)")),
    base.rule(
        "os_compute_api:os-deferred-delete:restore",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Bring back a server deleted softly, before it is reclaimed.",
        ("POST", "/servers/{server_id}/action (restore)")),
    base.rule(
        "os_compute_api:os-deferred-delete:force",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Delete a softly deleted server now.",
        ("POST", "/servers/{server_id}/action (forceDelete)")),
    base.rule(
        "os_compute_api:os-evacuate", base.ADMIN,
        "Rebuild a server of a failed host on another host.",
        ("POST", "/servers/{server_id}/action (evacuate)")),
    base.rule(
        "os_compute_api:os-lock-server:lock", base.PROJECT_MEMBER_OR_ADMIN,
        "Lock a server against changes by non-administrators.",
        ("POST", "/servers/{server_id}/action (lock)")),
    base.rule(
        "os_compute_api:os-lock-server:unlock", base.PROJECT_MEMBER_OR_ADMIN,
        "Unlock a server.",
        ("POST", "/servers/{server_id}/action (unlock)")),
    base.rule(
        "os_compute_api:os-lock-server:unlock:unlock_override", base.ADMIN,
        "Unlock a server that someone else locked.",
        ("POST", "/servers/{server_id}/action (unlock)")),
    base.rule(
        "os_compute_api:os-migrate-server:migrate",
        base.PROJECT_MANAGER_OR_ADMIN,
        "Cold migrate a server, the scheduler picking the host.",
        ("POST", "/servers/{server_id}/action (migrate)")),
    base.rule(
        "os_compute_api:os-migrate-server:migrate:host", base.ADMIN,
        "Cold migrate a server to a named host.",
        ("POST", "/servers/{server_id}/action (migrate)")),
    base.rule(
        "os_compute_api:os-migrate-server:migrate_live",
        base.PROJECT_MANAGER_OR_ADMIN,
        "Live migrate a server, the scheduler picking the host.",
        ("POST", "/servers/{server_id}/action (os-migrateLive)")),
    base.rule(
        "os_compute_api:os-migrate-server:migrate_live:host", base.ADMIN,
        "Live migrate a server to a named host.",
        ("POST", "/servers/{server_id}/action (os-migrateLive)")),
    base.rule(
        "os_compute_api:os-multinic:add", base.PROJECT_MEMBER_OR_ADMIN,
        "Add a fixed IP to a server.",
        ("POST", "/servers/{server_id}/action (addFixedIp)")),
    base.rule(
        "os_compute_api:os-multinic:remove", base.PROJECT_MEMBER_OR_ADMIN,
        "Remove a fixed IP from a server.",
        ("POST", "/servers/{server_id}/action (removeFixedIp)")),
    base.rule(
        "os_compute_api:os-pause-server:pause", base.PROJECT_MEMBER_OR_ADMIN,
        "Pause a server.",
        ("POST", "/servers/{server_id}/action (pause)")),
    base.rule(
        "os_compute_api:os-pause-server:unpause", base.PROJECT_MEMBER_OR_ADMIN,
        "Unpause a server.",
        ("POST", "/servers/{server_id}/action (unpause)")),
    base.rule(
        "os_compute_api:os-remote-consoles", base.PROJECT_MEMBER_OR_ADMIN,
        "Get a remote console (VNC, SPICE, serial) URL for a server.",
        ("POST", "/servers/{server_id}/action (os-getSerialConsole)"),
        ("POST", "/servers/{server_id}/action (os-getSPICEConsole)"),
        ("POST", "/servers/{server_id}/action (os-getVNCConsole)"),
        ("POST", "/servers/{server_id}/remote-consoles")),
    base.rule(
        "os_compute_api:os-rescue", base.PROJECT_MEMBER_OR_ADMIN,
        "Boot a server into rescue mode.",
        ("POST", "/servers/{server_id}/action (rescue)")),
    base.rule(
        "os_compute_api:os-unrescue", base.PROJECT_MEMBER_OR_ADMIN,
        "Take a server out of rescue mode.",
        ("POST", "/servers/{server_id}/action (unrescue)")),
    base.rule(
        "os_compute_api:os-shelve:shelve", base.PROJECT_MEMBER_OR_ADMIN,
        "Shelve a server.",
        ("POST", "/servers/{server_id}/action (shelve)")),
    base.rule(
        "os_compute_api:os-shelve:unshelve", base.PROJECT_MEMBER_OR_ADMIN,
        "Unshelve a server.",
        ("POST", "/servers/{server_id}/action (unshelve)")),
    base.rule(
        "os_compute_api:os-shelve:unshelve_to_host", base.ADMIN,
        "Unshelve a server onto a named host (2.91 and later).",
        ("POST", "/servers/{server_id}/action (unshelve)")),
    base.rule(
        "os_compute_api:os-shelve:shelve_offload", base.ADMIN,
        "Free the host resources of a shelved server.",
        ("POST", "/servers/{server_id}/action (shelveOffload)")),
    base.rule(
        "os_compute_api:os-suspend-server:resume",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Resume a suspended server.",
        ("POST", "/servers/{server_id}/action (resume)")),
    base.rule(
        "os_compute_api:os-suspend-server:suspend",
        base.PROJECT_MEMBER_OR_ADMIN,
        "Suspend a server.",
        ("POST", "/servers/{server_id}/action (suspend)")),
]

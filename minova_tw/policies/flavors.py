"""Rules of flavors: managing them, who may use a private one, extra specs."""

from minova_tw.policies import base

EXTRA_SPEC = "/flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}"

rules = [
    base.rule(
        "os_compute_api:os-flavor-manage:create", base.ADMIN,
        "Make a flavor.",
        ("POST", "/flavors")),
    base.rule(
        "os_compute_api:os-flavor-manage:update", base.ADMIN,
        "Change a flavor's description.",
        ("PUT", "/flavors/{flavor_id}")),
    base.rule(
        "os_compute_api:os-flavor-manage:delete", base.ADMIN,
        "Remove a flavor.",
        ("DELETE", "/flavors/{flavor_id}")),
    base.rule(
        "os_compute_api:os-flavor-access:add_tenant_access", base.ADMIN,
        "Let a project use a private flavor.",
        ("POST", "/flavors/{flavor_id}/action (addTenantAccess)")),
    base.rule(
        "os_compute_api:os-flavor-access:remove_tenant_access", base.ADMIN,
        "Stop a project using a private flavor.",
        ("POST", "/flavors/{flavor_id}/action (removeTenantAccess)")),
    base.rule(
        "os_compute_api:os-flavor-access", base.ADMIN,
        "See which projects may use a private flavor.",
        ("GET", "/flavors/{flavor_id}/os-flavor-access")),
    base.rule(
        "os_compute_api:os-flavor-extra-specs:show",
        base.PROJECT_READER_OR_ADMIN,
        "See one extra spec of a flavor.",
        ("GET", EXTRA_SPEC)),
    base.rule(
        "os_compute_api:os-flavor-extra-specs:create", base.ADMIN,
        "Add extra specs to a flavor.",
        ("POST", "/flavors/{flavor_id}/os-extra_specs/")),
    base.rule(
        "os_compute_api:os-flavor-extra-specs:update", base.ADMIN,
        "Change one extra spec of a flavor.",
        ("PUT", EXTRA_SPEC)),
    base.rule(
        "os_compute_api:os-flavor-extra-specs:delete", base.ADMIN,
        "Remove one extra spec of a flavor.",
        ("DELETE", EXTRA_SPEC)),
    base.rule(
        "os_compute_api:os-flavor-extra-specs:index",
        base.PROJECT_READER_OR_ADMIN,
        "See a flavor's extra specs, on their own and in flavor documents "
        "(2.61 and later).",
        ("GET", "/flavors/{flavor_id}/os-extra_specs/"),
        ("POST", "/flavors"),
        ("GET", "/flavors/detail"),
        ("GET", "/flavors/{flavor_id}"),
        ("PUT", "/flavors/{flavor_id}")),
]

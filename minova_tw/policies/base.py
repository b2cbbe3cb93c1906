"""The personas every compute rule's default is built from, and ``rule``.

nova's defaults name no role directly: they point at one of a few base
rules (an administrator; a reader, member or manager of the resource's
project; another service), so an operator who redefines a persona in
policy.yaml redefines it for every rule that uses it. The check strings
and names are nova's, so policy files written for nova apply here.
nova's two deprecated base rules (``admin_or_owner``, ``admin_api``) are
left out: their ``is_admin:True`` check reads a credential oslo.context
has deprecated, and no default uses them.
"""

from oslo_policy import policy

ADMIN = "rule:context_is_admin"
PROJECT_MANAGER_OR_ADMIN = "rule:project_manager_or_admin"
PROJECT_MEMBER_OR_ADMIN = "rule:project_member_or_admin"
PROJECT_READER_OR_ADMIN = "rule:project_reader_or_admin"
SERVICE_OR_ADMIN = "rule:service_or_admin"
ANYONE = "@"
NOBODY = "!"


def rule(name, check_str, description, *operations):
    """A documented compute API rule: project-scoped, as all of nova's
    are, for ``operations`` given as ``(method, path)`` pairs."""
    return policy.DocumentedRuleDefault(
        name=name, check_str=check_str, description=description,
        operations=[{"method": method, "path": path}
                    for method, path in operations],
        scope_types=["project"])


rules = [
    policy.RuleDefault(
        "context_is_admin", "role:admin",
        "Who is an administrator: the base of every admin-only default and "
        "of the request's is_admin flag."),
    policy.RuleDefault(
        "project_manager_api", "role:manager and project_id:%(project_id)s",
        "A manager of the resource's project."),
    policy.RuleDefault(
        "project_member_api", "role:member and project_id:%(project_id)s",
        "A member of the resource's project."),
    policy.RuleDefault(
        "project_reader_api", "role:reader and project_id:%(project_id)s",
        "A reader of the resource's project."),
    policy.RuleDefault(
        "service_api", "role:service",
        "Another OpenStack service, calling with the service role."),
    policy.RuleDefault(
        "project_manager_or_admin",
        "rule:project_manager_api or rule:context_is_admin",
        "A manager of the resource's project, or an administrator."),
    policy.RuleDefault(
        "project_member_or_admin",
        "rule:project_member_api or rule:context_is_admin",
        "A member of the resource's project, or an administrator."),
    policy.RuleDefault(
        "project_reader_or_admin",
        "rule:project_reader_api or rule:context_is_admin",
        "A reader of the resource's project, or an administrator."),
    policy.RuleDefault(
        "service_or_admin", "rule:service_api or rule:context_is_admin",
        "Another OpenStack service, or an administrator."),
]

"""The security groups a server is in: list, addSecurityGroup, removeSecurityGroup.

A server's groups are the names in ``instances.security_groups``: given at
create (``default`` unless the request names others, by name or id, as
nova looks them up in neutron: ``security_groups.requested_names``) and
changed here. Changes take the server's row lock, so of two workers adding
one group to one server exactly one adds it and the other gets the 400
that neutron's duplicate gives nova. Like nova they look the group up in
the caller's project, check neither the server's state nor its lock, and
refuse a server without a port, which has nowhere to put a group (404).
"""

from minova_tw.compute import base, exception, security_groups, servers

#: nova's policy rules of a server's security groups.
RULE = "os_compute_api:os-security-groups:%s"


def _group(session, context, name):
    """The caller's project's group ``name`` (a name or an id)."""
    group = security_groups.find(session, context.project_id, name)
    if group is None:
        raise exception.SecurityGroupNotFound(
            "Security group %s is not found for project %s"
            % (name, context.project_id))
    return group


def _check_ports(instance):
    """nova's 404 when the server has no port to put a group on."""
    if not instance.fixed_ips:
        raise exception.SecurityGroupNotFound(
            "instance_id %s could not be found as device id on any ports"
            % instance.uuid)


class ServerSecurityGroupAPI(base.Service):

    @base.reader
    def list_for_server(self, session, now, context, server_id):
        """The server's groups, by project and name (nova's order)."""
        instance = servers.get_instance(session, now, context, server_id,
                                        rule=RULE % "list")
        groups = {group.name: group for group
                  in security_groups.project_groups(session,
                                                      instance.project_id)}
        return sorted((groups.get(name) or security_groups.unstored_group(
                           instance.project_id, name)
                       for name in instance.security_groups),
                      key=lambda group: (group.project_id, group.name))

    @base.writer
    def add(self, session, now, context, server_id, name):
        """Put the server in the caller's project's group ``name`` (a name
        or an id)."""
        instance = servers.get_instance(session, now, context, server_id,
                                        for_update=True, rule=RULE % "add")
        group = _group(session, context, name)
        _check_ports(instance)
        if group.name in instance.security_groups:
            raise exception.SecurityGroupCannotBeApplied(
                "Invalid input for security_groups. Reason: Duplicate items "
                "in the list: '%s'." % group.id)
        instance.security_groups = [*instance.security_groups, group.name]

    @base.writer
    def remove(self, session, now, context, server_id, name):
        """Take the server out of the caller's project's group ``name``."""
        instance = servers.get_instance(session, now, context, server_id,
                                        for_update=True,
                                        rule=RULE % "remove")
        group = _group(session, context, name)
        _check_ports(instance)
        if group.name not in instance.security_groups:
            raise exception.SecurityGroupNotFound(
                "Security group %s not associated with the instance %s"
                % (name, instance.uuid))
        instance.security_groups = [group_name for group_name
                                    in instance.security_groups
                                    if group_name != group.name]

"""Security groups: the ones a project has, as neutron would list them.

minova has no neutron. A project's groups are ``default``, which every
project has without a stored row (its id derives from the project, so
every process shows the same one), and the rows of ``security_groups`` it
made through the network stand-in (``openstack security group create``).
Groups have no rules: minova filters no traffic, so a group is a label a
server carries, shown as nova shows neutron's.

A name is used once per project (the unique (project_id, name) holds
across workers; neutron allows duplicates, so nova's 409 for an ambiguous
name never happens here). Which groups a server is in:
``server_security_groups``.
"""

import collections
import uuid

import sqlalchemy as sa

from minova_tw.compute import base, exception
from minova_tw.db import models

SG = models.SecurityGroup
DEFAULT = "default"
#: neutron's description of a project's default group.
DEFAULT_DESCRIPTION = "Default security group"
#: What the API and the network stand-in show of a group.
Group = collections.namedtuple("Group",
                               "id project_id name description created_at")


def unstored_group(project_id, name):
    """The group ``name`` of ``project_id`` that has no row (``default``;
    or a name a server was given before groups were stored): the same id
    everywhere."""
    group_id = str(uuid.uuid5(uuid.NAMESPACE_URL,
                              "minova:security-group:%s:%s"
                              % (project_id, name)))
    return Group(group_id, project_id, name,
                 DEFAULT_DESCRIPTION if name == DEFAULT else "", None)


def _group(row):
    return Group(row.uuid, row.project_id, row.name, row.description,
                 row.created_at)


def project_groups(session, project_id):
    """``project_id``'s groups, ``default`` first, then by name."""
    rows = session.scalars(sa.select(SG).where(SG.project_id == project_id)
                           .order_by(SG.name))
    return [unstored_group(project_id, DEFAULT)] + [_group(row)
                                                   for row in rows]


def _match(groups, name_or_id):
    """The group of ``groups`` with that id, else that name, else None."""
    for key in ("id", "name"):
        for group in groups:
            if getattr(group, key) == name_or_id:
                return group
    return None


def find(session, project_id, name_or_id):
    """``project_id``'s group with that id, else that name, else None."""
    return _match(project_groups(session, project_id), name_or_id)


def requested_names(session, project_id, names_or_ids):
    """The names of the groups a server create asks for (``default`` if
    none), each once; SecurityGroupNotFound for one the project lacks.
    Like nova, ``default`` is not looked up: a plain boot reads nothing."""
    wanted = list(dict.fromkeys(names_or_ids or [DEFAULT]))
    if wanted == [DEFAULT]:
        return wanted
    groups = project_groups(session, project_id)
    names = []
    for name_or_id in wanted:
        group = _match(groups, name_or_id)
        if group is None:
            raise exception.SecurityGroupNotFound(
                "Unable to find security_group with name or id '%s'"
                % name_or_id)
        names.append(group.name)
    return list(dict.fromkeys(names))


class SecurityGroupAPI(base.Service):
    """A project's groups, for the network stand-in: no user, only the
    token's project."""

    @base.reader
    def list_project(self, session, now, project_id):
        return project_groups(session, project_id)

    @base.reader
    def get_project(self, session, now, project_id, group_id):
        """``project_id``'s group of id ``group_id``, or None."""
        for group in project_groups(session, project_id):
            if group.id == group_id:
                return group
        return None

    @base.writer
    def create(self, session, now, project_id, name, description=""):
        """Make ``project_id``'s group ``name`` (SecurityGroupExists if the
        project has one of that name, ``default`` included)."""
        if name == DEFAULT or session.scalar(sa.select(SG.id).where(
                SG.project_id == project_id, SG.name == name)):
            raise exception.SecurityGroupExists(security_group_name=name,
                                                project_id=project_id)
        row = SG(uuid=str(uuid.uuid4()), project_id=project_id, name=name,
                 description=description or "", created_at=now)
        session.add(row)
        session.flush()
        return _group(row)

"""Flavors: who sees which, listing with nova's filters and paging, admin changes.

A non-admin sees public, enabled flavors and the private ones shared with
their project; an admin chooses with ``is_public`` (True, False, or None for
all). Deleting a flavor removes its row: servers keep their own copy.

Listing is on the hot path and the table is small and rarely written, so
each process keeps the whole table (``db.generations``: every write here
bumps the flavors generation) and filters, sorts and pages it in Python;
``FlavorAPI.views`` keeps what the API makes of it the same way.
"""

import operator
import uuid

import sqlalchemy as sa

from minova_tw.compute import base, exception
from minova_tw.db import generations, models

F = models.Flavor

#: API sort key -> the flavor's value, never None (as ``db.paging`` wants).
SORT_KEYS = {
    "created_at": operator.attrgetter("created_at"),
    "description": lambda f: f.description or "",
    "disabled": operator.attrgetter("disabled"),
    "ephemeral_gb": operator.attrgetter("ephemeral_gb"),
    "flavorid": operator.attrgetter("flavorid"),
    "id": operator.attrgetter("id"),
    "is_public": operator.attrgetter("is_public"),
    "memory_mb": operator.attrgetter("memory_mb"),
    "name": operator.attrgetter("name"),
    "root_gb": operator.attrgetter("root_gb"),
    "rxtx_factor": operator.attrgetter("rxtx_factor"),
    "swap": operator.attrgetter("swap"),
    "updated_at": lambda f: f.updated_at or base.EPOCH,
    "vcpus": operator.attrgetter("vcpus"),
}


def _is_visible(flavor, context, is_public=True):
    """``_visible`` for a flavor in hand."""
    if context.is_admin:
        if is_public is None:
            return True
        visible = flavor.is_public == is_public
    else:
        visible = flavor.is_public and not flavor.disabled
    if not visible and is_public and context.project_id is not None:
        visible = any(p.project_id == context.project_id
                      for p in flavor.projects)
    return visible


def _visible(context, is_public=True):
    """The WHERE clause of the flavors ``context`` may see."""
    if context.is_admin:
        if is_public is None:
            return sa.true()
        clause = F.is_public == is_public
    else:
        clause = sa.and_(F.is_public == sa.true(), F.disabled == sa.false())
    if is_public and context.project_id is not None:
        clause = sa.or_(clause, F.projects.any(
            models.FlavorProject.project_id == context.project_id))
    return clause


def get_flavor(session, context, flavorid, for_update=False):
    """The flavor ``flavorid`` as ``context`` sees it, or FlavorNotFound;
    row-locked with ``for_update``, so a writer that changes it finds it
    gone if someone deleted it meanwhile."""
    clause = sa.true() if context.is_admin else _visible(context)
    stmt = sa.select(F).where(F.flavorid == flavorid, clause)
    if for_update:
        stmt = stmt.with_for_update(of=F)
    flavor = session.scalars(stmt).first()
    if flavor is None:
        raise exception.FlavorNotFound(flavor_id=flavorid)
    return flavor


def flavor_copy(flavor):
    """What a server keeps of its flavor (``Instance.flavor``)."""
    return {
        "flavorid": flavor.flavorid, "name": flavor.name,
        "memory_mb": flavor.memory_mb, "vcpus": flavor.vcpus,
        "root_gb": flavor.root_gb, "ephemeral_gb": flavor.ephemeral_gb,
        "swap": flavor.swap, "rxtx_factor": flavor.rxtx_factor,
        "description": flavor.description,
        "extra_specs": flavor.extra_specs_dict,
    }


class FlavorAPI(base.Service):

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cache = generations.Cache(self.db, generations.FLAVORS)
        #: Values made from the flavors alone (the API's serialized
        #: listings), kept while no flavor is written.
        self.views = generations.Cache(self.db, generations.FLAVORS)

    def _all(self):
        """Every flavor, by id: this process's copy while it is current."""
        return self._cache.get(None, lambda: self.db.run(
            lambda session: session.scalars(
                sa.select(F).order_by(F.id)).all(), write=False))

    def list(self, context, is_public=True, min_ram=None, min_disk=None,
             name=None, sort_key="flavorid", sort_dir="asc", limit=None,
             marker=None):
        """Flavors ``context`` may see, filtered, sorted and paged.

        ``is_public`` only applies to admins (non-admins always get public
        flavors plus their project's); ``marker`` is a flavorid; ``name``
        a regular expression searched in the name (2.102).
        """
        name_filter = None if name is None else base.compile_filter(name)
        if sort_key not in SORT_KEYS:
            raise exception.InvalidSortKey(key=sort_key)
        reverse = base.check_sort_dir(sort_dir) == "desc"
        visible = [f for f in self._all()
                   if _is_visible(f, context, is_public)]
        key = SORT_KEYS[sort_key]
        visible.sort(key=lambda f: (key(f), f.id), reverse=reverse)
        if marker is not None:
            for index, flavor in enumerate(visible):
                if flavor.flavorid == marker:
                    break
            else:
                raise exception.MarkerNotFound(marker=marker)
            visible = visible[index + 1:]
        found = [f for f in visible
                 if (min_ram is None or f.memory_mb >= min_ram)
                 and (min_disk is None or f.root_gb >= min_disk)
                 and (name_filter is None or name_filter.search(f.name))]
        max_limit = self.conf.api.max_limit
        return found[:max_limit if limit is None else min(limit, max_limit)]

    @base.reader
    def get(self, session, now, context, flavorid):
        return get_flavor(session, context, flavorid)

    @base.writer
    def create(self, session, now, context, name, memory_mb, vcpus, root_gb,
               flavorid=None, ephemeral_gb=0, swap=0, rxtx_factor=1.0,
               is_public=True, description=None):
        """A new flavor; ``flavorid`` None or "auto" picks a UUID."""
        base.require_admin(context, "os_compute_api:os-flavor-manage:create")
        if flavorid in (None, "auto"):
            flavorid = str(uuid.uuid4())
        if session.scalar(sa.select(F.id).where(F.flavorid == flavorid)):
            raise exception.FlavorIdExists(flavor_id=flavorid)
        if session.scalar(sa.select(F.id).where(F.name == name)):
            raise exception.FlavorExists(name=name)
        # A new flavor's collections start empty here: left unset, they
        # would be loaded lazily when the view reads them (2.61 shows
        # extra_specs), after the session is gone.
        flavor = F(flavorid=flavorid, name=name, memory_mb=memory_mb,
                   vcpus=vcpus, root_gb=root_gb, ephemeral_gb=ephemeral_gb,
                   swap=swap, rxtx_factor=rxtx_factor, is_public=is_public,
                   disabled=False, description=description, created_at=now,
                   extra_specs=[], projects=[])
        generations.bump(session, generations.FLAVORS)
        session.add(flavor)
        if not is_public and context.project_id is not None:
            # nova gives the creating project access to its private flavor.
            flavor.projects.append(
                models.FlavorProject(project_id=context.project_id))
        session.flush()
        return flavor

    @base.writer
    def update(self, session, now, context, flavorid, description):
        """Change a flavor's description (the only mutable field, 2.55)."""
        base.require_admin(context, "os_compute_api:os-flavor-manage:update")
        flavor = get_flavor(session, context, flavorid, for_update=True)
        generations.bump(session, generations.FLAVORS)
        flavor.description = description
        flavor.updated_at = now
        return flavor

    @base.writer
    def delete(self, session, now, context, flavorid):
        base.require_admin(context, "os_compute_api:os-flavor-manage:delete")
        # One statement that says whether it deleted: of concurrent deletes
        # one wins and the others find the flavor gone. Its extra specs
        # and access rows go with it (ON DELETE CASCADE).
        if not session.execute(sa.delete(F).where(
                F.flavorid == flavorid)).rowcount:
            raise exception.FlavorNotFound(flavor_id=flavorid)
        generations.bump(session, generations.FLAVORS)

    # -- extra specs -------------------------------------------------------

    @base.reader
    def get_extra_specs(self, session, now, context, flavorid):
        context.can("os_compute_api:os-flavor-extra-specs:index")
        return get_flavor(session, context, flavorid).extra_specs_dict

    @base.reader
    def get_extra_spec(self, session, now, context, flavorid, key):
        context.can("os_compute_api:os-flavor-extra-specs:show")
        specs = get_flavor(session, context, flavorid).extra_specs_dict
        if key not in specs:
            raise exception.FlavorExtraSpecsNotFound(flavor_id=flavorid,
                                                     key=key)
        return specs[key]

    @base.writer
    def update_extra_specs(self, session, now, context, flavorid, specs,
                           action="update"):
        """Add or overwrite ``specs`` (a dict); return all of them.
        ``action``: the policy's name of the call (``create`` for POST)."""
        context.can("os_compute_api:os-flavor-extra-specs:" + action)
        flavor = get_flavor(session, context, flavorid, for_update=True)
        by_key = {spec.key: spec for spec in flavor.extra_specs}
        for key, value in specs.items():
            if key in by_key:
                by_key[key].value = value
            else:
                flavor.extra_specs.append(
                    models.FlavorExtraSpec(key=key, value=value))
        generations.bump(session, generations.FLAVORS)
        flavor.updated_at = now
        session.flush()
        return flavor.extra_specs_dict

    @base.writer
    def delete_extra_spec(self, session, now, context, flavorid, key):
        base.require_admin(context,
                           "os_compute_api:os-flavor-extra-specs:delete")
        flavor = get_flavor(session, context, flavorid, for_update=True)
        spec = models.FlavorExtraSpec
        if not session.execute(sa.delete(spec).where(
                spec.flavor_id == flavor.id, spec.key == key)).rowcount:
            raise exception.FlavorExtraSpecsNotFound(flavor_id=flavorid,
                                                     key=key)
        generations.bump(session, generations.FLAVORS)
        flavor.updated_at = now

    # -- access (private flavors) -----------------------------------------

    @base.reader
    def list_access(self, session, now, context, flavorid):
        """Project ids a private flavor is shared with; a public flavor has
        no list (it is everyone's)."""
        base.require_admin(context, "os_compute_api:os-flavor-access")
        flavor = get_flavor(session, context, flavorid)
        if flavor.is_public:
            raise exception.FlavorAccessNotAvailable()
        return [p.project_id for p in flavor.projects]

    @base.writer
    def add_access(self, session, now, context, flavorid, project_id,
                   refuse_public=False):
        """Share a flavor with ``project_id``; return all its projects.

        nova's API refuses a public flavor from microversion 2.7
        (``refuse_public``); before, the row is stored and changes nothing.
        """
        base.require_admin(context,
                           "os_compute_api:os-flavor-access:add_tenant_access")
        flavor = get_flavor(session, context, flavorid, for_update=True)
        if refuse_public and flavor.is_public:
            raise exception.FlavorIsPublic()
        if any(p.project_id == project_id for p in flavor.projects):
            raise exception.FlavorAccessExists(flavor_id=flavorid,
                                               project_id=project_id)
        generations.bump(session, generations.FLAVORS)
        flavor.projects.append(models.FlavorProject(project_id=project_id))
        session.flush()
        return [p.project_id for p in flavor.projects]

    @base.writer
    def remove_access(self, session, now, context, flavorid, project_id):
        base.require_admin(
            context, "os_compute_api:os-flavor-access:remove_tenant_access")
        flavor = get_flavor(session, context, flavorid, for_update=True)
        for access in flavor.projects:
            if access.project_id == project_id:
                generations.bump(session, generations.FLAVORS)
                flavor.projects.remove(access)
                session.flush()
                return [p.project_id for p in flavor.projects]
        raise exception.FlavorAccessNotFound(flavor_id=flavorid,
                                             project_id=project_id)

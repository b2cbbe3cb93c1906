"""The identity stand-in: keystone v3's discovery and token issue, for noauth2.

What keystoneauth's ``token`` and ``password`` plugins ask, and no more:

- ``GET /identity`` and ``/identity/v3``: the version documents that point
  the client at v3.
- ``POST /identity/v3/auth/tokens``: a token for the ``token`` or
  ``password`` method. Nothing is checked. The issued token is noauth2's
  ``user:project[:roles]``: the user is the password method's user (name
  or id) or the user of the token the token method presents; the project
  is the requested project scope (id or name), else the token's own
  project, else the user; the roles are the presented token's, else
  noauth2's defaults for the user, and the token document lists the same
  ones. The body carries a catalog in which the
  identity, compute (``/v2.1``), image (``/image``), block-storage
  (``/volume``) and network (``/network``) endpoints are siblings of this
  app's mount, on the same host and port, so the CLI reaches the mini nova
  and the other stand-ins of the same process.
- ``GET /identity/v3/projects/{id}`` and ``GET
  /identity/v3/projects?name=X``: what the CLI asks to resolve a project
  argument (``--project demo``). noauth2 has no list of projects: any
  name is a project whose id is the same string, in the domain
  ``default``.

Everything else is 404; a body that is not a keystone auth request is 400
with keystone's error body.
"""

import datetime

import webob.dec

from minova_tw.api import standins
from minova_tw.api.openstack import auth as noauth

VERSION = {
    "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
    "media-types": [{"base": "application/json",
                     "type": "application/vnd.openstack.identity-v3+json"}],
}
DOMAIN = {"id": "default", "name": "Default"}
#: Where the paste file mounts each service, next to this app's mount.
CATALOG_MOUNTS = (("identity", "keystone", "/identity"),
                  ("compute", "nova", "/v2.1"),
                  ("image", "glance", "/image"),
                  ("block-storage", "cinder", "/volume"),
                  ("network", "neutron", "/network"))
REGION = "RegionOne"
INTERFACES = ("public", "internal", "admin")
#: How long an issued token says it lasts; nothing enforces it.
TOKEN_LIFETIME = datetime.timedelta(days=1)


class BadAuthRequest(Exception):
    """The body is not an auth request this stand-in understands."""


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def _timestamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def _name_or_id(entity, what):
    if not isinstance(entity, dict):
        raise BadAuthRequest("%s must be an object" % what)
    value = entity.get("id") or entity.get("name")
    if not isinstance(value, str) or not value:
        raise BadAuthRequest("%s needs an id or a name" % what)
    return value


def token_owner(auth):
    """``(user, project, roles)`` of a keystone v3 ``auth`` object, as
    noauth2's token will carry them."""
    if not isinstance(auth, dict):
        raise BadAuthRequest("the body needs an 'auth' object")
    identity = auth.get("identity")
    methods = identity.get("methods") if isinstance(identity, dict) else None
    if not isinstance(methods, list) or not methods:
        raise BadAuthRequest("auth.identity.methods must be a non-empty list")
    method = methods[0]
    if method == "password":
        password = identity.get("password")
        user = _name_or_id(password.get("user") if isinstance(
            password, dict) else None, "auth.identity.password.user")
        project, roles = user, noauth.default_roles(user)
    elif method == "token":
        token = identity.get("token")
        user, project, roles = noauth.parse_token(
            _name_or_id(token, "auth.identity.token"))
    else:
        raise BadAuthRequest("auth method %r is not supported by this "
                             "stand-in (token, password)" % method)
    scope = auth.get("scope")
    if isinstance(scope, dict) and "project" in scope:
        project = _name_or_id(scope["project"], "auth.scope.project")
    elif scope not in (None, "unscoped"):
        raise BadAuthRequest("only a project scope is supported")
    return user, project, roles


def project(name_or_id, base):
    """keystone's project document of ``name_or_id`` (id and name both)."""
    return {"id": name_or_id, "name": name_or_id,
            "domain_id": DOMAIN["id"], "description": "", "enabled": True,
            "is_domain": False, "parent_id": DOMAIN["id"], "tags": [],
            "options": {},
            "links": {"self": "%s/v3/projects/%s" % (base, name_or_id)}}


def catalog(parent_url):
    """The service catalog: each service at its mount under ``parent_url``."""
    return [{"type": service_type, "name": name, "id": service_type,
             "endpoints": [{"id": "%s-%s" % (service_type, interface),
                            "interface": interface, "region": REGION,
                            "region_id": REGION,
                            "url": parent_url + mount}
                           for interface in INTERFACES]}
            for service_type, name, mount in CATALOG_MOUNTS]


def token_body(user, project, roles, parent_url, method, now):
    """keystone's token document for ``user`` scoped to ``project``."""
    return {"token": {
        "methods": [method],
        "user": {"id": user, "name": user, "domain": DOMAIN},
        "project": {"id": project, "name": project, "domain": DOMAIN},
        "roles": [{"id": role, "name": role} for role in roles],
        "catalog": catalog(parent_url),
        "issued_at": _timestamp(now),
        "expires_at": _timestamp(now + TOKEN_LIFETIME),
    }}


class IdentityStandIn:
    """The WSGI app mounted at ``/identity``; ``now`` is its clock."""

    def __init__(self, now=_utcnow):
        self.now = now

    @webob.dec.wsgify
    def __call__(self, req):
        path = req.path_info.rstrip("/")
        base = req.application_url
        if path == "" and req.method == "GET":
            return standins.json_response(
                {"versions": {"values": [self._version(base)]}}, status=300)
        if path == "/v3" and req.method == "GET":
            return standins.json_response({"version": self._version(base)})
        if path == "/v3/auth/tokens" and req.method == "POST":
            return self._issue(req, base)
        if req.method == "GET":
            found = self._projects(req, path, base)
            if found is not None:
                return standins.json_response(found)
        return standins.error_response(
            404, "Not Found", "The identity stand-in serves only version "
            "discovery, POST /v3/auth/tokens, GET /v3/projects/{id} and "
            "GET /v3/projects?name=X.")

    @staticmethod
    def _projects(req, path, base):
        """The body of a project lookup, or None if ``path`` is none."""
        prefix = "/v3/projects/"
        if path.startswith(prefix) and "/" not in path[len(prefix):]:
            return {"project": project(path[len(prefix):], base)}
        if path == "/v3/projects" and req.GET.get("name"):
            return {"projects": [project(req.GET["name"], base)],
                    "links": {"self": req.url, "previous": None,
                              "next": None}}
        return None

    @staticmethod
    def _version(base):
        return dict(VERSION, links=[{"rel": "self", "href": base + "/v3/"}])

    def _issue(self, req, base):
        try:
            body = req.json_body
            user, project, roles = token_owner(
                body.get("auth") if isinstance(body, dict) else None)
        except ValueError:
            return standins.error_response(
                400, "Bad Request", "The request body is not JSON.")
        except BadAuthRequest as exc:
            return standins.error_response(400, "Bad Request", str(exc))
        parent_url = base.rsplit("/", 1)[0]
        method = body["auth"]["identity"]["methods"][0]
        return standins.json_response(
            token_body(user, project, roles, parent_url, method, self.now()),
            status=201,
            headers={"X-Subject-Token": noauth.make_token(user, project,
                                                          roles)})


factory = standins.standin_factory(IdentityStandIn)

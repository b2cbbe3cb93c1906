"""noauth2: a test-only authentication that trusts ``user:project`` tokens.

With ``[api] auth_strategy = noauth2`` nothing is checked. A request without
``X-Auth-Token`` gets a 204 that hands out a token (``X-Auth-User`` and
``X-Auth-Project-Id``, both defaulting to ``admin``) and the management URL;
a request with one runs as that user in that project.

The token's roles are what the policy judges. ``user:project`` has the
roles keystone gives a project member (``member``, ``reader``), or for the
user ``admin`` an administrator's (``admin``, ``member``, ``reader``).
``user:project:role,role`` (a minova addition: nova's noauth2 knew no roles)
has the roles it names and those they imply in keystone's default chain
(admin -> member -> reader, manager -> member), as a keystone token would:
``demo:demo:reader`` is read-only, ``demo:demo:member`` also reads.
"""

import functools

import webob

from minova_tw import context, policy
from minova_tw.api import auth
from minova_tw.api import wsgi as base_wsgi
from minova_tw.api.openstack import wsgi

#: The role implications keystone sets up by default (a role -> the roles
#: a token with it also carries).
IMPLIES = {"admin": ("member",), "manager": ("member",),
           "member": ("reader",)}


def with_implied(roles):
    """``roles`` followed by the roles they imply, each once."""
    found = []
    todo = list(roles)
    while todo:
        role = todo.pop(0)
        if role not in found:
            found.append(role)
            todo.extend(IMPLIES.get(role, ()))
    return found


def default_roles(user_id):
    """The roles of a token that names none: an administrator's for the
    user ``admin``, a project member's for anyone else."""
    return with_implied(["admin" if user_id == "admin" else "member"])


def parse_token(token):
    """``(user_id, project_id, roles)`` of ``user[:project[:role,...]]``;
    the project defaults to the user, the roles to ``default_roles``.
    The roles are a new list each time: a context may change its own."""
    user_id, project_id, roles = _parsed(token)
    return user_id, project_id, list(roles)


@functools.lru_cache(maxsize=256)
def _parsed(token):
    """parse_token's answer with the roles as a tuple, remembered for the
    few tokens a process sees (every request parses one)."""
    user_id, _, rest = token.partition(":")
    project_id, _, roles = rest.partition(":")
    roles = with_implied(role for role in roles.split(",") if role)
    return (user_id, project_id or user_id,
            tuple(roles or default_roles(user_id)))


def make_token(user_id, project_id, roles):
    """The token ``parse_token`` reads back as these values; the roles are
    left out when they are the user's default ones."""
    token = "%s:%s" % (user_id, project_id)
    if list(roles) != default_roles(user_id):
        token += ":" + ",".join(roles)
    return token


class NoAuthMiddleware(base_wsgi.Middleware):
    """Turn ``X-Auth-Token: user:project[:roles]`` into the request
    context."""

    def __call__(self, environ, start_response):
        token = environ.get("HTTP_X_AUTH_TOKEN")
        if token is None:
            response = self._hand_out_token(wsgi.Request(environ))
            return response(environ, start_response)
        user_id, project_id, roles = parse_token(token)
        environ[context.ENVIRON_KEY] = context.RequestContext(
            user_id=user_id, project_id=project_id, roles=roles,
            enforcer=policy.enforcer(self.conf),
            remote_address=auth.remote_address(self.conf, environ),
            request_id=environ.get("openstack.request_id"),
            global_request_id=environ.get("openstack.global_request_id"))
        return self.application(environ, start_response)

    @staticmethod
    def _hand_out_token(req):
        user_id = req.headers.get("X-Auth-User", "admin")
        project_id = req.headers.get("X-Auth-Project-Id", "admin")
        # content type before status: webob leaves a 204 built with its
        # status in the constructor without one.
        response = webob.Response(content_type="text/plain")
        response.status = 204
        response.headers["X-Auth-Token"] = "%s:%s" % (user_id, project_id)
        response.headers["X-Server-Management-Url"] = "/".join(
            [req.url.rstrip("/"), project_id])
        return response

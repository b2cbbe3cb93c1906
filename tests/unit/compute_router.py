"""Requests to the compute router in-process, as an admin or as a project member.

``call_as(router, method, path, body=None, admin=False, version="2.1")``
sends one request with noauth2's context already in the environ (user
``admin`` of ``admin-project``, or ``user`` of ``project-a``) and answers
the webob response.
"""

import webob

from minova_tw import context

ADMIN_PROJECT = "admin-project"
PROJECT = "project-a"


def context_for(user, project, admin=False, **kwargs):
    """A context with the roles keystone gives an administrator, else a
    project member (member, reader): nova's default policy judges it."""
    return context.RequestContext(
        user_id=user, project_id=project,
        roles=["admin", "member", "reader"] if admin
        else ["member", "reader"], **kwargs)


def call_as(router, method, path, body=None, admin=False, version="2.1",
            project=None, request_id=None):
    """One request to ``router`` as the admin of ``admin-project`` or the
    user of ``project`` (default ``project-a``); the webob response."""
    req = webob.Request.blank(path, method=method, headers={
        "OpenStack-API-Version": "compute %s" % version})
    if body is not None:
        req.json = body
    req.environ[context.ENVIRON_KEY] = context_for(
        "admin" if admin else "user",
        project or (ADMIN_PROJECT if admin else PROJECT), admin,
        **({"request_id": request_id} if request_id else {}))
    return req.get_response(router)

"""Requests to the compute router in-process, as an admin or as a project member.

``call_as(router, method, path, body=None, admin=False, version="2.1",
project=None, request_id=None, user=None)`` sends one request with
noauth2's context already in the environ (by default user ``admin`` of
``admin-project``, or ``user`` of ``project-a``) and answers the webob
response; ``context_for`` builds such a context with ``roles``, what
keystone gives an administrator or a project member.
"""

import webob

from minova_tw import context

ADMIN_PROJECT = "admin-project"
PROJECT = "project-a"


def roles(admin=False):
    """The roles keystone gives an administrator, else a project member."""
    return ["admin", "member", "reader"] if admin else ["member", "reader"]


def context_for(user, project, admin=False, **kwargs):
    """A context with ``roles(admin)``: nova's default policy judges it."""
    return context.RequestContext(user_id=user, project_id=project,
                                  roles=roles(admin), **kwargs)


def call_as(router, method, path, body=None, admin=False, version="2.1",
            project=None, request_id=None, user=None):
    """One request to ``router`` as ``user`` of ``project`` (defaults: the
    admin of ``admin-project``, or ``user`` of ``project-a``); the webob
    response."""
    req = webob.Request.blank(path, method=method, headers={
        "OpenStack-API-Version": "compute %s" % version})
    if body is not None:
        req.json = body
    req.environ[context.ENVIRON_KEY] = context_for(
        user or ("admin" if admin else "user"),
        project or (ADMIN_PROJECT if admin else PROJECT), admin,
        **({"request_id": request_id} if request_id else {}))
    return req.get_response(router)


def fault(res, code, message):
    """Assert that ``res`` is nova's fault of status ``code`` saying
    ``message``."""
    assert res.status_int == code, res.text
    assert list(res.json.values())[0]["message"] == message

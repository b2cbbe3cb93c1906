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


def call_as(router, method, path, body=None, admin=False, version="2.1"):
    req = webob.Request.blank(path, method=method, headers={
        "OpenStack-API-Version": "compute %s" % version})
    if body is not None:
        req.json = body
    req.environ[context.ENVIRON_KEY] = context.RequestContext(
        user_id="admin" if admin else "user",
        project_id=ADMIN_PROJECT if admin else PROJECT, is_admin=admin)
    return req.get_response(router)

"""noauth2: a test-only authentication that trusts ``user:project`` tokens.

With ``[api] auth_strategy = noauth2`` nothing is checked. A request without
``X-Auth-Token`` gets a 204 that hands out a token (``X-Auth-User`` and
``X-Auth-Project-Id``, both defaulting to ``admin``) and the management URL;
a request with one runs as that user in that project, admin only for the
user ``admin``.
"""

import webob

from minova_tw import context
from minova_tw.api import auth
from minova_tw.api import wsgi as base_wsgi
from minova_tw.api.openstack import wsgi


class NoAuthMiddleware(base_wsgi.Middleware):
    """Turn ``X-Auth-Token: user:project`` into the request context."""

    def __call__(self, environ, start_response):
        token = environ.get("HTTP_X_AUTH_TOKEN")
        if token is None:
            response = self._hand_out_token(wsgi.Request(environ))
            return response(environ, start_response)
        user_id, _, project_id = token.partition(":")
        project_id = project_id or user_id
        environ[context.ENVIRON_KEY] = context.RequestContext(
            user_id=user_id, project_id=project_id,
            is_admin=user_id == "admin",
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

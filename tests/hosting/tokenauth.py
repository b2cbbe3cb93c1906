"""A paste filter that stands in for keystonemiddleware's ``authtoken``.

nova 34 has no ``noauth2`` any more: its ``keystone`` pipeline expects
``authtoken`` to have turned ``X-Auth-Token`` into identity headers before
``keystonecontext`` builds the request context. The hosting tests that run
nova without a keystone put this filter where ``authtoken`` stands; it sets
the same headers keystonemiddleware sets for a valid token, from a fixed
table, and answers 401 for any other token, as ``authtoken`` does.

It runs inside the hosted nova (the hosting venv imports ``tests`` through
minova's editable install), never in the pytest process.
"""

import json

#: token -> (user id, project id, roles). Two kinds of caller are enough:
#: an admin (flavor create) and a member of another project.
TOKENS = {
    "admin-token": ("admin-user", "admin-project", "admin,member,reader"),
    "member-token": ("demo-user", "demo-project", "member,reader"),
}

#: What keystonemiddleware removes from every request before it decides,
#: so a caller cannot claim an identity by sending the headers itself.
IDENTITY_HEADERS = ("X-Identity-Status", "X-User-Id", "X-User-Name",
                    "X-Project-Id", "X-Project-Name", "X-Roles",
                    "X-Tenant-Id", "X-Tenant-Name", "X-User", "X-Tenant")


def filter_factory(global_conf, **local_conf):
    def wrap(app):
        def tokenauth(environ, start_response):
            for header in IDENTITY_HEADERS:
                environ.pop("HTTP_" + header.upper().replace("-", "_"), None)
            found = TOKENS.get(environ.get("HTTP_X_AUTH_TOKEN"))
            if found is None:
                body = json.dumps({"error": {
                    "code": 401, "title": "Unauthorized",
                    "message": "The request you have made requires "
                               "authentication."}}).encode()
                start_response("401 Unauthorized", [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body)))])
                return [body]
            user, project, roles = found
            environ.update({"HTTP_X_IDENTITY_STATUS": "Confirmed",
                            "HTTP_X_USER_ID": user,
                            "HTTP_X_PROJECT_ID": project,
                            "HTTP_X_ROLES": roles})
            return app(environ, start_response)
        return tokenauth
    return wrap

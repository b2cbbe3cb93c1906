"""The request context: who is calling, from where, under which request id.

Auth middleware (noauth2 or keystonecontext) builds one per request and
stores it in ``environ['nova.context']``; controllers hand it to the compute
layer, which checks ownership and admin rights against it. It subclasses
oslo.context's RequestContext so that oslo.log finds the request id on the
thread and writes it on every log line of the request. Plain Python: no
Twisted, no database.
"""

import copy

from oslo_context import context

#: Where auth middleware leaves the context in the WSGI environ (nova's key).
ENVIRON_KEY = "nova.context"


class RequestContext(context.RequestContext):
    """oslo.context's context plus what nova adds: the client address and
    the service catalog keystone handed over."""

    def __init__(self, user_id=None, project_id=None, is_admin=None,
                 roles=None, remote_address=None, service_catalog=None,
                 **kwargs):
        super().__init__(user_id=user_id, project_id=project_id,
                         is_admin=is_admin, roles=roles, **kwargs)
        self.remote_address = remote_address
        self.service_catalog = service_catalog or []
        if self.is_admin is None:
            self.is_admin = "admin" in (role.lower() for role in self.roles)

    def to_dict(self):
        values = super().to_dict()
        values.update(remote_address=self.remote_address,
                      service_catalog=self.service_catalog)
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault("remote_address", values.get("remote_address"))
        kwargs.setdefault("service_catalog", values.get("service_catalog"))
        return super().from_dict(values, **kwargs)

    def elevated(self):
        """A copy with admin rights, for work the service does on a user's
        behalf that the user may not do directly."""
        ctx = copy.copy(self)
        ctx.roles = list(self.roles)
        if "admin" not in ctx.roles:
            ctx.roles.append("admin")
        ctx.is_admin = True
        return ctx

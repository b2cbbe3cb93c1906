"""The request context: who is calling, from where, under which request id.

Auth middleware (noauth2 or keystonecontext) builds one per request and
stores it in ``environ['nova.context']``; controllers hand it to the compute
layer. ``can`` asks the policy (minova_tw.policy) whether the caller may do
an action, with the enforcer of the process's configuration that the
middleware hands over; ``is_admin`` is the ``context_is_admin`` rule's
answer unless the caller says otherwise. It subclasses
oslo.context's RequestContext so that oslo.log finds the request id on the
thread and writes it on every log line of the request. Plain Python: no
Twisted, no database.
"""

import copy

from oslo_context import context

from minova_tw import policy

#: Where auth middleware leaves the context in the WSGI environ (nova's key).
ENVIRON_KEY = "nova.context"


class RequestContext(context.RequestContext):
    """oslo.context's context plus what nova adds: the client address,
    the service catalog keystone handed over, and the policy check."""

    def __init__(self, user_id=None, project_id=None, is_admin=None,
                 roles=None, remote_address=None, service_catalog=None,
                 enforcer=None, **kwargs):
        super().__init__(user_id=user_id, project_id=project_id,
                         is_admin=is_admin, roles=roles, **kwargs)
        self.remote_address = remote_address
        self.service_catalog = service_catalog or []
        self.enforcer = enforcer
        if self.is_admin is None:
            self.is_admin = self.can("context_is_admin", fatal=False)

    def can(self, action, target=None, fatal=True):
        """Whether the policy lets this caller do ``action`` to ``target``
        (``project_id``/``user_id`` of the resource; the caller's own when
        None). Raises PolicyNotAuthorized (403) when not, unless ``fatal``
        is false: then it returns False."""
        return policy.authorize(self, action, target, fatal)

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

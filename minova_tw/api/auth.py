"""Authentication for the compute API: the auth pipeline and keystone's parts.

``pipeline_factory_v21`` builds the paste composite that ``[api]
auth_strategy`` picks (``keystone`` or ``noauth2``). ``authtoken_factory``
loads keystonemiddleware, an optional extra, only when the keystone pipeline
is built. ``NovaKeystoneContext`` turns the identity headers authtoken sets
(user, project, ``X-Roles``) into the request context controllers use,
judged by the process's policy.
"""

import json
import logging

import webob.dec
import webob.exc

from minova_tw import conf as minova_conf
from minova_tw import context, policy
from minova_tw.api import errors
from minova_tw.api import wsgi as base_wsgi
from minova_tw.api.openstack import wsgi

LOG = logging.getLogger(__name__)

MISSING_KEYSTONE = ("[api] auth_strategy = keystone needs keystonemiddleware, "
                    "which is not installed: pip install 'minova[keystone]'")


def pipeline_factory_v21(loader, global_conf, **local_conf):
    """paste composite: the pipeline named by ``[api] auth_strategy``.

    The value is a space-separated list: filters, then the app; the first
    filter is the outermost.
    """
    strategy = minova_conf.from_paste(global_conf).api.auth_strategy
    if strategy not in local_conf:
        raise minova_conf.ConfigError(
            "[api] auth_strategy = %s: the paste composite has no %s "
            "pipeline" % (strategy, strategy))
    *filter_names, app_name = local_conf[strategy].split()
    app = loader.get_app(app_name, global_conf=global_conf)
    for name in reversed(filter_names):
        app = loader.get_filter(name, global_conf=global_conf)(app)
    return app


def remote_address(conf, environ):
    """The client address; X-Forwarded-For when ``[api] use_forwarded_for``
    says a trusted proxy sets it."""
    address = environ.get("REMOTE_ADDR")
    if conf.api.use_forwarded_for:
        address = environ.get("HTTP_X_FORWARDED_FOR", address)
    return address


def authtoken_factory(global_conf, **local_conf):
    """paste filter: keystonemiddleware's auth_token, configured from the
    process's config files ([keystone_authtoken]).

    Raises MissingExtraError when keystonemiddleware is not installed.
    """
    try:
        from keystonemiddleware import auth_token
    except ImportError:
        raise errors.MissingExtraError(MISSING_KEYSTONE) from None
    options = dict(global_conf)
    options.update(local_conf)
    options["oslo_config_config"] = minova_conf.from_paste(global_conf)

    def make_filter(application):
        return auth_token.AuthProtocol(application, options)
    return make_filter


class NovaKeystoneContext(base_wsgi.Middleware):
    """Build the request context from keystonemiddleware's headers.

    A request with no user id gets a bare 401; a service catalog header
    that is not JSON is a server-side fault (500).
    """

    @webob.dec.wsgify(RequestClass=wsgi.Request)
    def __call__(self, req):
        catalog = req.headers.get("X-Service-Catalog")
        if catalog is not None:
            try:
                catalog = json.loads(catalog)
            except ValueError:
                return webob.exc.HTTPInternalServerError(
                    explanation="Invalid service catalog json.")
        ctx = context.RequestContext.from_environ(
            req.environ, enforcer=policy.enforcer(self.conf),
            remote_address=remote_address(self.conf, req.environ),
            service_catalog=catalog)
        if ctx.user_id is None:
            LOG.debug("neither X_USER_ID nor X_USER found in the request")
            return webob.exc.HTTPUnauthorized()
        req.environ[context.ENVIRON_KEY] = ctx
        return self.application

"""The OpenStack API layer: fault wrapping, legacy v2 shim, the router base.

``FaultWrapper`` (paste ``faultwrap``) is the last line of defence: whatever
escapes the stack becomes nova's JSON fault, never a traceback.
``LegacyV2CompatibleWrapper`` (``legacy_v2_compatible``) makes ``/v2`` behave
as v2.0 with no microversions. ``APIRouter`` maps URL paths to Resources
through Routes; the compute API's route table is ``compute/routes.py``.
"""

import logging

import routes

from minova_tw.api import wsgi as base_wsgi
from minova_tw.api.openstack import wsgi
from minova_tw.db import engine as db_engine

LOG = logging.getLogger(__name__)


class FaultWrapper(base_wsgi.Middleware):
    """Turn any exception from the inner app into a JSON fault.

    The status is the exception's ``code`` (500 when it has none or it is
    not an HTTP error status); its ``headers`` are copied. The client sees
    "<ClassName>: <message>" only for exceptions marked ``safe``; otherwise
    webob's stock text for the status, so no internal detail leaks. The
    traceback goes to the log; an unusable database (503 serviceUnavailable
    with Retry-After) is one line there, as it hits every request while it
    lasts.
    """

    def __call__(self, environ, start_response):
        try:
            status, headers, body = base_wsgi.call_application(
                self.application, environ)
        except Exception as exc:
            return self._error(exc)(environ, start_response)
        start_response(status, headers)
        return body

    @staticmethod
    def _error(exc):
        if isinstance(exc, db_engine.DatabaseUnavailable):
            LOG.error("database unavailable: %s", exc)
        else:
            LOG.exception("caught error: %s", exc)
        code = getattr(exc, "code", 500)
        if not isinstance(code, int):
            code = 500
        message = None
        if getattr(exc, "safe", False):
            text = (exc.format_message() if hasattr(exc, "format_message")
                    else str(exc))
            message = "%s: %s" % (type(exc).__name__, text)
        return wsgi.fault_for(code, message, getattr(exc, "headers", None))


class LegacyV2CompatibleWrapper(base_wsgi.Middleware):
    """Serve the v2.1 code as v2.0 under ``/v2``: drop the client's version
    headers, mark the request legacy, and strip the version headers and
    their ``Vary`` names from the response."""

    _HEADERS = (wsgi.API_VERSION_REQUEST_HEADER,
                wsgi.LEGACY_API_VERSION_REQUEST_HEADER)
    _VARY_DROP = frozenset(name.lower() for name in _HEADERS)

    def process_request(self, req):
        req.environ[wsgi.LEGACY_V2_KEY] = True
        for header in self._HEADERS:
            req.headers.pop(header, None)
        return None

    def process_response(self, response):
        for header in self._HEADERS:
            response.headers.pop(header, None)
        vary = response.headers.getall("Vary")
        if vary:
            kept = [name.strip() for value in vary for name in value.split(",")
                    if name.strip() and name.strip().lower()
                    not in self._VARY_DROP]
            del response.headers["Vary"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
        return response


class ProjectMapper(routes.Mapper):
    """A Routes mapper connecting each route twice: with and without the
    ``/{project_id}`` prefix (hex and dashes only, so that it cannot eat a
    collection name), which became optional in 2.18."""

    PROJECT_ID = "/{project_id:[0-9a-f\\-]+}"

    def __init__(self):
        super().__init__(controller_scan=None)

    def create_route(self, path, method, controller, action):
        for prefixed in (self.PROJECT_ID + path, path):
            self.connect(prefixed, controller=controller, action=action,
                         conditions={"method": [method]})

    def create_regs(self, *args, **kwargs):
        """Build the routes' regexps, without Routes' master regexp.

        Routes checks every URL against one regexp of all routes before it
        tries them one by one, as ``re.match(compiled, url)``, and ``re``
        looks a compiled pattern up in its cache by its hash, which hashes
        the pattern's whole compiled code: with nova's couple of hundred
        routes (each twice) that lookup alone cost about 15 µs a request,
        more than a sixth of a flavor list, and it grew with every route.
        Without it (Routes' own fallback for a regexp too large to
        compile) a URL is tried against the routes of its prefix, which
        finds the same route; only a URL that matches nothing pays for
        trying them all, and it is answered 404 or 405.
        """
        super().create_regs(*args, **kwargs)
        self._master_regexp = None


class APIRouter:
    """A WSGI app routing ``PATH_INFO`` and method to a Resource.

    ``route_list`` holds ``(path, {METHOD: (ControllerClass, action)})``
    entries; each controller class is built once with the process's
    ConfigOpts. ``action_controllers`` maps a routed controller class to
    the classes whose ``@action`` methods its ``action`` route serves too
    (``Resource.register_subcontroller_actions``). A path no route
    matches is nova's JSON 404 fault
    (``itemNotFound``); a path routed for other methods only is a 405
    ``badMethod`` fault with ``Allow`` naming them (RFC 9110 15.5.6).
    Deviation: nova answers both with webob's plain 404, whose body
    follows ``Accept`` (HTML by default, and webob's markup in its JSON
    message), the only non-JSON error of the API.
    """

    def __init__(self, conf, route_list, action_controllers=None):
        self.map = ProjectMapper()
        self.methods = sorted({method for _, methods in route_list
                               for method in methods})
        controllers, resources = {}, {}

        def controller(controller_class):
            if controller_class not in controllers:
                controllers[controller_class] = controller_class(conf)
            return controllers[controller_class]

        for path, methods in route_list:
            for method, (controller_class, action) in methods.items():
                if controller_class not in resources:
                    resources[controller_class] = wsgi.Resource(
                        controller(controller_class))
                self.map.create_route(path, method,
                                      resources[controller_class], action)
        for routed, extra in (action_controllers or {}).items():
            # a table without the routed controller (a test's) has no
            # action route for them
            for controller_class in extra if routed in resources else ():
                resources[routed].register_subcontroller_actions(
                    controller(controller_class))
        self.map.create_regs()

    def __call__(self, environ, start_response):
        found = self.map.routematch(environ=environ)
        if found is None:
            return self._unrouted(environ)(environ, start_response)
        match, route = found
        environ["wsgiorg.routing_args"] = ((), match)
        environ["routes.route"] = route
        return match["controller"](environ, start_response)

    def _unrouted(self, environ):
        """The fault for a request no route takes: 405 when the path has
        routes for other methods, else 404."""
        allowed = [method for method in self.methods
                   if self.map.routematch(environ=dict(
                       environ, REQUEST_METHOD=method)) is not None]
        if not allowed:
            return wsgi.fault_for(404)
        return wsgi.fault_for(
            405, "The method %s is not allowed for this resource."
            % environ["REQUEST_METHOD"], {"Allow": ", ".join(allowed)})

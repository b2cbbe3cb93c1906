"""The compute API framework: requests with microversions, controllers, faults.

A route (see ``compute/routes.py``) sends a request to a ``Resource``, which
wraps one ``Controller``. The Resource does, in order, what nova's does:

1. negotiates the microversion (``OpenStack-API-Version: compute X.Y`` or
   ``X-OpenStack-Nova-API-Version``): malformed → 400 badRequest, outside
   [MIN, MAX] → 406 computeFault; none means 2.1 and ``latest`` the maximum;
2. checks the media type: a body of any type other than JSON (text/plain and
   no type count as none) → 415 badMediaType;
3. checks that the query string is UTF-8 (→ 400 badRequest), decodes the
   JSON body (→ 400 "Malformed request body", also when nested deeper
   than ``MAX_BODY_DEPTH``) and, for the ``action`` route, picks the
   ``@action`` method named by the body's key;
4. picks the controller method variant for the version (none → 404);
5. calls it and serialises what it returns: a dict (JSON, status 200 or the
   method's ``@response`` code), None (empty body), a ``ResponseObject``
   (body plus code and headers) or a ready webob response;
6. echoes the version on every response it makes, faults included:
   ``OpenStack-API-Version``, ``X-OpenStack-Nova-API-Version`` and the two
   names as two ``Vary`` values.

webob's ``HTTPException`` and the compute layer's ``Invalid`` (400-type)
and ``Forbidden`` (403) errors become nova's JSON fault body through
``Fault``; anything else escapes to ``FaultWrapper``, which keeps a ``code``
but shows the text only of ``safe`` errors. ``expected_errors`` turns an
undeclared status into 500 "Unexpected API Error", as nova does.
"""

import functools
import json
import logging

import microversion_parse
import webob
import webob.dec
import webob.exc

from minova_tw import context
from minova_tw.api import errors, urlmap
from minova_tw.api.openstack import api_version_request as microversions
from minova_tw.compute import exception
from minova_tw.db import engine as db_engine

LOG = logging.getLogger(__name__)

SERVICE_TYPE = "compute"
API_VERSION_REQUEST_HEADER = "OpenStack-API-Version"
LEGACY_API_VERSION_REQUEST_HEADER = "X-OpenStack-Nova-API-Version"
#: environ keys: the negotiated version, and the legacy v2 mark set by
#: LegacyV2CompatibleWrapper.
API_VERSION_KEY = "nova.api_version_request"
LEGACY_V2_KEY = "openstack.legacy_v2"

JSON_CONTENT_TYPE = "application/json"
#: Fault names by status, nova's table; any other status is computeFault.
FAULT_NAMES = {
    400: "badRequest",
    401: "unauthorized",
    403: "forbidden",
    404: "itemNotFound",
    405: "badMethod",
    409: "conflictingRequest",
    413: "overLimit",
    415: "badMediaType",
    429: "overLimit",
    501: "notImplemented",
    503: "serviceUnavailable",
}
UNEXPECTED_ERROR = ("Unexpected API Error. Please report this to the minova "
                    "operators and attach the minova API log if possible.\n%s")

_NULL_VERSION = microversions.APIVersionRequest()
_DEFAULT_VERSION = microversions.APIVersionRequest(
    microversions.DEFAULT_API_VERSION)
#: The environ keys of the two version headers: a request with neither
#: (most) is at the default version without asking microversion_parse.
_VERSION_HEADER_KEYS = tuple(
    "HTTP_" + name.upper().replace("-", "_")
    for name in (API_VERSION_REQUEST_HEADER,
                 LEGACY_API_VERSION_REQUEST_HEADER))


#: Deepest nesting of arrays and objects a request body may have (Ruby's
#: JSON parser's default max_nesting); nova's deepest bodies nest a few.
MAX_BODY_DEPTH = 100


def _nested_deeper(document, limit):
    """Whether ``document`` nests arrays and objects deeper than ``limit``
    (walked without recursion)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            value = value.values()
        elif not isinstance(value, list):
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in value)
    return False


class Request(webob.Request):
    """A webob request that knows its microversion and media types.

    The version lives in the environ, so every Request built on the same
    environ (FaultWrapper's, the Resource's) sees it.
    """

    @property
    def api_version_request(self):
        return self.environ.get(API_VERSION_KEY, _NULL_VERSION)

    @api_version_request.setter
    def api_version_request(self, version):
        self.environ[API_VERSION_KEY] = version

    def is_legacy_v2(self):
        return self.environ.get(LEGACY_V2_KEY, False)

    def set_api_version_request(self):
        """Negotiate the microversion from the headers (see the module doc).

        The requested version is stored before the range check, so a 406
        carries it in its version headers, as nova's does.
        """
        if not any(key in self.environ for key in _VERSION_HEADER_KEYS):
            self.api_version_request = _DEFAULT_VERSION
            return
        requested = microversion_parse.get_version(
            self.headers, service_type=SERVICE_TYPE,
            legacy_headers=[LEGACY_API_VERSION_REQUEST_HEADER])
        if requested is None:
            self.api_version_request = _DEFAULT_VERSION
            return
        if requested == "latest":
            self.api_version_request = microversions.max_api_version()
            return
        self.api_version_request = microversions.APIVersionRequest(requested)
        minimum = microversions.min_api_version()
        maximum = microversions.max_api_version()
        if not self.api_version_request.matches(minimum, maximum):
            raise errors.InvalidGlobalAPIVersion(
                req_ver=requested, min_ver=minimum.get_string(),
                max_ver=maximum.get_string())

    def best_match_content_type(self):
        """The media type to answer with: the one urlmap chose, else the
        best supported Accept entry, else application/json."""
        chosen = self.environ.get(urlmap.CONTENT_TYPE_KEY)
        if chosen is None:
            chosen = (urlmap.best_accept(self.headers.get("Accept", ""))[0]
                      or JSON_CONTENT_TYPE)
            self.environ[urlmap.CONTENT_TYPE_KEY] = chosen
        return chosen

    def get_content_type(self):
        """The body's media type, None for none; 415 for an unsupported one."""
        content_type = self.content_type
        if not content_type or content_type == "text/plain":
            return None
        if content_type not in urlmap.SUPPORTED_CONTENT_TYPES:
            raise webob.exc.HTTPUnsupportedMediaType(
                explanation="Unsupported Content-Type")
        return content_type


def add_version_headers(request, response):
    """Echo the request's microversion on ``response`` (nothing when the
    request has none, e.g. under ``/`` or before negotiation)."""
    version = request.api_version_request
    if version.is_null():
        return
    version_string = version.get_string()
    response.headers[API_VERSION_REQUEST_HEADER] = (
        "%s %s" % (SERVICE_TYPE, version_string))
    response.headers[LEGACY_API_VERSION_REQUEST_HEADER] = version_string
    response.headers.add("Vary", API_VERSION_REQUEST_HEADER)
    response.headers.add("Vary", LEGACY_API_VERSION_REQUEST_HEADER)


def json_response(body, status=200, content_type=JSON_CONTENT_TYPE):
    """A webob response carrying ``body`` as JSON (no body for None;
    ``bytes`` are JSON already, e.g. ``common.cached_json``'s).

    The type is set before the status: webob leaves out the Content-Type of
    a 204 made with its status, and nova's 204s carry one.
    """
    response = webob.Response(content_type=content_type, charset=None)
    response.status = status
    if isinstance(body, bytes):
        response.body = body
    elif body is not None:
        response.body = json.dumps(body).encode("utf-8")
    return response


class Fault(webob.exc.HTTPException):
    """A webob HTTP error rendered as nova's JSON fault body."""

    def __init__(self, exception):
        self.wrapped_exc = exception
        self.status_int = exception.status_int

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, req):
        exc = self.wrapped_exc
        code = exc.status_int
        name = FAULT_NAMES.get(code, "computeFault")
        fault = {"code": code, "message": exc.explanation}
        retry_after = exc.headers.get("Retry-After")
        if code in (413, 429) and retry_after:
            fault["retryAfter"] = retry_after
        LOG.debug("returning %s to the client: %s", code, exc.explanation)
        response = json_response({name: fault}, status=code)
        response.charset = "UTF-8"
        for header, value in exc.headers.items():
            if header.lower() not in ("content-type", "content-length"):
                response.headers.add(header, str(value))
        add_version_headers(req, response)
        return response


def fault_for(code, message=None, headers=None):
    """A Fault of status ``code`` (an unknown code becomes 500); ``message``
    None keeps webob's stock explanation for the status."""
    exc_class = webob.exc.status_map.get(code)
    if exc_class is None or code < 400:
        exc_class = webob.exc.HTTPInternalServerError
    exc = exc_class(explanation=message) if message else exc_class()
    for header, value in (headers or {}).items():
        exc.headers[header] = str(value)
    return Fault(exc)


class ResponseObject:
    """A controller's result with a status and headers of its own."""

    def __init__(self, obj, code=None, headers=None):
        self.obj = obj
        self.code = code
        self.headers = dict(headers or {})


def response(code):
    """Declare the status a controller method answers with on success."""
    def decorator(func):
        func.wsgi_code = code
        return func
    return decorator


def action(name):
    """Mark a method as the handler of ``POST .../action`` with body key
    ``name`` (e.g. ``{"reboot": {...}}``)."""
    def decorator(func):
        func.wsgi_action = name
        return func
    return decorator


def expected_errors(codes):
    """Declare the error statuses a controller method may answer with.

    A webob error with another status, or any other exception except
    schema validation and policy errors (which every method may raise) and
    an unusable database (FaultWrapper's 503), is logged with its traceback
    and becomes 500 "Unexpected API Error".
    Controllers turn the compute layer's errors they expect into webob
    errors with the status they declare.
    """
    codes = (codes,) if isinstance(codes, int) else tuple(codes)

    def decorator(func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except webob.exc.WSGIHTTPException as exc:
                if exc.code in codes:
                    raise
                unexpected = exc
            except (errors.ValidationError, exception.Forbidden,
                    db_engine.DatabaseUnavailable):
                raise
            except Exception as exc:
                unexpected = exc
            LOG.error("unexpected exception in API method %s",
                      func.__qualname__, exc_info=unexpected)
            raise webob.exc.HTTPInternalServerError(
                explanation=UNEXPECTED_ERROR % type(unexpected))
        return wrapped
    return decorator


class VersionedMethod:
    """One controller method with variants for microversion ranges.

    Made by ``api_version(min, max)``; more variants are added with the
    method's own ``api_version``, like ``property.setter``::

        @wsgi.api_version("2.1", "2.46")
        def show(self, req, id): ...

        @show.api_version("2.47")
        def show(self, req, id): ...

    The Resource picks the variant whose range holds the request's version;
    none → 404.
    """

    def __init__(self, func, min_version, max_version):
        self.variants = []
        self.wsgi_action = getattr(func, "wsgi_action", None)
        self._add(func, min_version, max_version)

    def _add(self, func, min_version, max_version):
        self.variants.append((
            microversions.APIVersionRequest(min_version),
            microversions.APIVersionRequest(max_version),
            func))

    def api_version(self, min_version, max_version=None):
        def decorator(func):
            self._add(func, min_version, max_version)
            return self
        return decorator

    def select(self, version):
        for minimum, maximum, func in self.variants:
            if version.matches(minimum, maximum):
                return func
        return None


def api_version(min_version, max_version=None):
    """Make a controller method exist only from ``min_version`` up to
    ``max_version`` (inclusive; None is open). See VersionedMethod."""
    def decorator(func):
        return VersionedMethod(func, min_version, max_version)
    return decorator


class Controller:
    """Base of compute controllers: one instance per process, built with the
    process's ConfigOpts. Methods take ``(self, req, **route_args)`` plus
    ``body`` for POST and PUT."""

    def __init__(self, conf):
        self.conf = conf


def methods_of(controller_class):
    """``{name: method or VersionedMethod}`` and ``{action key: name}`` of a
    controller class (docs/compute-coverage.md's test reads the actions)."""
    methods, actions = {}, {}
    for klass in reversed(controller_class.__mro__):
        for name, attr in vars(klass).items():
            if name.startswith("__"):
                continue
            if callable(attr) or isinstance(attr, VersionedMethod):
                methods[name] = attr
                key = getattr(attr, "wsgi_action", None)
                if key:
                    actions[key] = name
    return methods, actions


def action_keys(controller_class):
    """The body keys of the actions ``controller_class`` answers."""
    return set(methods_of(controller_class)[1])


class Resource:
    """The WSGI app of one controller (see the module doc for the steps)."""

    #: False for apps that answer the same at every version (GET /).
    support_api_request_version = True

    def __init__(self, controller):
        self.controller = controller
        self.methods, actions = methods_of(type(controller))
        #: Action key -> (controller, method) of the ``action`` route.
        self.wsgi_actions = {key: (controller, self.methods[name])
                             for key, name in actions.items()}

    def register_subcontroller_actions(self, controller):
        """Serve ``controller``'s ``@action`` methods on this resource's
        ``action`` route too, called on ``controller``: nova keeps a
        resource's actions in several controllers (the server's console
        actions are remote_consoles'), all behind one ``.../action``
        path."""
        methods, actions = methods_of(type(controller))
        for key, name in actions.items():
            self.wsgi_actions[key] = (controller, methods[name])

    @webob.dec.wsgify(RequestClass=Request)
    def __call__(self, request):
        try:
            if self.support_api_request_version:
                request.set_api_version_request()
            return self._process(request)
        except webob.exc.HTTPException as exc:
            return Fault(exc)
        except (exception.Invalid, exception.Forbidden,
                errors.InvalidGlobalAPIVersion) as exc:
            return fault_for(exc.code, exc.format_message())

    def routing_args(self, request):
        """The route's arguments: ``action`` names the controller method,
        the rest are passed to it."""
        args = dict(request.environ["wsgiorg.routing_args"][1])
        del args["controller"]
        return args

    def _process(self, request):
        args = self.routing_args(request)
        name = args.pop("action")
        if request.environ.get("QUERY_STRING"):
            self._check_query(request)
        if request.body:
            request.get_content_type()
        body = self._decode_body(request) if request.method in (
            "POST", "PUT") else None
        if name == "action":
            owner, method = self._action(body)
        else:
            owner, method = self.controller, self.methods.get(name)
        method = self._select(method, request.api_version_request)
        if body is not None:
            args["body"] = body
        ctx = request.environ.get(context.ENVIRON_KEY)
        project_id = args.pop("project_id", None)
        if ctx is not None and project_id and (
                project_id != ctx.project_id):
            raise webob.exc.HTTPBadRequest(
                explanation="Malformed request URL: URL's project_id '%s' "
                "doesn't match Context's project_id '%s'"
                % (project_id, ctx.project_id))
        try:
            result = method(owner, request, **args)
        except TypeError:
            # nova's rule: a call that does not fit the method (an
            # unexpected route or body argument) is the client's error.
            LOG.exception("bad arguments for %s", method.__name__)
            raise webob.exc.HTTPBadRequest() from None
        return self._serialize(request, method, result)

    @staticmethod
    def _check_query(request):
        """400 for a query string that is not UTF-8 once unquoted (``?name=
        %ff``), which webob's ``GET`` (read by the controllers) cannot
        decode; it keeps what it parsed for them."""
        try:
            request.GET
        except UnicodeDecodeError:
            raise webob.exc.HTTPBadRequest(
                explanation="The query string is not valid UTF-8.") from None

    @staticmethod
    def _decode_body(request):
        """The JSON body; 400 when it is not JSON, or nested deeper than
        MAX_BODY_DEPTH (``[[[...``), which the parser, or later the schema
        check and its message, would meet as a RecursionError."""
        if not request.body:
            return None
        try:
            body = json.loads(request.body)
        except (ValueError, RecursionError):
            body = None
        else:
            if not _nested_deeper(body, MAX_BODY_DEPTH):
                return body
        raise webob.exc.HTTPBadRequest(explanation="Malformed request body")

    def _action(self, body):
        if not isinstance(body, dict) or len(body) != 1:
            raise webob.exc.HTTPBadRequest(
                explanation="Malformed request body")
        key = next(iter(body))
        try:
            return self.wsgi_actions[key]
        except KeyError:
            raise webob.exc.HTTPBadRequest(
                explanation="There is no such action: %s" % key) from None

    @staticmethod
    def _select(method, version):
        """The variant of ``method`` (a function, a VersionedMethod or
        None) for ``version``; 404 when there is none."""
        if isinstance(method, VersionedMethod):
            method = (method.select(version)
                      if not version.is_null() else None)
        if method is None:
            raise webob.exc.HTTPNotFound()
        return method

    @staticmethod
    def _serialize(request, method, result):
        if isinstance(result, webob.Response):
            response = result
        else:
            code = getattr(method, "wsgi_code", 200)
            headers = {}
            if isinstance(result, ResponseObject):
                code = result.code or code
                headers = result.headers
                result = result.obj
            response = json_response(
                result, status=code,
                content_type=request.best_match_content_type())
            for header, value in headers.items():
                response.headers[header] = str(value)
        add_version_headers(request, response)
        return response

"""Request validation with JSON schema, as nova's API does it: bodies and query strings.

``schema(body_schema, min_version, max_version)`` decorates a controller
method taking ``body``; ``query_schema(schema, min_version, max_version)``
one that reads ``req.GET``. Stacked decorators with different version ranges
give each microversion its own schema. A failure is a 400 badRequest with
nova's wording: "Invalid input for field/attribute <name>. Value: <value>.
<reason>" for a body, "Invalid input for query parameters <name>. Value:
<value>. <reason>" for a query string, else jsonschema's message. Under
legacy v2 (``/v2``) unknown body properties are tolerated, as nova does.

Query strings are validated as ``{name: [value, ...]}`` (every parameter may
repeat), so query schemas describe each parameter as an array (see
``compute/schemas/parameter_types``). A query schema that allows additional
properties drops the unknown parameters from ``req.GET`` after validation,
so controllers only ever see the parameters their version knows.

nova's own formats are checked too: ``name`` (printable, no leading or
trailing whitespace; legacy v2 strips instead of refusing), ``uuid``,
``base64`` and ``date-time`` (ISO 8601).
"""

import base64
import binascii
import datetime
import functools
import re
import unicodedata
import uuid

import jsonschema

from minova_tw.api import errors
from minova_tw.api.openstack import api_version_request as api_version

_STRICT = jsonschema.Draft4Validator
_RELAXED = jsonschema.validators.extend(
    _STRICT, {"additionalProperties": lambda *args: iter(())})

INVALID_NAME = ("An invalid 'name' value was provided. The name must be: "
                "printable characters. Can not start or end with whitespace.")
INVALID_NAME_LEGACY = ("An invalid 'name' value was provided. The name must "
                       "be: printable characters with at least one "
                       "non space character")
_PRINTABLE_CATEGORIES = ("C", "Z")


def _printable(text):
    """Whether ``text`` has only printable characters (spaces allowed)."""
    return all(char == " " or
               unicodedata.category(char)[0] not in _PRINTABLE_CATEGORIES
               for char in text)


def _make_format_checker(legacy_v2):
    checker = jsonschema.FormatChecker()

    @checker.checks("name", raises=ValueError)
    def _name(instance):
        if not isinstance(instance, str):
            return True
        if legacy_v2:
            if not instance.strip() or not _printable(instance):
                raise ValueError(INVALID_NAME_LEGACY)
        elif (not _printable(instance) or instance != instance.strip()):
            raise ValueError(INVALID_NAME)
        return True

    @checker.checks("uuid", raises=ValueError)
    def _uuid(instance):
        return not isinstance(instance, str) or is_uuid(instance)

    @checker.checks("base64", raises=(binascii.Error, ValueError))
    def _base64(instance):
        if isinstance(instance, str):
            base64.b64decode(instance, validate=True)
        return True

    @checker.checks("date-time", raises=ValueError)
    def _date_time(instance):
        if isinstance(instance, str):
            parse_isotime(instance)
        return True

    return checker


_CHECKERS = {False: _make_format_checker(False),
             True: _make_format_checker(True)}


def is_uuid(value):
    """Whether ``value`` is a string that reads as a UUID."""
    try:
        uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        return False
    return True


def parse_isotime(text):
    """An ISO 8601 time (``Z`` or an offset, or none for UTC) as a naive
    UTC datetime, as the database keeps times."""
    when = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if when.tzinfo is not None:
        when = when.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return when


def _reason(error):
    """jsonschema's message, or the checker's own for a format error."""
    if error.validator == "format" and error.cause is not None:
        return str(error.cause)
    return error.message


def _body_detail(error):
    if error.path:
        return ("Invalid input for field/attribute %s. Value: %s. %s"
                % (error.path[-1], error.instance, _reason(error)))
    return _reason(error)


def _query_detail(error):
    if error.path:
        return ("Invalid input for query parameters %s. Value: %s. %s"
                % (error.path[0], error.instance, _reason(error)))
    return _reason(error)


#: Every schema the decorators were given, for ``check_schemas``.
_SCHEMAS = []


def check_schemas():
    """Check every schema the decorators were given against JSON Schema's
    metaschema (jsonschema's SchemaError for the first that is not a
    schema). The unit tests run it over the whole API; a process does not:
    the check costs more than the rest of the API's import together."""
    for schema in _SCHEMAS:
        _STRICT.check_schema(schema)


class _Validator:
    """One schema with its strict and legacy validators."""

    def __init__(self, schema, detail):
        _SCHEMAS.append(schema)
        self.schema = schema
        self.detail = detail
        self.strict = _STRICT(schema, format_checker=_CHECKERS[False])
        self.relaxed = _RELAXED(schema, format_checker=_CHECKERS[True])
        #: Whether ``{}`` passes: then a request without a query string
        #: (most) needs no validation.
        self.accepts_empty = self.strict.is_valid({})

    def validate(self, instance, legacy_v2=False):
        """Raise ValidationError for the first way ``instance`` misfits."""
        validator = self.relaxed if legacy_v2 else self.strict
        for error in validator.iter_errors(instance):
            raise errors.ValidationError(detail=self.detail(error))


def _in_range(min_version, max_version):
    """A predicate: whether a request's microversion is in the range (a
    None bound is open; a request without a version is in every range).

    It compares ``(major, minor)`` pairs: each controller method has a
    check or two of these per request.
    """
    def bound(version):
        if version is None:
            return None
        version = api_version.APIVersionRequest(version)
        return version.major, version.minor
    minimum, maximum = bound(min_version), bound(max_version)

    def applies(req):
        version = req.api_version_request
        if version.major is None:
            return True
        key = version.major, version.minor
        return ((minimum is None or key >= minimum)
                and (maximum is None or key <= maximum))
    return applies


def schema(body_schema, min_version=None, max_version=None):
    """Validate the ``body`` argument against ``body_schema`` for requests
    whose microversion lies in [min_version, max_version]."""
    applies = _in_range(min_version, max_version)
    validator = _Validator(body_schema, _body_detail)

    def decorator(func):
        @functools.wraps(func)
        def wrapped(self, req, *args, **kwargs):
            if applies(req):
                validator.validate(kwargs.get("body"),
                                   legacy_v2=req.is_legacy_v2())
            return func(self, req, *args, **kwargs)
        return wrapped
    return decorator


def _known(query_schema):
    """A predicate: whether a parameter name is one the schema describes."""
    names = frozenset(query_schema.get("properties", ()))
    patterns = [re.compile(p) for p in query_schema.get("patternProperties",
                                                        ())]
    return lambda name: name in names or any(p.search(name)
                                             for p in patterns)


def query_schema(query_params_schema, min_version=None, max_version=None):
    """Validate ``req.GET`` (as ``{name: [values]}``) against
    ``query_params_schema`` for requests whose microversion lies in
    [min_version, max_version]; then drop the parameters it does not know
    when it allows additional ones."""
    applies = _in_range(min_version, max_version)
    validator = _Validator(query_params_schema, _query_detail)
    strip = query_params_schema.get("additionalProperties", True) is not False
    known = _known(query_params_schema)

    def decorator(func):
        @functools.wraps(func)
        def wrapped(self, req, *args, **kwargs):
            if (req.environ.get("QUERY_STRING")
                    or not validator.accepts_empty) and applies(req):
                validator.validate(req.GET.dict_of_lists())
                if strip:
                    # dict.fromkeys: a repeated name is deleted once.
                    for name in dict.fromkeys(n for n in req.GET
                                              if not known(n)):
                        del req.GET[name]
            return func(self, req, *args, **kwargs)
        return wrapped
    return decorator

"""Request body validation with JSON schema, as nova's API does it.

``schema(body_schema, min_version, max_version)`` decorates a controller
method taking ``body``; stacked decorators with different version ranges
give each microversion its own schema. A failure is a 400 badRequest with
nova's wording: "Invalid input for field/attribute <name>. Value: <value>.
<reason>" when the failing value has a name, else jsonschema's message.
Under legacy v2 (``/v2``) unknown properties are tolerated, as nova does.
"""

import functools

import jsonschema

from minova_tw.api import errors
from minova_tw.api.openstack import api_version_request as api_version

_STRICT = jsonschema.Draft4Validator
_RELAXED = jsonschema.validators.extend(
    _STRICT, {"additionalProperties": lambda *args: iter(())})


def _detail(error):
    if error.path:
        return ("Invalid input for field/attribute %s. Value: %s. %s"
                % (error.path[-1], error.instance, error.message))
    return error.message


class _BodyValidator:
    """One schema, checked once, with its strict and legacy validators."""

    def __init__(self, body_schema):
        _STRICT.check_schema(body_schema)
        checker = jsonschema.FormatChecker()
        self.strict = _STRICT(body_schema, format_checker=checker)
        self.relaxed = _RELAXED(body_schema, format_checker=checker)

    def validate(self, body, legacy_v2=False):
        """Raise ValidationError for the first way ``body`` does not fit."""
        validator = self.relaxed if legacy_v2 else self.strict
        for error in validator.iter_errors(body):
            raise errors.ValidationError(detail=_detail(error))


def schema(body_schema, min_version=None, max_version=None):
    """Validate the ``body`` argument against ``body_schema`` for requests
    whose microversion lies in [min_version, max_version]."""
    minimum = api_version.APIVersionRequest(min_version)
    maximum = api_version.APIVersionRequest(max_version)
    validator = _BodyValidator(body_schema)

    def decorator(func):
        @functools.wraps(func)
        def wrapped(self, req, *args, **kwargs):
            version = req.api_version_request
            if version.is_null() or version.matches(minimum, maximum):
                validator.validate(kwargs.get("body"),
                                   legacy_v2=req.is_legacy_v2())
            return func(self, req, *args, **kwargs)
        return wrapped
    return decorator

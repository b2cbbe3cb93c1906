"""Helpers the compute API's controllers and views share: links, paging, times.

Links in responses are built from the request's application URL and then
moved under ``[api] compute_link_prefix`` (image links under ``[api]
glance_link_prefix``) when it is set, so a deployment behind a proxy or a
path prefix hands out URLs that work from outside. A project id that was in
the request URL stays in the links, as nova keeps it. ``Links`` works the
bases out once per request, so a listing of many items only joins strings.
``cached_json`` keeps a serialized listing while its table is unchanged.
"""

import functools
import json
import re
from urllib import parse

import webob.exc

from minova_tw.api import errors, validation
from minova_tw.compute import exception

_TRAILING_VERSION = re.compile(r"/v\d+(\.\d+)?/?$")


def url_join(*parts):
    """Join URL parts with single slashes; an empty last part leaves a
    trailing slash (``url_join("http://h/", "v2.1", "")`` is
    ``http://h/v2.1/``)."""
    joined = "/".join(part.strip("/") for part in parts if part)
    return joined + "/" if parts and not parts[-1] else joined


def update_link_prefix(url, prefix):
    """``url`` with the scheme and host of ``prefix`` and ``prefix``'s path
    in front of its own path; unchanged when ``prefix`` is empty."""
    if not prefix:
        return url
    url_parts = parse.urlsplit(url)
    prefix_parts = parse.urlsplit(prefix)
    return parse.urlunsplit((
        prefix_parts.scheme, prefix_parts.netloc,
        prefix_parts.path.rstrip("/") + url_parts.path,
        url_parts.query, url_parts.fragment)).rstrip("/")


def compute_link_base(conf, request):
    """The request's application URL under ``[api] compute_link_prefix``."""
    return update_link_prefix(request.application_url,
                              conf.api.compute_link_prefix)


def remove_trailing_version_from_href(href):
    """``http://h/v2.1`` -> ``http://h`` (a bookmark is version-less)."""
    return _TRAILING_VERSION.sub("", href.rstrip("/"))


def url_project_id(request):
    """The project id of the request URL (``/v2.1/<project>/...``), or
    None when the URL has none (optional since 2.18)."""
    args = request.environ.get("wsgiorg.routing_args")
    return args[1].get("project_id") if args else None


def _under_project(base, project):
    return "%s/%s" % (base.rstrip("/"), project) if project else base


class Links:
    """The self and bookmark links of one request's items."""

    def __init__(self, conf, request):
        project = url_project_id(request)
        app_url = request.application_url
        self.self_base = _under_project(compute_link_base(conf, request),
                                        project)
        version_less = remove_trailing_version_from_href(app_url)
        self.bookmark_base = _under_project(
            update_link_prefix(version_less, conf.api.compute_link_prefix),
            project)
        self.image_base = _under_project(
            update_link_prefix(version_less, conf.api.glance_link_prefix),
            project)

    def href(self, collection, identifier):
        return "%s/%s/%s" % (self.self_base, collection, identifier)

    def bookmark(self, collection, identifier):
        return "%s/%s/%s" % (self.bookmark_base, collection, identifier)

    def links(self, collection, identifier):
        return [{"rel": "self", "href": self.href(collection, identifier)},
                {"rel": "bookmark",
                 "href": self.bookmark(collection, identifier)}]

    def image_bookmark(self, image_id):
        return [{"rel": "bookmark",
                 "href": "%s/images/%s" % (self.image_base, image_id)}]


def cached_json(cache, request, build, *key):
    """``build()`` serialized to JSON, kept in ``cache`` (a
    ``db.generations.Cache`` of the table ``build`` reads) for the requests
    that ask the same: same caller (and roles), version, links, query
    string and ``key``. For a listing that stays the same until its table
    is written: a hit costs one generation lookup, not a view and its
    serialization. A hit runs no policy check: the caller checks before.
    """
    ctx = request.environ["nova.context"]
    full_key = (ctx.user_id, ctx.project_id, ctx.is_admin, tuple(ctx.roles),
                request.api_version_request, request.application_url,
                url_project_id(request), tuple(request.GET.items())) + key
    return cache.get(full_key, lambda: json.dumps(build()).encode("utf-8"))


def get_pagination_params(request):
    """``(limit, marker)`` of the query string, None where absent.

    The query schema has checked that limit is a non-negative integer; the
    last of repeated values wins, as in nova.
    """
    limit = request.GET.get("limit")
    return (int(limit) if limit is not None else None,
            request.GET.get("marker"))


def collection_links(conf, request, items, collection, id_key):
    """``[{"rel": "next", "href": ...}]`` when ``items`` fills the page,
    i.e. has min(limit, max_limit) entries; else ``[]``.

    The next link keeps the request's query parameters, sorted, with
    ``marker`` replaced by the last item's ``id_key``.
    """
    limit, _ = get_pagination_params(request)
    max_limit = conf.api.max_limit
    page = max_limit if limit is None else min(limit, max_limit)
    if not items or len(items) != page:
        return []
    params = [(k, v) for k, v in request.GET.items() if k != "marker"]
    params.append(("marker", items[-1][id_key]))
    url = "%s/%s" % (_under_project(compute_link_base(conf, request),
                                    url_project_id(request)), collection)
    return [{"rel": "next",
             "href": "%s?%s" % (url, parse.urlencode(sorted(params)))}]


def changes_window(request, with_before=True):
    """``(changes-since, changes-before)`` of ``request``'s query as naive
    UTC times (None when absent; changes-before only ``with_before``);
    400 when the window ends before it starts."""
    since, before = (request.GET.get(name) for name in ("changes-since",
                                                        "changes-before"))
    since = since and validation.parse_isotime(since)
    before = with_before and before and validation.parse_isotime(before)
    if since and before and before < since:
        raise webob.exc.HTTPBadRequest(explanation=(
            "The value of changes-since must be less than or equal to "
            "changes-before."))
    return since or None, before or None


def isotime(value):
    """A naive UTC time as ``YYYY-MM-DDTHH:MM:SSZ`` (None stays None)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def naive_isotime(value):
    """A naive UTC time as nova shows launched_at and friends:
    ``YYYY-MM-DDTHH:MM:SS.ffffff`` without a zone (None stays None)."""
    return value.isoformat(timespec="microseconds") if value else None


def parse_bool(value):
    """A query string boolean as nova's strutils reads it."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "t", "true", "on", "y", "yes")


def compute_errors(func):
    """Turn the compute layer's errors into the webob error of their status
    with their message: 400 for Invalid, 404 for NotFound, 409 for Conflict.

    Goes under ``wsgi.expected_errors``, which still decides whether the
    method may answer that status. Forbidden (403: policy, quotas) passes
    through, as every method may answer it, and so do schema errors. A
    method that maps an error differently (a bad flavorRef is 400 on
    create) catches it itself first.
    """
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (exception.Forbidden, errors.ValidationError):
            raise
        except exception.ComputeError as exc:
            raise webob.exc.status_map[exc.code](
                explanation=exc.format_message()) from None
    return wrapped

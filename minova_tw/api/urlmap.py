"""The osapi_compute composite: which app serves a path, as nova's urlmap.

The paste section maps URL prefixes to apps (``/``, ``/v2``, ``/v2.1``,
``/v2/+``, ``/v2.1/+``). Rules, in nova's order:

1. The path decides when it matches a prefix other than ``/``: the longest
   prefix wins. A prefix ``/p`` matches ``/p`` and ``/p/...``; a key ending
   in ``/+`` (``/v2.1/+``) matches only when something follows the slash,
   so ``/v2.1`` and ``/v2.1/`` reach the version document and
   ``/v2.1/servers`` the API. ``SCRIPT_NAME`` gains the prefix (without
   ``/+``) and ``PATH_INFO`` keeps the rest.
2. Otherwise a ``version=`` parameter of Content-Type, then of the best
   Accept entry, picks the app mounted at ``/v<version>``; ``SCRIPT_NAME``
   gains that prefix and ``PATH_INFO`` is unchanged.
3. Otherwise ``/`` catches everything (the versions app answers 300).
   A path that reaches no app (no ``/`` key, or a target such as ``*``)
   is nova's JSON 404 fault.

The response media type is chosen on the way: a ``.json`` path suffix, else
the best supported Accept entry, else ``application/json``; it is left in
``environ['nova.best_content_type']`` for the framework. Host-qualified keys
(``domain`` in paste's urlmap) are not supported: nova's file has none.

Written for minova; the semantics follow nova's public behaviour.
"""

import logging

LOG = logging.getLogger(__name__)

#: Media types the compute API answers with (nova's list).
SUPPORTED_CONTENT_TYPES = ("application/json",
                           "application/vnd.openstack.compute+json")
DEFAULT_CONTENT_TYPE = "application/json"
CONTENT_TYPE_KEY = "nova.best_content_type"
WILDCARD = "/+"


def parse_media_type(value):
    """Split ``type/sub; a=1; b=2`` into ``("type/sub", {"a": "1", ...})``."""
    media_type, *pairs = value.split(";")
    params = {}
    for pair in pairs:
        name, sep, param = pair.partition("=")
        if sep:
            params[name.strip().lower()] = param.strip().strip('"')
    return media_type.strip().lower(), params


def best_accept(accept):
    """The supported type the Accept header prefers, with that entry's
    parameters; ``(None, {})`` when nothing acceptable is supported."""
    best = (None, {})
    best_rank = (0.0, -1)
    for entry in accept.split(","):
        mask, params = parse_media_type(entry)
        try:
            quality = float(params.get("q", 1))
        except ValueError:
            continue
        for content_type in SUPPORTED_CONTENT_TYPES:
            if _mask_matches(mask, content_type):
                rank = (quality, 2 - mask.count("*"))
                if quality > 0 and rank > best_rank:
                    best, best_rank = (content_type, params), rank
                break
    return best


def _mask_matches(mask, content_type):
    if mask in ("*/*", content_type):
        return True
    return mask.endswith("/*") and content_type.startswith(mask[:-1])


class URLMap:
    """A WSGI app dispatching to the apps of the composite by prefix."""

    def __init__(self, mapping):
        # Longest prefix first; ``/`` becomes "" so that it matches all.
        prefixes = sorted(
            ((prefix.rstrip("/") if not prefix.endswith(WILDCARD) else prefix,
              app) for prefix, app in mapping.items()),
            key=lambda item: len(item[0]), reverse=True)
        # What ``match`` compares, made once: (the start a path below the
        # prefix has, the path that is the prefix itself or None for a
        # wildcard, the mount point, the app). Every request walks them.
        self._entries = [
            (prefix[:-1], None, prefix[:-len(WILDCARD)], app)
            if prefix.endswith(WILDCARD) else (prefix + "/", prefix, prefix,
                                               app)
            for prefix, app in prefixes]

    def match(self, path):
        """``(app, mount point)`` for ``path``, or ``(None, None)``: a
        wildcard prefix (``/v2.1/+``) takes the paths strictly below it,
        another prefix itself and the paths below it."""
        for below, itself, mount, app in self._entries:
            if path.startswith(below):
                if itself is not None or len(path) > len(below):
                    return app, mount
            elif path == itself:
                return app, mount
        return None, None

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        accept_type, accept_params = best_accept(
            environ.get("HTTP_ACCEPT", ""))
        app, mount = self.match(path)
        if mount:
            environ["PATH_INFO"] = path[len(mount):]
        else:
            content_params = parse_media_type(
                environ.get("CONTENT_TYPE", ""))[1]
            app, mount = (self._by_version(content_params)
                          or self._by_version(accept_params)
                          or (app, ""))
        if app is None:
            LOG.debug("no application for %s", path)
            # Imported here: the framework imports this module.
            from minova_tw.api.openstack import wsgi
            return wsgi.fault_for(404)(environ, start_response)
        environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + mount
        if path.endswith(".json"):
            environ[CONTENT_TYPE_KEY] = DEFAULT_CONTENT_TYPE
        else:
            environ[CONTENT_TYPE_KEY] = accept_type or DEFAULT_CONTENT_TYPE
        return app(environ, start_response)

    def _by_version(self, params):
        """``(app, mount point)`` of ``/v<version>`` for a media type's
        ``version=`` parameter, or None."""
        version = params.get("version")
        if version:
            app, mount = self.match("/v" + version)
            if app is not None:
                return app, mount
        return None


def urlmap_factory(loader, global_conf, **local_conf):
    """paste composite factory (``use = call:...urlmap:urlmap_factory``)."""
    if "not_found_app" in local_conf:
        raise ValueError("urlmap: not_found_app is not supported")
    return URLMap({prefix: loader.get_app(name, global_conf=global_conf)
                   for prefix, name in local_conf.items()})

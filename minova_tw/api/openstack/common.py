"""Link helpers shared by the compute API's views.

Links in responses are built from the request's application URL and then
moved under ``[api] compute_link_prefix`` when it is set, so a deployment
behind a proxy or a path prefix hands out URLs that work from outside.
"""

from urllib import parse


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

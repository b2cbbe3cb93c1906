"""Development stand-ins for keystone, glance, cinder and neutron, for a noauth2 cloud.

The ``openstack`` CLI does not talk to a compute endpoint alone: it finds
every service in the catalog of an identity v3 token, and it looks images
up in glance before ``server create`` and while listing servers. With
``[api] auth_strategy = noauth2`` there is neither, so the mini nova's
paste file mounts two small stand-ins beside the compute API on its port,
where devstack mounts the real services: ``/identity`` (``identity``),
``/image`` (``image``), and for the CLI's volume and port lookups
``/volume`` (``volume``) and ``/network`` (``network``; it also makes a
project's security groups, ``openstack security group create``). They are
not keystone, glance, cinder or neutron: they check nothing, store nothing
but those groups and answer only what the clients ask. With any other
auth strategy they answer 404, so a cloud with a real keystone never
hands out their tokens.

This module holds what both share: the paste factory that applies that
rule, and their JSON answers.
"""

import json

import webob

from minova_tw import conf as minova_conf

#: The auth strategy the stand-ins serve under.
NOAUTH = "noauth2"


def json_response(body, status=200, headers=None):
    """A webob response carrying ``body`` as JSON."""
    response = webob.Response(json.dumps(body).encode("utf-8"),
                              status=status, content_type="application/json",
                              charset=None)
    response.headers.update(headers or {})
    return response


def error_response(status, title, message):
    """keystone's error body (glance's clients read it too)."""
    return json_response({"error": {"code": status, "title": title,
                                    "message": message}}, status=status)


def not_served(environ, start_response):
    """The stand-ins' answer under an auth strategy other than noauth2."""
    response = error_response(
        404, "Not Found", "This development stand-in is served only with "
        "[api] auth_strategy = %s." % NOAUTH)
    return response(environ, start_response)


def standin_factory(app_class, with_conf=False):
    """A paste.app_factory: ``app_class()`` under noauth2 (``app_class(conf)``
    ``with_conf``: a stand-in that reads the mini nova's database), else
    ``not_served``."""

    def factory(global_conf, **local_conf):
        conf = minova_conf.from_paste(global_conf)
        if conf.api.auth_strategy != NOAUTH:
            return not_served
        return app_class(conf) if with_conf else app_class()
    return factory

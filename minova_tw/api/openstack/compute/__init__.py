"""The compute API v2.1: its router (the paste app) and its resources.

The route table and how to add a resource are in ``routes.py``.
"""

from minova_tw.api.openstack.compute.routes import APIRouterV21

__all__ = ["APIRouterV21"]

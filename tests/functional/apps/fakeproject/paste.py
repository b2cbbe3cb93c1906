"""A paste factory that needs its project's process set-up, as nova's does.

nova's APIRouterV21, loaded from its api-paste.ini without nova's set-up,
fails on nova.rpc's ``assert TRANSPORT is not None``; so does this one.
"""

TRANSPORT = None


def app_factory(global_conf, **local_conf):
    assert TRANSPORT is not None

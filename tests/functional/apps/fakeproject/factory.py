"""A factory-style entry point, as keystone.server.wsgi:initialize_public_application.

Importing it does fakeproject's set-up (fakeproject.wsgi); the app exists
only once ``initialize_application`` is called.
"""

from fakeproject import wsgi


def initialize_application(name="public"):
    return wsgi.make_app(factory=name)


def initialize_broken_application():
    raise KeyError("no [identity] section in fakeproject.conf")

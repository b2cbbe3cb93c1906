"""minova's WSGI stacks: plain WSGI apps and filters for PasteDeploy.

Nothing under this package imports Twisted, so the same paste file runs
under minova's Twisted host, gunicorn or uWSGI.
"""

"""The business rules of minova's mini nova: servers, flavors, key pairs, quotas.

``api.API(conf)`` is the entry point the compute API and the metadata
service call. Nothing here imports Twisted or the WSGI layer.
"""

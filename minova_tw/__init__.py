"""minova: nova-api's start-up path on Twisted, with a mini nova behind it."""

__version__ = "0.1.0"

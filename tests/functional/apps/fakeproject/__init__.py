"""A stand-in for an OpenStack project that minova hosts through its WSGI entry module.

``fakeproject.wsgi:application`` is shaped like nova.wsgi.osapi_compute,
``fakeproject.factory:initialize_application()`` like keystone's factory,
``fakeproject.api:application`` like nova's entry module with the set-up
it does on import (its own logging, Guru Meditation Report and request
size limit), and ``fakeproject.broken`` like a project whose set-up fails
on import.
"""

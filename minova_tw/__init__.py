"""minova: nova-api's start-up path on Twisted, with a mini nova behind it.

This package's names are what a program that embeds minova uses
(docs/embedding.md); they are the public face and keep their meaning
across releases. Every other module and name under ``minova_tw`` is
minova's own and may change: import from here.

The names are looked up when first used, so that ``import minova_tw``
(which every submodule's import runs, the WSGI stacks' too) loads neither
Twisted nor the host.
"""

import importlib

__version__ = "0.1.0"

# public name -> (module, its name there)
_PUBLIC = {
    "load_config": ("minova_tw.conf", "load"),
    "ConfigError": ("minova_tw.conf", "ConfigError"),
    "setup_logging": ("minova_tw.logs", "setup"),
    "makeService": ("minova_tw.service", "makeService"),
    "Launcher": ("minova_tw.launcher", "Launcher"),
    "ProcessSignals": ("minova_tw.signals", "ProcessSignals"),
    "Notifier": ("minova_tw.systemd", "Notifier"),
    "load_app": ("minova_tw.resources", "load_app"),
    "make_resource": ("minova_tw.resources", "make_resource"),
}

__all__ = ["__version__", *_PUBLIC]


def __getattr__(name):
    try:
        module, attribute = _PUBLIC[name]
    except KeyError:
        raise AttributeError("module 'minova_tw' has no attribute %r"
                             % name) from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # found once; later lookups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))

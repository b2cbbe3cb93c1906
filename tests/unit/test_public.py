"""minova_tw's public face: __all__ names what embedders use, found lazily."""

import subprocess
import sys

import pytest

import minova_tw
from minova_tw import (conf, launcher, logs, resources, service, signals,
                       systemd)


def test_all_names_the_objects_docs_embedding_uses():
    assert {name: getattr(minova_tw, name) for name in minova_tw.__all__} == {
        "__version__": minova_tw.__version__,
        "load_config": conf.load,
        "ConfigError": conf.ConfigError,
        "setup_logging": logs.setup,
        "makeService": service.makeService,
        "Launcher": launcher.Launcher,
        "ProcessSignals": signals.ProcessSignals,
        "Notifier": systemd.Notifier,
        "load_app": resources.load_app,
        "make_resource": resources.make_resource,
    }


def test_from_import_and_dir_see_the_public_names():
    from minova_tw import make_resource, makeService  # noqa: F401
    assert set(minova_tw.__all__) <= set(dir(minova_tw))


def test_a_name_outside_the_face_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'make_app'"):
        minova_tw.make_app


def test_importing_the_package_loads_no_twisted():
    code = "import sys, minova_tw; print('twisted' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "False"

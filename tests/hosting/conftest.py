"""The hosting tests' fixtures (tests/conftest.py has ``minova``, which
starts twistd and stops it by PID): the real services, set up once per session
by tests.hosting.services and shared by every hosting test module (nova's
four databases alone take a minute to make)."""

import pytest

from tests.hosting import services


@pytest.fixture(scope="session")
def venv():
    return services.venv()


@pytest.fixture(scope="session")
def standin(venv):
    served = services.StandIn().start()
    yield served
    served.stop()


@pytest.fixture(scope="session")
def keystone(venv, tmp_path_factory):
    return services.keystone(str(tmp_path_factory.mktemp("keystone")),
                             services.free_port())


@pytest.fixture(scope="session")
def nova(standin, keystone, tmp_path_factory):
    return services.nova(str(tmp_path_factory.mktemp("nova")), standin,
                         keystone=keystone)


@pytest.fixture(scope="session")
def placement(venv, tmp_path_factory):
    return services.placement(str(tmp_path_factory.mktemp("placement")))

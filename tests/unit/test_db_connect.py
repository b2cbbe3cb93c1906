"""minova_tw.db.engine.connect: a database the configuration cannot reach
is one line naming the option that is wrong, never its password."""

import pytest

from minova_tw import conf as minova_conf
from minova_tw.db import engine as db_engine

from tests.unit.conftest import write_config

PASSWORD = "s3cr3t-pw"


def refused(tmp_path, url):
    with pytest.raises(minova_conf.ConfigError) as raised:
        db_engine.connect(write_config(tmp_path, url))
    line = str(raised.value)
    assert PASSWORD not in line
    assert "\n" not in line
    return line


@pytest.mark.parametrize("url, line", [
    ("foo://u:%s@h/d" % PASSWORD,
     "[database] connection: foo://u:***@h/d names a database dialect "
     "SQLAlchemy does not know; minova uses sqlite:///, postgresql+psycopg:// "
     "or mysql+pymysql://"),
    ("postgres//u:%s@h/d" % PASSWORD,
     "[database] connection: postgres//u:***@h/d is not a database URL: "
     "Could not parse SQLAlchemy URL from given URL string"),
    ("mysql+mysqldb://u:%s@h/d" % PASSWORD,
     "[database] connection: the driver of mysql+mysqldb://u:***@h/d is not "
     "installed (No module named 'MySQLdb'): use mysql+pymysql:// (pip "
     "install 'minova[mysql]')"),
])
def test_a_url_minova_cannot_use(tmp_path, url, line):
    assert refused(tmp_path, url) == line


def test_a_server_that_refuses(tmp_path):
    line = refused(tmp_path, "postgresql+psycopg://postgres:%s@127.0.0.1:1/x"
                   % PASSWORD)
    assert line.startswith(
        "[database] connection: cannot connect to "
        "postgresql+psycopg://postgres:***@127.0.0.1:1/x: connection failed")
    assert "Connection refused" in line


def test_a_password_the_server_rejects(tmp_path):
    """MariaDB's root has no password here: any other is rejected (and a
    server that is not there refuses: the same line, another reason)."""
    line = refused(tmp_path, "mysql+pymysql://root:%s@127.0.0.1:3306/mysql"
                   % PASSWORD)
    assert line.startswith("[database] connection: cannot connect to "
                           "mysql+pymysql://root:***@127.0.0.1:3306/mysql: ")


def test_a_state_path_that_cannot_be_made(tmp_path):
    (tmp_path / "file").write_text("")
    conf = write_config(tmp_path)
    conf.set_override("state_path", str(tmp_path / "file" / "state"))
    with pytest.raises(minova_conf.ConfigError) as raised:
        db_engine.connect(conf)
    assert str(raised.value) == (
        "[DEFAULT] state_path: cannot create %s: Not a directory"
        % (tmp_path / "file" / "state"))


def test_a_state_path_where_the_file_cannot_be_opened(tmp_path):
    (tmp_path / "state" / "minova.sqlite").mkdir(parents=True)
    with pytest.raises(minova_conf.ConfigError) as raised:
        db_engine.connect(write_config(tmp_path))
    assert str(raised.value) == (
        "[DEFAULT] state_path: cannot open %s: unable to open database file"
        % (tmp_path / "state" / "minova.sqlite"))


def test_masked_url_hides_the_password_of_any_string():
    assert db_engine.masked_url("postgresql+psycopg://u:pw@h/d") == (
        "postgresql+psycopg://u:***@h/d")
    assert db_engine.masked_url("not a url u:pw@h") == "not a url u:***@h"
    assert db_engine.masked_url("sqlite:///x.sqlite") == "sqlite:///x.sqlite"

"""minova_tw.db.migration: upgrade from empty, idempotence, concurrency, seeding once."""

import os
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from minova_tw import conf as minova_conf
from minova_tw.db import engine as db_engine
from minova_tw.db import migration, models

DEFAULT_FLAVORS = [
    ("1", "m1.tiny", 512, 1, 1),
    ("2", "m1.small", 2048, 20, 1),
    ("3", "m1.medium", 4096, 40, 2),
    ("4", "m1.large", 8192, 80, 4),
    ("5", "m1.xlarge", 16384, 160, 8),
]


def _flavors(conf):
    with db_engine.get_database(conf).engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text(
            "SELECT flavorid, name, memory_mb, root_gb, vcpus FROM flavors "
            "ORDER BY flavorid"))]


def test_upgrade_from_empty_to_head(empty_conf):
    assert migration.version(empty_conf) is None
    assert migration.sync(empty_conf) == migration.head() == "0013"
    assert migration.version(empty_conf) == "0013"
    tables = set(sa.inspect(db_engine.get_database(empty_conf).engine)
                 .get_table_names())
    assert set(models.Base.metadata.tables) <= tables


def test_head_is_alembics_head():
    assert migration.HEAD == migration.head()


def test_stacks_at_head_start_without_alembic_or_cryptography(
        backend, conf, tmp_path):
    """Every API process loads its stack, which checks the schema, at
    start-up: on a
    database at head neither alembic nor cryptography (about 19 MB of a
    worker's memory) is imported. PyMySQL imports cryptography itself, for
    MySQL's sha256 authentication."""
    paste = os.path.join(os.path.dirname(__file__), "..", "..", "etc",
                         "api-paste.ini")
    script = (
        "import sys\n"
        "from paste.deploy import loadapp\n"
        "from minova_tw import conf\n"
        "c = conf.load(sys.argv[1:3])\n"
        "for name in ('osapi_compute', 'metadata'):\n"
        "    loadapp('config:' + sys.argv[3], name=name,\n"
        "            global_conf=conf.paste_global_conf(c))\n"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules}\n"
        "                      & {'alembic', 'cryptography'})))\n")
    noauth = tmp_path / "noauth.conf"
    noauth.write_text("[api]\nauth_strategy = noauth2\n")
    proc = subprocess.run(
        [sys.executable, "-c", script, conf.config_file[0], str(noauth),
         os.path.abspath(paste)],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    expected = "cryptography" if backend == "mysql" else ""
    assert proc.stdout.strip() == expected


def test_models_match_the_migrated_schema(conf):
    engine = db_engine.get_database(conf).engine
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, models.Base.metadata)
    assert diff == []


def test_sync_again_is_a_no_op(conf):
    assert migration.sync(conf) == migration.HEAD
    assert migration.sync(conf) == migration.HEAD
    assert _flavors(conf) == DEFAULT_FLAVORS


def test_default_flavors_seeded(conf):
    assert _flavors(conf) == DEFAULT_FLAVORS


def test_deleted_default_flavor_is_not_seeded_again(conf):
    with db_engine.get_database(conf).engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM flavors WHERE flavorid = '1'"))
    migration.sync(conf)
    assert [f[0] for f in _flavors(conf)] == ["2", "3", "4", "5"]


def test_upgrade_keeps_data(empty_conf):
    migration.sync(empty_conf, "0001")
    engine = db_engine.get_database(empty_conf).engine
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO key_pairs (user_id, name, type, public_key, "
            "fingerprint, created_at) VALUES ('u', 'k', 'ssh', 'pk', 'fp', "
            "'2024-01-01 00:00:00')"))
    assert migration.sync(empty_conf) == migration.HEAD
    with engine.connect() as conn:
        assert conn.execute(sa.text(
            "SELECT name FROM key_pairs")).scalars().all() == ["k"]


def test_concurrent_sync_from_two_processes(empty_conf):
    """Both processes start the upgrade at the same moment; one migrates,
    the other waits for the lock and finds the database at head."""
    start = time.time() + 1.5
    script = (
        "import sys, time\n"
        "from minova_tw import conf\n"
        "from minova_tw.db import migration\n"
        "c = conf.load([sys.argv[1]])\n"
        "time.sleep(max(0, float(sys.argv[2]) - time.time()))\n"
        "print(migration.sync(c))\n")
    procs = [subprocess.Popen(
        [sys.executable, "-c", script, empty_conf.config_file[0], str(start)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)]
    results = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], results
    assert [out.strip() for out, _ in results] == [migration.HEAD] * 2
    assert migration.version(empty_conf) == migration.HEAD
    assert _flavors(empty_conf) == DEFAULT_FLAVORS


def test_ensure_current_creates_sqlite_and_only_reads_a_server(
        backend, empty_conf):
    """Start-up, check and reload must not change a server's schema: the
    operator runs minova-manage db sync. An SQLite file is this host's own,
    and the README's first run creates it."""
    if backend == "sqlite":
        migration.ensure_current(empty_conf)
        assert migration.version(empty_conf) == migration.HEAD
        return
    with pytest.raises(minova_conf.ConfigError) as raised:
        migration.ensure_current(empty_conf)
    assert str(raised.value) == (
        "[database] connection: the schema of %s is at revision none (an "
        "empty database), this minova needs %s: run minova-manage db sync"
        % (db_engine.masked_url(empty_conf.database.connection),
           migration.HEAD))
    assert migration.version(empty_conf) is None


def test_ensure_current_names_an_older_revision(backend, empty_conf):
    migration.sync(empty_conf, "0001")
    if backend == "sqlite":
        migration.ensure_current(empty_conf)
        assert migration.version(empty_conf) == migration.HEAD
        return
    with pytest.raises(minova_conf.ConfigError, match="is at revision 0001, "
                       "this minova needs %s: run minova-manage db sync"
                       % migration.HEAD):
        migration.ensure_current(empty_conf)
    assert migration.version(empty_conf) == "0001"


def test_ensure_current_at_head_does_nothing(conf):
    migration.ensure_current(conf)
    assert migration.version(conf) == migration.HEAD

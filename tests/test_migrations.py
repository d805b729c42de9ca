"""The schema only changes through migrations: they build an empty database and match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect


def test_migrations_built_every_table(app):
    from app.extensions import db
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert {t.name for t in db.metadata.sorted_tables} <= tables
    assert "alembic_version" in tables


def test_no_pending_autogenerate_diff(app):
    from app.extensions import db
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == [], diff


def test_upgrade_and_downgrade_on_an_empty_database(tmp_path, database_url):
    """A second, empty database: upgrade to head, down to base, up again."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from tests.conftest import _create_pg_database, make_config
    if database_url.startswith("postgresql"):
        url, drop = _create_pg_database()
    else:
        url, drop = f"sqlite:///{tmp_path}/empty.db", (lambda: None)
    try:
        other = create_app(make_config(url, tmp_path))
        with other.app_context():
            upgrade()
            downgrade(revision="base")
            upgrade()
            from app.extensions import db
            names = set(inspect(db.engine).get_table_names())
            db.engine.dispose()
        assert "hazards" in names and "users" in names
    finally:
        drop()


def test_sqlite_file_uses_wal_and_busy_timeout(tmp_path):
    from app import create_app
    from app.extensions import db
    from tests.conftest import make_config
    other = create_app(make_config(f"sqlite:///{tmp_path}/wal.db", tmp_path))
    with other.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        db.engine.dispose()

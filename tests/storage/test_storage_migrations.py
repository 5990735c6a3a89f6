"""Migrations: idempotent upgrade, and a schema that matches storage.models exactly."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import CheckConstraint, inspect
from sqlmodel import SQLModel

from storage import migrate
from storage.engine import Database

HEAD = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_current_head()


async def test_upgrade_is_idempotent(db_url):
    db = Database(db_url)
    try:
        assert migrate.current(db_url) is None
        await db.upgrade()
        await db.upgrade()
    finally:
        await db.dispose()
    assert migrate.current(db_url) == HEAD == "0012"


def test_sync_upgrade_for_the_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    migrate.upgrade(url)
    assert migrate.current(url) == HEAD


def test_downgrade_to_base_and_back(tmp_path):
    url = f"sqlite:///{tmp_path / 'down.db'}"
    migrate.upgrade(url)
    command.downgrade(migrate.alembic_config(url), "base")
    assert migrate.current(url) is None
    migrate.upgrade(url)
    assert migrate.current(url) == HEAD


def test_sync_url_swaps_async_drivers_only():
    assert str(migrate.sync_url("sqlite+aiosqlite:///x.db")) == "sqlite:///x.db"
    assert str(migrate.sync_url("postgresql+asyncpg://u@h/d")) == "postgresql://u@h/d"
    assert str(migrate.sync_url("sqlite:///x.db")) == "sqlite:///x.db"


async def test_migrated_schema_matches_the_models(db):
    def differences(connection):
        return compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)

    async with db.engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_check_constraints_match_the_models(db):
    """compare_metadata ignores CHECK constraints; compare names and expressions here."""

    def reflected(connection):
        inspector = inspect(connection)
        return {
            check["name"]: check["sqltext"]
            for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)
        }

    declared = {
        constraint.name: str(constraint.sqltext)
        for table in SQLModel.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    async with db.engine.connect() as connection:
        found = await connection.run_sync(reflected)
    if db.engine.dialect.name == "sqlite":
        assert found == declared
    else:  # PostgreSQL rewrites the expressions it stores (IN → = ANY (ARRAY[…]))
        assert found.keys() == declared.keys()

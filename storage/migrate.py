"""Alembic, driven from code: `xieshang db upgrade` and Database.upgrade() both land here.

Migrations run on a synchronous driver derived from the application's async URL
(sqlite+aiosqlite → sqlite, postgresql+asyncpg → postgresql), so a deployment on
PostgreSQL also needs that backend's default sync driver (psycopg2) installed.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import URL, Engine, create_engine, make_url
from sqlalchemy.pool import NullPool

from storage import sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


def sync_url(url: str | URL) -> URL:
    """The same database, reached through the backend's default synchronous driver."""
    url = make_url(url)
    if url.get_dialect().is_async:
        return url.set(drivername=url.get_backend_name())
    return url


def migration_engine(url: str | URL) -> Engine:
    """A throwaway synchronous engine; on SQLite its transactions cover DDL too."""
    engine = create_engine(sync_url(url), poolclass=NullPool)
    if engine.dialect.name == "sqlite":
        sqlite.own_begin(engine)
    return engine


def alembic_config(url: str | URL) -> Config:
    """An Alembic config for storage/migrations, without needing alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    rendered = sync_url(url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def upgrade(url: str | URL) -> None:
    """Bring the database to the newest revision; a no-op when it already is."""
    command.upgrade(alembic_config(url), "head")


def current(url: str | URL) -> str | None:
    """The database's revision, or None before the first migration."""
    engine = migration_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()

"""Alembic environment for xieshang: target is storage.models; batch mode on SQLite."""

from logging.config import fileConfig

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from storage.migrate import migration_engine

config = context.config
if config.config_file_name is not None:  # run from alembic.ini, not from code
    fileConfig(config.config_file_name)

URL = config.get_main_option("sqlalchemy.url")
OPTIONS = {
    "target_metadata": SQLModel.metadata,
    "render_as_batch": URL.startswith("sqlite"),
    "transactional_ddl": True,
}


def run_offline() -> None:
    """Emit SQL instead of running it (`alembic upgrade head --sql`)."""
    context.configure(url=URL, literal_binds=True, **OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run against the database, in one transaction (SQLite included, see storage.sqlite)."""
    engine = migration_engine(URL)
    try:
        with engine.connect() as connection:
            context.configure(connection=connection, **OPTIONS)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()

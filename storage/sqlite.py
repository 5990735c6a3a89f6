"""SQLite connection setup: WAL pragmas, and transactions that begin the way we say.

The sqlite3 driver (and aiosqlite over it) issues its own deferred BEGIN, lazily and
not before DDL. Taking that job away from it (SQLAlchemy's documented recipe) lets
write transactions start with BEGIN IMMEDIATE, so a read-then-write transaction takes
the write lock up front and waits for busy_timeout instead of failing with
SQLITE_BUSY_SNAPSHOT under WAL, and makes migrations transactional.
"""

from typing import Any

from sqlalchemy import Connection, Engine, event

PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000", "synchronous=NORMAL")
# Execution option naming the statement that opens a transaction (default "BEGIN").
BEGIN_OPTION = "storage_sqlite_begin"
BEGIN_IMMEDIATE = {BEGIN_OPTION: "BEGIN IMMEDIATE"}


def set_pragmas(engine: Engine) -> None:
    """Apply PRAGMAS to every new connection of the engine."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()


def own_begin(engine: Engine) -> None:
    """Emit BEGIN ourselves: plain BEGIN, or what the BEGIN_OPTION execution option says."""

    @event.listens_for(engine, "connect")
    def _driver_autocommit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(connection.get_execution_options().get(BEGIN_OPTION, "BEGIN"))

"""PostgreSQL connection setup: write transactions that queue like SQLite's.

The flows read, then write, in one ``db.write()`` transaction (the next proposal number, a
ballot replacing another, a phase claimed once) and rely on write transactions running one at
a time, as SQLite's BEGIN IMMEDIATE makes them. Under PostgreSQL's READ COMMITTED two such
transactions would interleave and lose an update. A transaction-scoped advisory lock taken at
BEGIN gives the same order: writers queue, readers never wait, and the lock ends with the
transaction however it ends.
"""

from sqlalchemy import Connection, Engine, event

WRITE_LOCK_OPTION = "storage_postgres_write_lock"
WRITE_LOCK = {WRITE_LOCK_OPTION: True}
LOCK_KEY = 0x78696573  # "xies": one key for every write transaction of the application


def serialise_writes(engine: Engine) -> None:
    """Transactions on connections with the WRITE_LOCK execution option take the lock first."""

    @event.listens_for(engine, "begin")
    def _lock(connection: Connection) -> None:
        if connection.get_execution_options().get(WRITE_LOCK_OPTION):
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({LOCK_KEY})")

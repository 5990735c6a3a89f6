"""Per-table write counters, so in-process caches know when what they copied has changed.

Every INSERT, UPDATE or DELETE this process sends bumps its table's counter twice: when the
statement runs, and again when the connection goes back to the pool after its transaction
ended. A reader that copied a table between the two bumps may have read the rows before the
commit; the second bump tells it so. A cache compares :meth:`Changes.version` of its tables
before trusting a copy.

Writes by another process (the CLI while the bot runs) are not seen here; caches also expire
by age for that.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, event

_DML = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_PENDING = "xieshang_written_tables"


class Changes:
    def __init__(self, engine: Engine) -> None:
        self._counts: Counter[str] = Counter()
        event.listen(engine, "after_cursor_execute", self._after_execute)
        event.listen(engine, "checkin", self._after_transaction)

    def version(self, tables: Iterable[str]) -> int:
        """A number that grows whenever any of ``tables`` is written."""
        return sum(self._counts[table] for table in tables)

    def _after_execute(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        match = _DML.match(statement)
        if match is not None:
            table = match.group(1).lower()
            self._counts[table] += 1
            conn.info.setdefault(_PENDING, set()).add(table)

    def _after_transaction(self, dbapi_connection: Any, record: Any) -> None:
        for table in record.info.pop(_PENDING, ()):
            self._counts[table] += 1

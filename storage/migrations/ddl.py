"""Column and constraint builders shared by the hand-written migrations.

Kept deliberately small and stable: a migration's output must never change once released, so
change a builder only by adding a new one.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def timestamp(name: str, *, nullable: bool = False) -> sa.Column:
    """An aware UTC timestamp column (storage.timestamps.UTCDateTime in the models)."""
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """A foreign key to ``target.id``, named by the models' naming convention."""
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}")


def one_of(
    column: str, values: tuple[str, ...], name: str, *, nullable: bool = False
) -> sa.CheckConstraint:
    """CHECK that ``column`` holds one of ``values`` (or NULL when ``nullable``)."""
    allowed = "{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values))
    return sa.CheckConstraint(
        f"{column} IS NULL OR {allowed}" if nullable else allowed, name=op.f(name)
    )

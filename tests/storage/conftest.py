"""A migrated SQLite database per test, in tmp_path."""

import pytest

from storage.engine import Database


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'xieshang.db'}"


@pytest.fixture
async def db(db_url):
    database = Database(db_url)
    await database.upgrade()
    yield database
    await database.dispose()

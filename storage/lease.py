"""Leases: a named right that one process holds at a time, until it lets go or stops renewing.

The scheduler takes one so that a deployment with several bot processes runs each sweep once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError

from storage.engine import Database
from storage.models import SchedulerLease


async def take(db: Database, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease until ``now + ttl``; False while another holder's is current.

    The row is locked while it is read (SQLite's write transaction, FOR UPDATE elsewhere); two
    processes creating it at once meet the primary key, and the loser does not hold it.
    """
    try:
        async with db.write() as session:
            lease = await session.get(SchedulerLease, name, with_for_update=True)
            if lease is None:
                lease = SchedulerLease(name=name, holder=holder, expires_at=now + ttl)
            elif lease.holder == holder or lease.expires_at <= now:
                lease.holder, lease.expires_at = holder, now + ttl
            else:
                return False
            session.add(lease)
    except IntegrityError:
        return False
    return True


async def release(db: Database, name: str, holder: str, now: datetime) -> None:
    """Let go at once, so that another process need not wait for the lease to run out."""
    async with db.write() as session:
        lease = await session.get(SchedulerLease, name)
        if lease is not None and lease.holder == holder:
            lease.expires_at = now
            session.add(lease)

"""The audit log: a verifiable hash chain that refuses changes and reveals tampering."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.models import AuditEvent


async def _record(db, count: int, start: int = 1) -> list[AuditEvent]:
    async with db.write() as s:
        positions = [
            await audit.record(
                s,
                "member.language",
                actor_id=n,
                community_id=1,
                subject=f"member:{n}",
                data={"from": None, "to": "en", "备注": f"第{n}次"},
            )
            for n in range(start, start + count)
        ]
    async with db.session() as s:
        return [await s.get_one(AuditEvent, position) for position in positions]


async def _verify(db) -> audit.ChainReport:
    async with db.session() as s:
        return await audit.verify(s)


async def _tamper(db, *statements: str) -> None:
    """Run raw SQL against audit_event with the append-only triggers out of the way."""
    async with db.write() as s:
        if db.engine.dialect.name == "sqlite":
            await s.execute(text("DROP TRIGGER audit_event_no_update"))
            await s.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            await s.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        for statement in statements:
            await s.execute(text(statement))


async def test_recorded_events_form_a_chain(db):
    events = await _record(db, 5)
    assert [e.id for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(events, events[1:], strict=False))
    assert await _verify(db) == audit.ChainReport(ok=True, count=5, problems=[])


async def test_empty_log_verifies(db):
    assert await _verify(db) == audit.ChainReport(ok=True, count=0, problems=[])


async def test_rolled_back_record_leaves_no_gap(db):
    await _record(db, 2)
    with pytest.raises(RuntimeError):
        async with db.write() as s:
            await audit.record(s, "poll.vote")
            raise RuntimeError("the flow failed after auditing")
    [event] = await _record(db, 1, start=3)
    assert event.id == 3
    assert (await _verify(db)).ok


async def test_a_batched_step_appends_its_events_at_once_in_order(db):
    await _record(db, 1)
    async with db.write() as s, audit.batched(s):
        for n in (2, 3, 4):
            assert await audit.record(s, "cycle.chair", community_id=1, data={"n": n}) == 0
        async with audit.batched(s):  # a nested block joins the outer one
            await audit.record(s, "role.granted", community_id=1)
        async with db.session() as other:  # nothing is written before the block ends
            assert await other.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc())) == 1
    async with db.session() as s:
        events = (await s.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [e.action for e in events[1:]] == ["cycle.chair"] * 3 + ["role.granted"]
    assert [e.id for e in events] == [1, 2, 3, 4, 5]
    assert await _verify(db) == audit.ChainReport(ok=True, count=5, problems=[])


async def test_a_failed_batched_step_appends_nothing(db):
    with pytest.raises(RuntimeError):
        async with db.write() as s, audit.batched(s):
            await audit.record(s, "cycle.freeze", community_id=1)
            raise RuntimeError("the phase failed after auditing")
    [event] = await _record(db, 1)
    assert event.id == 1
    assert (await _verify(db)).ok


async def test_update_and_delete_are_refused(db):
    await _record(db, 2)
    for statement in (
        "UPDATE audit_event SET action = 'x' WHERE id = 1",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.write() as s:
                await s.execute(text(statement))
    assert await _verify(db) == audit.ChainReport(ok=True, count=2, problems=[])


async def test_changed_data_is_named(db):
    await _record(db, 4)
    await _tamper(db, """UPDATE audit_event SET data = '{"to":"zh_CN"}' WHERE id = 2""")
    report = await _verify(db)
    assert not report.ok
    assert report.problems == ["event 2: content changed, hash does not match"]


async def test_rehashed_change_breaks_the_next_link(db):
    await _record(db, 4)
    async with db.session() as s:
        event = (await s.execute(select(AuditEvent).where(AuditEvent.id == 2))).scalar_one()
    event.actor_id = 99
    forged = audit.event_hash(event)
    await _tamper(db, f"UPDATE audit_event SET actor_id = 99, hash = '{forged}' WHERE id = 2")
    report = await _verify(db)
    assert report.problems == ["event 3: chain broken, prev_hash is not event 2's hash"]


async def test_deleted_middle_row_is_detected(db):
    await _record(db, 5)
    await _tamper(db, "DELETE FROM audit_event WHERE id = 3")
    report = await _verify(db)
    assert (report.ok, report.count) == (False, 4)
    assert report.problems == ["event 4: chain broken, event 3 missing"]


async def test_deleted_tail_disagrees_with_the_head(db):
    await _record(db, 3)
    await _tamper(db, "DELETE FROM audit_event WHERE id = 3")
    report = await _verify(db)
    assert report.problems == ["audit head: says the log ends at event 3, it ends at 2"]


async def test_swapped_rows_are_detected(db):
    await _record(db, 3)
    await _tamper(
        db,
        "UPDATE audit_event SET id = -1 WHERE id = 1",
        "UPDATE audit_event SET id = 1 WHERE id = 2",
        "UPDATE audit_event SET id = 2 WHERE id = -1",
    )
    report = await _verify(db)
    assert report.problems[:2] == [
        "event 1: chain broken, prev_hash is not the genesis hash",
        "event 1: content changed, hash does not match",
    ]
    assert "event 2: content changed, hash does not match" in report.problems


async def test_verify_url_for_the_cli(db, db_url):
    await _record(db, 2)
    assert await audit.verify_url(db_url) == audit.ChainReport(ok=True, count=2, problems=[])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
events = st.fixed_dictionaries(
    {
        "action": st.sampled_from(["member.language", "poll.vote", "proposal.second", "审核"]),
        "actor_id": st.none() | st.integers(1, 2**31 - 1),
        "community_id": st.none() | st.integers(1, 2**31 - 1),
        # Subjects are identifiers ("proposal:3"); text columns cannot hold NUL on PostgreSQL.
        "subject": st.none() | st.text(st.characters(blacklist_characters="\x00"), max_size=30),
        "data": st.none() | st.dictionaries(st.text(max_size=8), json_values, max_size=4),
    }
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(transactions=st.lists(st.lists(events, max_size=4), max_size=3))
async def test_any_sequence_of_events_verifies(db, transactions):
    before = (await _verify(db)).count
    for batch in transactions:
        async with db.write() as s:
            for event in batch:
                await audit.record(s, **event)
    report = await _verify(db)
    assert report == audit.ChainReport(
        ok=True, count=before + sum(map(len, transactions)), problems=[]
    )

"""``xieshang import roster|chairs``, run as an operator runs it: as a process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import func, select

from storage.engine import Database
from storage.models import AuditEvent, ChairRotation, Household
from tests import factories
from tests.e2e.test_cli import xieshang

DATA = Path(__file__).resolve().parents[1] / "data"
BAD_OUTCOME = {
    "imported": 2,
    "unchanged": 0,
    "rejected": [
        {"line": 3, "reason": "户号 1-1-101 重复，第 2 行已使用"},
        {"line": 4, "reason": "户号为空"},
        {
            "line": 5,
            "reason": "手机尾号一栏像是完整的手机号码，只能填写后 4 位（该号码未被保存）",
        },
        {"line": 6, "reason": "本社区没有第九网格（网格由管理员创建，导入不会新建网格）"},
        {"line": 8, "reason": "列数太少：应有 7 列，实际 4 列"},
        {"line": 9, "reason": "列数太多：应有 7 列，实际 8 列"},
    ],
}


@pytest.fixture
async def url(tmp_path: Path) -> str:
    """A database holding 小桃园社区 with its two grids and nothing else."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    db = Database(url)
    await db.upgrade()
    await factories.community(db)
    await db.dispose()
    return url


async def count(url: str, what: type) -> int:
    db = Database(url)
    try:
        async with db.session() as s:
            return await s.scalar(select(func.count()).select_from(what))
    finally:
        await db.dispose()


def run(url: str, tmp_path: Path, *args: str) -> tuple[list[str], str]:
    done = xieshang(*args, "--community", "小桃园社区", "--db", url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines(), done.stderr


async def test_bad_roster_dry_run_stores_nothing_then_imports_lines_2_and_7(
    url: str, tmp_path: Path
) -> None:
    bad = str(DATA / "roster-bad.csv")
    lines, _ = run(url, tmp_path, "import", "roster", bad, "--dry-run", "--json")
    assert json.loads(lines[-1]) == BAD_OUTCOME
    assert lines[0] == "名册 roster-bad.csv 已检查。" and "试运行：没有保存任何内容。" in lines
    assert await count(url, Household) == 0 and await count(url, AuditEvent) == 0

    lines, stderr = run(url, tmp_path, "import", "roster", bad, "--json")
    assert json.loads(lines[-1]) == BAD_OUTCOME
    assert lines[:2] == [
        "名册 roster-bad.csv 已导入。",
        "已导入 2 行（新增 2，更新 0）；无变化 0 行；未导入 6 行。",
    ]
    assert "第 5 行：手机尾号一栏像是完整的手机号码，只能填写后 4 位（该号码未被保存）" in lines
    assert "12345678901" not in "\n".join(lines) + stderr
    assert await count(url, Household) == 2 and await count(url, AuditEvent) == 1

    lines, _ = run(url, tmp_path, "import", "roster", bad, "--json")
    assert json.loads(lines[-1]) == {**BAD_OUTCOME, "imported": 0, "unchanged": 2}
    assert await count(url, Household) == 2


async def test_english_report_and_a_changed_household_is_updated(url: str, tmp_path: Path) -> None:
    first = tmp_path / "first.csv"
    first.write_text("grid,building,unit,room,household,representative,phone_tail\n"
                     "第一网格,1栋,1单元,101,1-1-101,王伟,1234\n", encoding="utf-8")  # fmt: skip
    run(url, tmp_path, "import", "roster", str(first))
    changed = tmp_path / "changed.csv"
    changed.write_text("grid,building,unit,room,household,representative,phone_tail\n"
                       "第一网格,1栋,1单元,101,1-1-101,王伟,5678\n"
                       "第一网格,1栋,1单元,102,1-1-102,李娜,１３８００１３８０００\n", encoding="utf-8")  # fmt: skip
    lines, _ = run(url, tmp_path, "import", "roster", str(changed), "--json", "--language", "en")
    assert lines[:2] == [
        "Roster changed.csv imported.",
        "Imported: 1 (0 new, 1 changed). Already up to date: 0. Not imported: 1.",
    ]
    assert json.loads(lines[-1]) == {
        "imported": 1,
        "unchanged": 0,
        "rejected": [
            {
                "line": 3,
                "reason": "the phone tail looks like a full phone number; give only its last "
                "4 digits (the number was not stored)",
            }
        ],
    }
    db = Database(url)
    async with db.session() as s:
        [tail] = (await s.scalars(select(Household.phone_tail))).all()
        events = (await s.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    await db.dispose()
    assert tail == "5678"
    assert json.loads(events[-1].data)["households_updated"] == {"1-1-101": ["phone_tail"]}


async def test_chair_rotation_needs_the_roster_and_replaces_itself(
    url: str, tmp_path: Path
) -> None:
    chairs = str(DATA / "chair-rotation-xiaotaoyuan.csv")
    lines, _ = run(url, tmp_path, "import", "chairs", chairs, "--json")
    outcome = json.loads(lines[-1])
    assert outcome["imported"] == 0 and len(outcome["rejected"]) == 32
    assert outcome["rejected"][0] == {"line": 2, "reason": "本社区名册中没有户号 5-1-401"}

    run(url, tmp_path, "import", "roster", str(DATA / "roster-xiaotaoyuan.csv"))
    lines, _ = run(url, tmp_path, "import", "chairs", chairs, "--json")
    assert json.loads(lines[-1]) == {"imported": 32, "unchanged": 0, "rejected": []}
    lines, _ = run(url, tmp_path, "import", "chairs", chairs, "--json")
    assert json.loads(lines[-1]) == {"imported": 0, "unchanged": 32, "rejected": []}

    shorter = tmp_path / "short.csv"
    shorter.write_text(
        "position,household,name\n1,7-1-302,谢超\n2,2-1-203,崔静\n", encoding="utf-8"
    )
    lines, _ = run(url, tmp_path, "import", "chairs", str(shorter), "--json")
    assert json.loads(lines[-1]) == {"imported": 2, "unchanged": 0, "rejected": []}
    assert "从轮值名单中移除的顺序：30 个" in lines
    assert await count(url, ChairRotation) == 2


def test_operator_mistakes_are_one_line_and_exit_2(url: str, tmp_path: Path) -> None:
    roster = str(DATA / "roster-xiaotaoyuan.csv")
    cases = {
        ("roster", str(tmp_path / "missing.csv"), "小桃园社区"): "no such file",
        ("roster", roster, "大桃园社区"): "没有“大桃园社区”这个社区",
        ("chairs", roster, "小桃园社区"): "use `xieshang import roster`",
        ("roster", str(DATA), "小桃园社区"): "is a directory",
    }
    binary = tmp_path / "binary.csv"
    binary.write_bytes(bytes(range(256)))
    cases[("roster", str(binary), "小桃园社区")] = "这个文件无法作为文本读取"
    for (kind, path, community), said in cases.items():
        done = xieshang("import", kind, path, "--community", community, "--db", url, cwd=tmp_path)
        assert done.returncode == 2, (kind, path, done.stdout)
        assert said in done.stderr and done.stderr.count("\n") == 1, done.stderr
        assert "Traceback" not in done.stderr and not done.stdout


def test_help_names_the_options(tmp_path: Path) -> None:
    for kind in ("roster", "chairs"):
        shown = xieshang("import", kind, "--help", cwd=tmp_path)
        assert shown.returncode == 0
        for option in ("--community", "--dry-run", "--json", "--language", "--db"):
            assert option in shown.stdout

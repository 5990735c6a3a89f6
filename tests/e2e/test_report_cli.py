"""``xieshang report`` as an operator runs it: a process over the database of an estate arranged
in storage, the summary printed, the CSV written, refusals as one line (exit 2)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from storage.engine import Database
from tests.e2e.test_setup_cli import operator
from tests.unit.test_indicators import arranged


async def test_an_operator_prints_the_report_and_writes_the_csv(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'xieshang.db'}")
    await db.upgrade()
    await arranged(db)  # October 2026 in 小桃园社区
    await db.dispose()
    cli = operator(tmp_path)

    printed = cli("report", "--community", "小桃园社区", "--month", "2026-10", "--csv", "10.csv")
    assert printed.returncode == 0, printed.stderr
    lines = printed.stdout.splitlines()
    assert lines[0] == "Indicators of 小桃园社区, 2026-10"
    assert "Households that took part (raised, seconded, voted or rated): 6 of 7 (85.7%)" in lines
    assert "Action items: 1 done on time, 1 done late, 1 overdue." in lines
    assert "Vote 2 “监事选举”: 2 of 7 households voted (28.6%), not passed" in lines
    assert "Vote 1 “提案1表决<i>急</i>”: 2 of 5 households voted (40.0%), passed" in lines
    assert lines[-1] == "CSV: 10.csv"
    data = (tmp_path / "10.csv").read_bytes()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r[2] for r in rows] == [
        "name",
        "小桃园社区",
        "第一网格",
        "A栋",
        "B栋",
        "第二网格",
        "C栋",
    ]

    chinese = cli(
        "report",
        "--community",
        "小桃园社区",
        "--month",
        "２０２６－０９",
        "--to",
        "2026-10",
        "--lang",
        "zh_CN",
    )
    assert chinese.returncode == 0, chinese.stderr
    assert chinese.stdout.startswith("小桃园社区 2026-09至2026-10 协商指标\n")
    assert (
        "提案：提出6件" in chinese.stdout and "：7/8（87.5%）" in chinese.stdout
    )  # C3 left in Sep

    for args, error in [
        (("--month", "2026-13"), "Give the month as YYYY-MM, e.g. /report 2026-11"),
        (("--month", "2026-10", "--to", "2026-09"), "The range 2026-10..2026-09 runs backwards"),
        (("--month", "2099-01"), "2099-01 has not begun yet"),
        (("--month", "2026-10", "--csv", "missing/dir/x.csv"), "cannot write missing/dir/x.csv"),
    ]:
        refused = cli("report", "--community", "小桃园社区", *args)
        assert refused.returncode == 2, (args, refused.stdout)
        assert refused.stderr.startswith(f"xieshang: {error}"), refused.stderr
        assert refused.stderr.count("\n") == 1 and not refused.stdout
    unknown = cli("report", "--community", "大桃园", "--month", "2026-10")
    assert (unknown.returncode, unknown.stderr) == (
        2,
        "xieshang: There is no community “大桃园”. Communities: 小桃园社区.\n",
    )
    missing = cli("report", "--community", "小桃园社区")
    assert missing.returncode == 2 and "--month" in missing.stderr

"""Every message in the code is translated in both catalogs, and the catalogs compile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, normalize_language

ROOT = Path(__file__).resolve().parents[2]


def extracted_ids(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "t",
            "-k",
            "tn:1,2",
            "--no-location",
            "-o",
            str(pot),
            str(ROOT / "bot"),
        ],
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_every_message_is_translated_in_every_language(tmp_path: Path) -> None:
    ids = extracted_ids(tmp_path)
    assert len(ids) > 10
    for language in LANGUAGES:
        with (LOCALES_DIR / language / "LC_MESSAGES" / "xieshang.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}
        missing = sorted(ids - translated.keys())
        assert not missing, f"{language}: not in the catalog (run make i18n-update): {missing}"
        empty = sorted(i for i in ids if not translated[i].string or translated[i].fuzzy)
        assert not empty, f"{language}: untranslated or fuzzy: {empty}"
        stale = sorted(translated.keys() - ids)
        assert not stale, f"{language}: no longer in the code (make i18n-update drops): {stale}"


def test_catalogs_pass_babels_checks() -> None:
    """What `pybabel compile` (run by make) refuses must fail here too, e.g. a msgid that babel
    reads as %-format ("60 % of" looks like "% o"): we only use {name} placeholders."""
    for language in LANGUAGES:
        with (LOCALES_DIR / language / "LC_MESSAGES" / "xieshang.po").open("rb") as f:
            catalog = read_po(f, locale=language)
        problems = [(m.id, errors) for m, errors in catalog.check()]
        assert not problems, f"{language}: {problems}"
        percent = [m.id for m in catalog if m.id and m.python_format]
        assert not percent, f"{language}: msgids that look like %-format (reword them): {percent}"


def test_placeholders_survive_translation() -> None:
    import re

    for language in LANGUAGES:
        with (LOCALES_DIR / language / "LC_MESSAGES" / "xieshang.po").open("rb") as f:
            for m in read_po(f, locale=language):
                if m.id and m.string:
                    assert set(re.findall(r"{\w+}", m.id)) == set(re.findall(r"{\w+}", m.string)), (
                        m.id
                    )


def test_telegram_language_codes_map_to_ours() -> None:
    assert normalize_language("zh-hans") == "zh_CN"
    assert normalize_language("zh-TW") == "zh_CN"
    assert normalize_language("en-US") == "en"
    assert normalize_language("de") == "zh_CN"
    assert normalize_language(None, default="en") == "en"

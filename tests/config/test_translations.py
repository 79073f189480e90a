"""French is complete at every commit: the catalogue has no gaps and covers every string in the code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
# Folders makemessages must not read: third-party code, data, assets (the django domain reads .py, .html
# .txt and .jinja), and code whose strings users never see.
NOT_SCANNED = {
    ".venv",
    ".agora",
    ".git",
    "tests",
    "bench",
    "static",
    "staticfiles",
    "node_modules",
    "test-results",
}
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq", "msgattrib")


def gaps(catalogue: polib.POFile, *, known: set[str] | None = None) -> list[str]:
    """One line per entry a French reader would see in English: untranslated or still fuzzy.

    With `known` (the msgids of the committed catalogue), strings the catalogue lacks are named so;
    msgmerge marks them fuzzy when it guesses a translation from a similar string.
    """
    lines = []
    for entry in catalogue:
        if entry.obsolete or (entry.translated() and not entry.fuzzy):
            continue
        if known is not None and entry.msgid not in known:
            state = "not in the catalogue"
        else:
            state = "fuzzy" if entry.fuzzy else "untranslated"
        where = ", ".join(f"{path}:{line}" for path, line in entry.occurrences[:2])
        lines.append(f"{state}: {entry.msgid!r} ({where})")
    return lines


def test_every_french_message_is_translated_and_none_is_fuzzy():
    missing = gaps(polib.pofile(str(CATALOGUE)))

    assert not missing, f"{len(missing)} French message(s) to finish in {CATALOGUE}:\n" + "\n".join(missing)


def test_the_french_catalogue_has_the_plural_rule_of_french():
    assert polib.pofile(str(CATALOGUE)).metadata["Plural-Forms"] == "nplurals=2; plural=(n > 1);"


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in GETTEXT_TOOLS),
    reason="GNU gettext (xgettext, msgmerge) is not installed: the fresh-extraction check needs it",
)
def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path):
    tree = tmp_path / "agora"
    shutil.copytree(
        settings.BASE_DIR,
        tree,
        ignore=lambda folder, names: [
            name
            for name in names
            if name in {"__pycache__", ".ruff_cache", ".pytest_cache"}
            or (Path(folder) == Path(settings.BASE_DIR) and name in NOT_SCANNED)
        ],
    )
    result = subprocess.run(
        # .jinja: the hot templates (core/jinja.py) translate with {{ _("…") }}, which makemessages reads.
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "-e",
            "html,txt,py,jinja",
            "-v",
            "0",
        ]
        + [f"--ignore={name}/*" for name in sorted(NOT_SCANNED)],
        cwd=tree,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr

    committed = {entry.msgid for entry in polib.pofile(str(CATALOGUE))}
    missing = gaps(polib.pofile(str(tree / "locale" / "fr" / "LC_MESSAGES" / "django.po")), known=committed)

    assert not missing, (
        f"{len(missing)} string(s) in the code lack a French translation; run "
        "`manage.py makemessages -l fr --no-obsolete -e html,txt,py,jinja` and translate them:\n"
        + "\n".join(missing)
    )


def test_jinja_templates_translate_only_what_makemessages_can_find():
    """makemessages reads `_("…")` in .jinja files only when the call has no other argument: a sentence
    with a value (or a plural) in a Jinja2 template would silently leave the catalogue."""
    import re

    hidden = re.compile(r"""\b(?:_|gettext|ngettext)\(\s*(["']).*?\1\s*,""")
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {match.group(0)}"
        for path in Path(settings.BASE_DIR).glob("*/jinja2/**/*.jinja")
        for match in hidden.finditer(path.read_text())
    ]
    assert not found, "pass these from Python instead:\n" + "\n".join(found)

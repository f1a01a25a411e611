"""The Urdu catalogue (locale/**/django.po): complete, consistent with its compiled .mo, and up to
date with the messages marked in the code (docs/urdu-glossary.md, `make messages`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted((ROOT / "locale").rglob("*.po"))
# %(name)s, %s, %d and {name}: what gettext and str.format replace; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdfr]|%[sdfr]|\{[A-Za-z_][A-Za-z0-9_]*\}")
# The Makefile's `messages` target, whose options this test repeats.
MAKEFILE = (ROOT / "Makefile").read_text()


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def label(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid[:60]!r}"


def keys(catalogue: polib.POFile) -> set[tuple[str | None, str, str]]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in catalogue if not e.obsolete}


def test_there_is_an_urdu_catalogue():
    assert ROOT / "locale/ur/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    assert [label(e) for e in catalogue.untranslated_entries()] == []
    assert [label(e) for e in catalogue.fuzzy_entries()] == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_plural_messages_have_both_forms(path):
    catalogue = polib.pofile(str(path))
    assert "nplurals=2;" in catalogue.metadata["Plural-Forms"]
    missing = [
        label(e) for e in catalogue if e.msgid_plural and not (e.msgstr_plural.get(0) and e.msgstr_plural.get(1))
    ]
    assert missing == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_translations_keep_the_placeholders_of_the_english(path):
    catalogue = polib.pofile(str(path))
    wrong = []
    for entry in catalogue.translated_entries():
        if not entry.msgid_plural:
            wrong += [label(entry)] if placeholders(entry.msgstr) != placeholders(entry.msgid) else []
            continue
        # A singular may leave the count out ("See the incident" / "See the %(count)s incidents"): each
        # Urdu form keeps every placeholder of its English form (0: n = 1, 1: otherwise) and adds none
        # that English lacks.
        either = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
        english = {0: entry.msgid, 1: entry.msgid_plural}
        for index, form in entry.msgstr_plural.items():
            if not placeholders(english[int(index)]) <= placeholders(form) <= either:
                wrong.append(label(entry))
    assert wrong == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalogue_matches_its_source(path):
    """The committed .mo is what `compilemessages` makes of the .po: same messages, same translations."""
    source = polib.pofile(str(path))
    compiled = polib.mofile(str(path.with_suffix(".mo")))

    def translations(catalogue) -> dict:
        return {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if e.msgid and not e.obsolete and "fuzzy" not in e.flags
        }

    assert translations(compiled) == translations(source)


def makemessages_options() -> list[str]:
    """The options of the Makefile's makemessages line, with $(MESSAGES_IGNORE) spelled out."""
    ignore = re.search(r"^MESSAGES_IGNORE := (.*)$", MAKEFILE, re.MULTILINE).group(1).split()
    line = re.search(r"manage\.py makemessages (.*)$", MAKEFILE, re.MULTILINE).group(1)
    return [part for word in line.split() for part in (ignore if word == "$(MESSAGES_IGNORE)" else [word])]


def test_makemessages_finds_no_message_missing_from_the_catalogue(tmp_path):
    """makemessages, run over the code into a copy of locale/, collects exactly the committed messages.

    The copy sits beside links to the project's files, so makemessages (which writes to the locale
    directory nearest above each file it reads) writes into the copy and never into locale/.
    """
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext (xgettext) is needed to check the catalogue in CI")
        pytest.skip("GNU gettext (xgettext) is not installed: cannot collect the marked messages")
    for entry in ROOT.iterdir():
        if entry.name not in {"locale", ".git", ".venv", "node_modules", "staticfiles", "media"}:
            (tmp_path / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", "makemessages", *makemessages_options(), "--symlinks", "--verbosity", "0"],
        cwd=tmp_path,
        env={**os.environ, "DEBUG": "1"},
        check=True,
        capture_output=True,
        timeout=60,
    )
    committed = polib.pofile(str(ROOT / "locale/ur/LC_MESSAGES/django.po"))
    collected = polib.pofile(str(tmp_path / "locale/ur/LC_MESSAGES/django.po"))
    assert sorted(keys(collected) - keys(committed), key=str) == [], "marked in the code, not in the catalogue"
    assert sorted(keys(committed) - keys(collected), key=str) == [], "in the catalogue, no longer in the code"

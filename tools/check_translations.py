"""Fail when the zh_Hans catalogue lacks a translation (issue 21): every user-facing string is shown in Chinese.

Extracts the project's strings afresh (`makemessages -l zh_Hans`) into a temporary copy of the catalogue, so the
working tree is never touched, then refuses any entry whose msgstr is empty or that is marked `#, fuzzy`. Run by
`make check` (and so by CI). `--update` instead writes the fresh extraction back to locale/ for translators to
fill in, keeping every existing translation.

Plain parsing rather than polib: the .po format needed here is small, and the check adds no dependency.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
# Where user-facing strings live; tests are not shown to anyone.
SOURCES = ("shequ", "config")
TEXT_FILES = (".py", ".html", ".txt", ".po")
SKIP_DIRS = {"tests", "static", "__pycache__", "migrations", "data", "citypacks"}


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    return {
        n for n in names if n in SKIP_DIRS or (Path(directory, n).is_file() and not n.endswith(TEXT_FILES))
    }


def catalogues(root: Path) -> list[Path]:
    """Every zh_Hans catalogue under root: the project's and any app's own (shequ/<app>/locale)."""
    found = [root / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"]
    for name in SOURCES:
        found += sorted((root / name).glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))
    return [p for p in found if p.exists()]


def extract(into: Path) -> Path:
    """Run makemessages on a copy of the sources and catalogues in `into`; return that copy's root.

    makemessages writes to the locale directory nearest each source file (an app's own, else the project's),
    so it runs on a copy and the working tree is left alone."""
    sys.path.insert(0, str(BASE_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django
    from django.conf import settings

    django.setup()
    from django.core.management import call_command

    shutil.copytree(BASE_DIR / "locale", into / "locale")
    for name in SOURCES:
        shutil.copytree(BASE_DIR / name, into / name, ignore=_copy_ignore)
    settings.LOCALE_PATHS = [into / "locale"]
    cwd = os.getcwd()
    os.chdir(into)
    try:
        call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    finally:
        os.chdir(cwd)
    return into


def _unquote(s: str) -> str:
    s = s.strip()
    return s[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape") if len(s) >= 2 else ""


def entries(text: str) -> list[dict]:
    """Entries of a .po file: msgctxt, msgid, msgstr (plural forms joined), flags, reference lines."""
    out: list[dict] = []
    for block in text.split("\n\n"):
        entry: dict = {
            "flags": set(),
            "refs": [],
            "msgctxt": "",
            "msgid": "",
            "msgstr": [],
            "obsolete": False,
        }
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
                continue
            if line.startswith("#,"):
                entry["flags"] |= {f.strip() for f in line[2:].split(",")}
            elif line.startswith("#:"):
                entry["refs"].append(line[2:].strip())
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
                head, _, rest = line.partition(" ")
                key = head
                if head.startswith("msgstr"):
                    entry["msgstr"].append(_unquote(rest))
                elif head == "msgid":
                    entry["msgid"] = _unquote(rest)
                elif head == "msgctxt":
                    entry["msgctxt"] = _unquote(rest)
            elif line.startswith('"') and key:
                if key.startswith("msgstr"):
                    entry["msgstr"][-1] += _unquote(line)
                elif key == "msgid":
                    entry["msgid"] += _unquote(line)
                elif key == "msgctxt":
                    entry["msgctxt"] += _unquote(line)
        if entry["msgid"] and not entry["obsolete"]:
            out.append(entry)
    return out


def problems(text: str) -> list[str]:
    bad = []
    for e in entries(text):
        where = e["refs"][0] if e["refs"] else "?"
        label = (f"[{e['msgctxt']}] " if e["msgctxt"] else "") + repr(e["msgid"])
        if "fuzzy" in e["flags"]:
            bad.append(f"fuzzy: {label} ({where})")
        elif not all(s.strip() for s in e["msgstr"]):
            bad.append(f"untranslated: {label} ({where})")
    return bad


def main(argv: list[str]) -> int:
    bad: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = extract(Path(tmp))
        for fresh in catalogues(root):
            rel = fresh.relative_to(root)
            text = fresh.read_text(encoding="utf-8")
            if "--update" in argv:
                (BASE_DIR / rel).write_text(text, encoding="utf-8")
            bad += [f"{rel}: {line}" for line in problems(text)]
    for line in bad:
        print(line)
    if bad:
        print(
            f"{len(bad)} string(s) without a Chinese translation (tools/check_translations.py --update adds them)"
        )
        return 1
    print("translations: every string has a Chinese translation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

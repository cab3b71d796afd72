"""Fail when the zh_Hans catalogue lacks a translation (issue 21): every user-facing string is shown in Chinese.

Extracts the project's strings afresh (`makemessages -l zh_Hans`) into a temporary copy of the catalogue, so the
working tree is never touched, then refuses any entry whose msgstr is empty or that is marked `#, fuzzy`. Run by
`make check` (and so by CI). `--update` instead writes the fresh extraction back to locale/ for translators to
fill in, keeping every existing translation.

Django merges every catalogue into one at run time (the project's locale/ first, then the apps' in INSTALLED_APPS
order), so the check also refuses a string translated in two ways: between two of the project's catalogues, by an
entry the sources no longer use but that is still compiled, or by an installed app outside the project (Django's
admin and auth come first) for a string only an app of ours translates.

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


def clashes(texts: dict[str, str]) -> list[str]:
    """The same msgid (and context) translated differently in two catalogues.

    Django merges every catalogue into one, so only one of the translations is ever shown, on both apps' pages
    (care's "Record" as 登记 made the indicators' 记录 button read 登记). Give such strings a context
    (pgettext / {% translate "…" context "…" %}) in one of the apps."""
    seen: dict[tuple[str, str], dict[str, str]] = {}
    for rel, text in texts.items():
        for e in entries(text):
            if "fuzzy" in e["flags"] or not all(t.strip() for t in e["msgstr"]):
                continue
            seen.setdefault((e["msgctxt"], e["msgid"]), {}).setdefault(" | ".join(e["msgstr"]), rel)
    bad = []
    for (ctxt, msgid), translations in sorted(seen.items()):
        if len(translations) > 1:
            label = (f"[{ctxt}] " if ctxt else "") + repr(msgid)
            shown = "; ".join(f"{t!r} in {rel}" for t, rel in translations.items())
            bad.append(f"translated differently: {label}: {shown}")
    return bad


def stale(fresh: str, current: str) -> str:
    """The entries of the working tree's catalogue that a fresh extraction no longer has, as .po text.

    makemessages drops them, but until then they are compiled into the .mo and still win: a string moved from the
    project's catalogue to an app's kept showing the project's old wording (venues' "Nobody yet." read 还没有人报名)."""
    keep = {(e["msgctxt"], e["msgid"]) for e in entries(fresh)}
    return "\n\n".join(
        block
        for block in current.split("\n\n")
        if any((e["msgctxt"], e["msgid"]) not in keep for e in entries(block))
    )


def installed_catalogues() -> dict[str, tuple[int, Path]]:
    """Every installed app's zh_Hans catalogue: its app's name -> (the app's place in INSTALLED_APPS, the .po)."""
    from django.apps import apps

    found = {
        a.name: (n, Path(a.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
        for n, a in enumerate(apps.get_app_configs())
    }
    return {name: (n, po) for name, (n, po) in found.items() if po.exists()}


def overridden(
    project: str, ours: dict[str, tuple[int, str]], outside: dict[str, tuple[int, str]]
) -> list[str]:
    """A string an app of ours translates that an earlier installed app outside the project translates otherwise.

    Both map a catalogue's name to (its app's place in INSTALLED_APPS, its text). Django shows the earlier app's
    translation unless the project's own catalogue has the string (care's "group" 群体 read 组, from django.contrib.auth)."""
    mine = {(e["msgctxt"], e["msgid"]) for e in entries(project)}
    theirs: dict[tuple[str, str], tuple[int, str, list[str]]] = {}
    for name, (rank, text) in outside.items():
        for e in entries(text):
            k = (e["msgctxt"], e["msgid"])
            if "fuzzy" in e["flags"] or not all(t.strip() for t in e["msgstr"]):
                continue
            if k not in theirs or rank < theirs[k][0]:
                theirs[k] = (rank, name, e["msgstr"])
    bad = []
    for rel, (rank, text) in ours.items():
        for e in entries(text):
            k = (e["msgctxt"], e["msgid"])
            if k in mine or k not in theirs or "fuzzy" in e["flags"]:
                continue
            their_rank, name, msgstr = theirs[k]
            if their_rank < rank and msgstr != e["msgstr"]:
                label = (f"[{k[0]}] " if k[0] else "") + repr(k[1])
                bad.append(
                    f"{rel}: shown as {' | '.join(msgstr)!r} from {name}, not {' | '.join(e['msgstr'])!r}: {label}"
                )
    return bad


def main(argv: list[str]) -> int:
    bad: list[str] = []
    texts: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = extract(Path(tmp))
        for fresh in catalogues(root):
            rel = fresh.relative_to(root)
            text = fresh.read_text(encoding="utf-8")
            if "--update" in argv:
                (BASE_DIR / rel).write_text(text, encoding="utf-8")
            else:
                texts[f"{rel} (stale entries)"] = stale(text, (BASE_DIR / rel).read_text(encoding="utf-8"))
            bad += [f"{rel}: {line}" for line in problems(text)]
            texts[str(rel)] = text
    bad += clashes(texts)
    installed = installed_catalogues()
    ours, outside = {}, {}
    for name, (n, po) in installed.items():
        rel = str(po.relative_to(BASE_DIR)) if po.is_relative_to(BASE_DIR) else ""
        if rel in texts:
            ours[rel] = (n, texts[rel])
        else:  # Django's own apps and other packages (the virtualenv may sit inside BASE_DIR)
            outside[name] = (n, po.read_text(encoding="utf-8"))
    bad += overridden(texts.get("locale/zh_Hans/LC_MESSAGES/django.po", ""), ours, outside)
    for line in bad:
        print(line)
    if bad:
        print(
            f"{len(bad)} string(s) without one Chinese translation (tools/check_translations.py --update adds "
            "missing ones; a string translated differently in two catalogues needs a context in one of them)"
        )
        return 1
    print("translations: every string has a Chinese translation")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""tools/check_translations.py refuses empty and fuzzy entries (issue 21); the catalogue itself is checked by
`make check`, which runs the tool over a fresh extraction."""

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "check_translations", Path(__file__).resolve().parent.parent / "tools" / "check_translations.py"
)
assert _spec and _spec.loader
check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check)

PO = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#: shequ/a.py:1
msgid "Done"
msgstr "完成"

#: shequ/a.py:2
msgid "Empty"
msgstr ""

#: shequ/a.py:3
#, fuzzy, python-format
msgid "Fuzzy %(n)s"
msgstr "模糊 %(n)s"

#: shequ/a.py:4
msgctxt "person"
msgid "Name"
msgstr "姓名"

#: shequ/a.py:5
msgctxt "thing"
msgid "Name"
msgstr ""
"名称"

#~ msgid "Gone"
#~ msgstr ""
"""


def test_empty_and_fuzzy_entries_are_refused_and_contexts_kept_apart():
    bad = check.problems(PO)
    assert bad == [
        "untranslated: 'Empty' (shequ/a.py:2)",
        "fuzzy: 'Fuzzy %(n)s' (shequ/a.py:3)",
    ]


def test_a_complete_catalogue_passes():
    assert check.problems(PO.split("#: shequ/a.py:2")[0]) == []


def _po(*entries: tuple[str, str, str]) -> str:
    """A catalogue of (msgctxt, msgid, msgstr) entries."""
    blocks = ['msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"']
    for ctxt, msgid, msgstr in entries:
        blocks.append((f'msgctxt "{ctxt}"\n' if ctxt else "") + f'msgid "{msgid}"\nmsgstr "{msgstr}"')
    return "\n\n".join(blocks) + "\n"


def test_a_string_translated_in_two_ways_by_two_catalogues_is_refused_unless_a_context_tells_them_apart():
    care = _po(("", "Record", "登记"), ("", "Save", "保存"))
    indicators = _po(("", "Record", "记录"), ("", "Save", "保存"))
    assert check.clashes({"care": care, "indicators": indicators}) == [
        "translated differently: 'Record': '登记' in care; '记录' in indicators"
    ]
    indicators = _po(("plan task", "Record", "记录"), ("", "Save", "保存"))
    assert check.clashes({"care": care, "indicators": indicators}) == []


def test_an_entry_the_sources_no_longer_use_is_still_compiled_so_it_takes_part():
    fresh = _po(("", "Save", "保存"))
    current = _po(("", "Save", "保存"), ("", "Nobody yet.", "还没有人报名。"))
    left = check.stale(fresh, current)
    assert [e["msgid"] for e in check.entries(left)] == ["Nobody yet."]
    venues = _po(("", "Nobody yet.", "还没有。"))
    assert check.clashes({"project": fresh, "project (stale entries)": left, "venues": venues}) == [
        "translated differently: 'Nobody yet.': '还没有人报名。' in project (stale entries); '还没有。' in venues"
    ]


def test_an_earlier_app_outside_the_project_wins_unless_the_projects_own_catalogue_has_the_string():
    auth = {"django.contrib.auth": (1, _po(("", "group", "组"), ("", "active", "有效")))}
    surveys = {
        "surveys": (
            20,
            _po(("", "group", "群体"), ("", "active", "启用"), ("population group", "group", "群体")),
        )
    }
    project = _po(("", "active", "启用"))
    assert check.overridden(project, surveys, auth) == [
        "surveys: shown as '组' from django.contrib.auth, not '群体': 'group'"
    ]
    # An app listed before the outside one wins over it.
    assert check.overridden(project, {"surveys": (0, surveys["surveys"][1])}, auth) == []

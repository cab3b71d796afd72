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

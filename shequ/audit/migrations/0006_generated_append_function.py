"""audit_append generated from the one definition of an entry's hashed fields (audit/appendsql.py).

The function is the same as 0005 installed, now written out by `appendsql.append_function_sql`: this migration
replaces it with the generated text so that the installed function and the definition can be compared (a test
does). It imports the current code on purpose: a later change of the hashed fields adds a migration that runs
`install` again. Reversing leaves 0005's function in place (they are equivalent)."""

from django.db import migrations

from shequ.audit.appendsql import install


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_append_function")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop, elidable=False)]

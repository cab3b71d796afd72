"""The database layer: everything that differs between SQLite and PostgreSQL, and every reach into Django's
internals, behind this one door.

- `batch`: writes that need nothing back sent to PostgreSQL as one statement (`batched_writes`, `insert_rows`,
  `write_together`, `read_after_writes`); at once, one after the other, on SQLite. Ids and sequence values drawn
  before an INSERT (`SequenceBlock`: blocks of `nextval` on PostgreSQL, the table's own counter on SQLite).
- `bulk`: many rows at once for synthetic history (`load_rows`: COPY on PostgreSQL, executemany on SQLite;
  `reserve`, `reserve_sequence`, `analyze`).
- `lookups`: `InArray`, `column IN (subquery)` written `= ANY(ARRAY(subquery))` on PostgreSQL, so that an OR of
  such arms is read by an index per arm; `ContainsByBigrams`, a text search read from a bigram GIN index.
- `plans`: report reads planned for their parameters on PostgreSQL (`planned_for_parameters`).
- `refcache`: the process-local cache of reference rows read on every intake (categories, areas, rules).
- `sql`: a queryset's WHERE clause as SQL, for a hand-written statement over the same table (`where_of`).
- `postgresql`: the PostgreSQL backend (Django's, with the health-check bypass) and the INSERT compiler that
  only `insert_rows` uses.

Nothing outside this package imports `django.db.models.sql`, `django.db.backends.*` compilers or wraps
execution (a test over the source keeps it so). Application code imports from here, not from the modules.
"""

from .batch import SequenceBlock, batched_writes, insert_rows, read_after_writes, write_together
from .lookups import ContainsByBigrams, InArray
from .plans import planned_for_parameters
from .refcache import RefCache, clear_all, shallow_copy
from .sql import where_of

__all__ = [
    "ContainsByBigrams",
    "InArray",
    "RefCache",
    "SequenceBlock",
    "batched_writes",
    "clear_all",
    "insert_rows",
    "planned_for_parameters",
    "read_after_writes",
    "shallow_copy",
    "where_of",
    "write_together",
]

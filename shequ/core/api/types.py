"""Typed parameters for /api/v1 that carry their bounds into validation and the OpenAPI document.

An id past the 64-bit range reached the database as a number it could not bind (a 500 on SQLite, a 503 on
PostgreSQL); declared here, it is a 400 before any query, and a client reading the schema knows the range.
"""

from datetime import date
from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1  # BigAutoField

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

# A day to filter on. Python's dates run from year 1 to 9999, and a filter's arithmetic (the 29 days before `to`, the
# month before, the start of the day in Shanghai time) overflowed at either end: a 500 found by the fuzz run
# (`/appeals/kpis?to=0001-01-01`). The platform's records begin after 2000.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]

"""Typed parameters for /api/v1 that carry their bounds into validation and the OpenAPI document.

An id past the 64-bit range reached the database as a number it could not bind (a 500 on SQLite, a 503 on
PostgreSQL); declared here, it is a 400 before any query, and a client reading the schema knows the range.
"""

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1  # BigAutoField

Id = Annotated[int, Field(ge=1, le=MAX_ID)]

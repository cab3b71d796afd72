from datetime import datetime

from ninja import Field, Schema


class SuggestIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)
    lat: float | None = None
    lng: float | None = None
    area: str | None = None


class Choice(Schema):
    code: str
    name: str
    probability: float | None  # None for a unit that comes from the responsibility list
    words: list[str]
    source: str | None = None


class ModelVersions(Schema):
    category: int | None
    unit: int | None


class SuggestOut(Schema):
    category: list[Choice]
    unit: list[Choice]
    model_version: ModelVersions
    threshold: float
    area: str | None
    rule_unit: str | None
    auto_dispatch: bool


class ModelVersionOut(Schema):
    id: int
    kind: str
    version: int
    active: bool
    created_at: datetime
    created_by: str | None
    trained_on: dict
    metrics: dict
    sha256: str
    size: int
    note: str


class DuplicateAppealOut(Schema):
    id: int
    number: str
    text: str  # phone and ID numbers masked
    status: str
    category: str | None
    created_at: datetime


class DuplicateOut(Schema):
    id: int
    appeal: DuplicateAppealOut  # the newer appeal: merging merges it into `candidate`
    candidate: DuplicateAppealOut
    score: float
    text_score: float
    distance_m: float | None  # None: judged near by the community, without two points
    hours_apart: float
    status: str
    actionable: bool  # undecided and both appeals still open
    created_at: datetime
    decided_by: str | None
    decided_at: datetime | None

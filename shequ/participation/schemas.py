"""The API shapes of the three lists and of meetings. No personal data: who posted a need is never shown."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class AreaRef(Schema):
    code: str
    name: str


class CategoryRef(Schema):
    code: str
    name: str


class MatchOut(Schema):
    resource: str | None = Field(description="the resource's name")
    project: str | None = Field(description="the project's title")
    reply: str
    matched_at: datetime


class NeedOut(Schema):
    id: int
    number: str
    title: str
    description: str
    area: AreaRef
    category: CategoryRef
    source: str
    source_label: str
    status: str
    status_label: str
    created_at: datetime
    responded_at: datetime | None
    response_hours: float | None
    matches: list[MatchOut]


class NeedIn(Schema):
    area: str = Field(description="the community's code")
    category: str = Field(description="a category code of the shared taxonomy")
    title: str = Field(max_length=100)
    description: str = Field(max_length=2000)
    source: str = Field(
        "resident", description="resident; staff may give survey, appeals, grid_visit, meeting"
    )
    source_ref: str = Field("", max_length=200)


class ResourceOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    description: str
    contact: str
    area: AreaRef
    category: CategoryRef
    linked: str | None = Field(description='"venues.venue:12" when it is a record of another module')


class DecisionOut(Schema):
    text: str
    follow_up: str
    status: str
    outcome: str
    project_id: int | None
    need_id: int | None
    appeal_number: str


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    agenda: str
    place: str
    starts_at: datetime
    ends_at: datetime
    status: str
    area: AreaRef
    minutes: str
    decisions: list[DecisionOut]


class MeetingIn(Schema):
    area: str = Field(description="the community's code")
    kind: str = Field(description="council, building or joint")
    title: str = Field(max_length=100)
    agenda: str = Field(max_length=4000)
    place: str = Field(max_length=100)
    starts_at: datetime
    ends_at: datetime

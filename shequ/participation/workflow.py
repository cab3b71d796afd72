"""Who may move a need, a meeting or a comment, and from where to where, on one screen (STYLE.md §4).
Only services.py sets `.status`; pages ask `allowed(...)` before they offer a button (STYLE.md §11)."""

from __future__ import annotations

from .choices import CommentStatus, MeetingStatus, NeedStatus

# (entity, action) -> (from statuses, to status)
TRANSITIONS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("need", "match"): ((NeedStatus.OPEN, NeedStatus.MATCHED), NeedStatus.MATCHED),
    ("need", "resolve"): ((NeedStatus.OPEN, NeedStatus.MATCHED), NeedStatus.RESOLVED),
    ("need", "close"): ((NeedStatus.OPEN, NeedStatus.MATCHED), NeedStatus.CLOSED),
    ("meeting", "publish_minutes"): ((MeetingStatus.SCHEDULED, MeetingStatus.HELD), MeetingStatus.HELD),
    ("meeting", "cancel"): ((MeetingStatus.SCHEDULED,), MeetingStatus.CANCELLED),
    ("comment", "hide"): ((CommentStatus.VISIBLE,), CommentStatus.PENDING_REVIEW),
    ("comment", "restore"): ((CommentStatus.PENDING_REVIEW,), CommentStatus.VISIBLE),
    ("comment", "remove"): ((CommentStatus.PENDING_REVIEW, CommentStatus.VISIBLE), CommentStatus.REMOVED),
}


def allowed(entity: str, action: str, status: str) -> bool:
    froms, _to = TRANSITIONS[(entity, action)]
    return status in froms


def target(entity: str, action: str) -> str:
    return TRANSITIONS[(entity, action)][1]

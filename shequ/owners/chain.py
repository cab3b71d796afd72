"""Verification of the ballot chains and recounts (manage.py verify_owner_ballots, recount_owner_vote)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shequ.core.chain import GENESIS_HASH

from .models import Ballot, BallotRecord, Vote


@dataclass
class ChainReport:
    vote_id: int
    ok: bool = True
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.ok = False
        if len(self.problems) < 200:
            self.problems.append(text)


def verify_vote(vote: Vote) -> ChainReport:
    """Walk the vote's chain in order and compare it with the ballots:

    - every record matches its hash (an edited record is found) and links to the one before, numbers without a
      gap (a deleted or inserted record);
    - the last record is the vote's head (records deleted from the end);
    - each part's current ballot equals its latest record, and every ballot has records (a ballot edited,
      inserted or deleted behind the services' back)."""
    vote = Vote.objects.get(pk=vote.pk)  # the head as stored now
    report = ChainReport(vote_id=vote.pk)
    prev_hash, prev_seq = GENESIS_HASH, 0
    latest: dict[int, BallotRecord] = {}
    for record in BallotRecord.objects.filter(vote=vote).order_by("seq").iterator(chunk_size=5000):
        report.checked += 1
        if record.seq != prev_seq + 1:
            report.problem(
                f"#{record.seq} follows #{prev_seq}: records between them were deleted or inserted"
            )
        if record.prev_hash != prev_hash:
            report.problem(
                f"#{record.seq} does not link to #{prev_seq}: a record was deleted, inserted or replaced"
            )
        if record.computed_hash() != record.hash:
            report.problem(f"#{record.seq} does not match its hash: it was edited")
        latest[record.part_id] = record
        prev_hash, prev_seq = record.hash, record.seq
    if (prev_seq, prev_hash) != (vote.chain_seq, vote.chain_hash):
        report.problem(
            f"the chain ends at #{prev_seq}, the vote's head says #{vote.chain_seq}: records were removed"
        )
    ballots = {b.part_id: b for b in Ballot.objects.filter(vote=vote)}
    for part_id, ballot in ballots.items():
        last = latest.get(part_id)
        if last is None:
            report.problem(f"the ballot of part {part_id} has no record in the chain: it was inserted")
        elif (ballot.choices, ballot.channel, ballot.person, ballot.receipt) != (
            last.choices,
            last.channel,
            last.person,
            last.hash,
        ):
            report.problem(f"the ballot of part {part_id} differs from its last record: it was edited")
    for part_id in latest.keys() - ballots.keys():
        report.problem(f"part {part_id} has records but no ballot: its ballot was deleted")
    return report


def ballots_from_chain(vote: Vote) -> dict[int, dict]:
    """{part_id: choices} as the chain says: the latest record of each part."""
    latest: dict[int, dict] = {}
    for part_id, choices in (
        BallotRecord.objects.filter(vote=vote).order_by("seq").values_list("part_id", "choices")
    ):
        latest[part_id] = choices
    return latest

"""Verification of a round's ballot chain and recounts (manage.py verify_micro_ballots, recount_micro_round)."""

from __future__ import annotations

from dataclasses import dataclass, field

from shequ.core.chain import GENESIS_HASH

from .models import Ballot, Participation, Round


@dataclass
class ChainReport:
    round_id: int
    ok: bool = True
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    def problem(self, text: str) -> None:
        self.ok = False
        if len(self.problems) < 200:
            self.problems.append(text)


def verify_round(rnd: Round) -> ChainReport:
    """Walk the round's ballots in order: each matches its hash (an edited ballot is found), links to the one
    before and follows it without a gap (one deleted or inserted); the last is the round's head; and there are as
    many ballots as voters who took part (a ballot added or removed with its link rebuilt)."""
    rnd = Round.objects.get(pk=rnd.pk)
    report = ChainReport(round_id=rnd.pk)
    prev_hash, prev_seq = GENESIS_HASH, 0
    for ballot in Ballot.objects.filter(round=rnd).order_by("seq").iterator(chunk_size=5000):
        report.checked += 1
        if ballot.seq != prev_seq + 1:
            report.problem(
                f"#{ballot.seq} follows #{prev_seq}: ballots between them were deleted or inserted"
            )
        if ballot.prev_hash != prev_hash:
            report.problem(f"#{ballot.seq} does not link to #{prev_seq}: a ballot was deleted or replaced")
        if ballot.computed_hash() != ballot.receipt:
            report.problem(f"#{ballot.seq} does not match its hash: it was edited")
        prev_hash, prev_seq = ballot.receipt, ballot.seq
    if (prev_seq, prev_hash) != (rnd.chain_seq, rnd.chain_hash):
        report.problem(f"the chain ends at #{prev_seq}, the round's head says #{rnd.chain_seq}")
    voters = Participation.objects.filter(round=rnd).count()
    if voters != report.checked:
        report.problem(f"{voters} voters took part but there are {report.checked} ballots")
    return report

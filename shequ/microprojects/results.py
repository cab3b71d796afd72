"""A round's result as published: the same dict for the API, the pages and the export."""

from __future__ import annotations

from typing import Any

from .models import Proposal, Round


def result_out(rnd: Round) -> dict[str, Any]:
    if rnd.result is None:
        return {"round": rnd.pk, "published": False}
    r = rnd.result
    titles = dict(Proposal.objects.filter(round=rnd).values_list("pk", "title"))
    prices = dict(Proposal.objects.filter(round=rnd).values_list("pk", "price"))
    winners = set(r["winners"])
    rows = sorted(
        (
            {
                "proposal": int(pk),
                "title": titles.get(int(pk), ""),
                "price": prices.get(int(pk)),
                "votes": n,
                "share": round(100 * n / r["ballots"], 1) if r["ballots"] else 0.0,
                "selected": int(pk) in winners,
            }
            for pk, n in r["votes"].items()
        ),
        key=lambda row: (-row["votes"], row["price"] or 0, row["proposal"]),
    )
    return {
        "round": rnd.pk,
        "published": True,
        "published_at": rnd.result_published_at.isoformat() if rnd.result_published_at else None,
        "method": r["method"],
        "ballot_kind": r["ballot_kind"],
        "max_approvals": r["max_approvals"],
        "eligibility": r["eligibility"],
        "tie_break": r["tie_break"],
        "budget": r["budget"],
        "spent": r["spent"],
        "eligible": r["eligible"],
        "ballots": r["ballots"],
        "online": r["online"],
        "paper": r["paper"],
        "turnout": round(100 * r["ballots"] / r["eligible"], 1) if r["eligible"] else None,
        "winners": r["winners"],
        "completion": r["completion"],
        "proposals": rows,
        "chain_head": r["chain_head"],
        "chain_length": r["chain_length"],
    }

"""A round from proposal to disclosure through the services, and every bad input refused with nothing written."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from PIL import Image

from shequ.audit.models import AuditEntry
from shequ.core.errors import NotFound, ShequError
from shequ.microprojects import services
from shequ.microprojects.chain import verify_round
from shequ.microprojects.choices import Phase, ProjectStatus, ProposalStatus
from shequ.microprojects.models import (
    Acceptance,
    Ballot,
    PaperEntry,
    Participation,
    Photo,
    Proposal,
    Spending,
)

from .factories import make_round, round_in_vote, this_year_plan, to_phase, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def voters(cast, make_resident, make_user):
    zhang = verified(make_resident(name="张伟"), cast["zhangwei"])
    others = [verified(make_resident(name=f"居民{i}"), make_user(f"mp_voter{i}")) for i in range(4)]
    return [zhang, *others]


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buf, "PNG")
    buf.seek(0)
    buf.name = "photo.png"
    return buf


def test_a_round_from_proposal_to_disclosure(cast, voters, make_user):
    lina = cast["lina"]
    rnd, (seats, lights, shade) = round_in_vote(lina, cast["zhangwei"], prices=(30_000, 50_000, 40_000))
    # Online: zhangwei and three neighbours; one sheet on paper, entered twice.
    services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[seats.pk, lights.pk])
    services.ballot_cast_online(user=voters[1].user, rnd=rnd, choices=[seats.pk])
    services.ballot_cast_online(user=voters[2].user, rnd=rnd, choices=[shade.pk, seats.pk])
    services.ballot_cast_online(user=voters[3].user, rnd=rnd, choices=[shade.pk])
    paper = voters[4]
    first = services.paper_entry_submit(
        actor=lina, rnd=rnd, batch="第1批", sheet="001", id_number=paper.id_number, choices=[lights.pk]
    )
    assert isinstance(first, PaperEntry) and not Participation.objects.filter(round=rnd, channel="paper")
    services.paper_entry_submit(
        actor=make_staff(make_user),
        rnd=rnd,
        batch="第1批",
        sheet="001",
        id_number=paper.id_number,
        choices=[lights.pk],
    )
    rnd = services.round_advance(actor=lina, rnd=rnd)
    assert rnd.phase == Phase.APPROVE
    result = rnd.result
    assert (result["ballots"], result["online"], result["paper"]) == (5, 4, 1)
    assert result["votes"] == {str(seats.pk): 3, str(lights.pk): 2, str(shade.pk): 2}
    # Greedy: seats (3 votes, 30,000), then shade (2 votes, cheaper than lights), 70,000 of 100,000; lights
    # (50,000) does not fit in what is left.
    assert result["winners"] == [seats.pk, shade.pk] and result["spent"] == 70_000
    assert result["tie_break"] == "votes_then_lower_price_then_earlier"
    assert Proposal.objects.get(pk=lights.pk).status == ProposalStatus.NOT_SELECTED

    projects = services.round_approve(
        actor=lina, rnd=rnd, meeting_date=date(2026, 6, 5), minutes="街道党工委会议审议通过"
    )
    rnd = services.round_advance(actor=lina, rnd=rnd)
    project = projects[0]
    services.project_update(actor=lina, project=project, contractor="深圳市某某建设有限公司")
    services.milestone_add(
        actor=lina, project=project, title="座椅进场安装", progress=60, on=date(2026, 8, 1)
    )
    services.spending_record(
        actor=lina, project=project, amount=20_000, purpose="首期款", on=date(2026, 8, 2)
    )
    with pytest.raises(ShequError) as over:
        services.spending_record(
            actor=lina, project=project, amount=10_001, purpose="尾款", on=date(2026, 9, 2)
        )
    assert over.value.code == "over_budget" and "30,000" in over.value.message
    assert Spending.objects.filter(project=project).count() == 1
    rnd = services.round_advance(actor=lina, rnd=rnd)
    for p in projects:
        services.acceptance_record(
            actor=lina,
            project=p,
            representatives="居民代表 王芳、李明",
            rating=5,
            accepted=True,
            opinion="质量良好",
            on=date(2026, 11, 8),
            photos=[_png()],
        )
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACCEPTED and project.progress == 100 and project.spent == 20_000
    assert Photo.objects.filter(acceptance__project=project).get().content_type == "image/png"
    rnd = services.round_advance(actor=lina, rnd=rnd)
    assert rnd.phase == Phase.DISCLOSE
    assert verify_round(rnd).ok
    actions = set(AuditEntry.objects.filter(object_id=str(rnd.pk)).values_list("action", flat=True))
    assert {
        "microprojects.round_create",
        "microprojects.ballot_cast",
        "microprojects.paper_reconciled",
        "microprojects.round_approve",
        "microprojects.spending_record",
        "microprojects.acceptance_record",
    } <= actions


def make_staff(make_user):
    """A second community worker of 华富街道 for the paper double entry."""
    from shequ.access.services import grant_bootstrap
    from shequ.accounts.roles import Role

    from .factories import huafu

    user = make_user("mp_clerk2")
    grant_bootstrap(user=user, role=Role.COMMUNITY_WORKER, area=huafu(), reason="test")
    return user


def test_a_second_ballot_is_refused_and_nothing_is_written(cast, voters):
    rnd, (a, b, _c) = round_in_vote(cast["lina"], cast["zhangwei"])
    services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[a.pk])
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[b.pk])
    assert err.value.status == 409 and err.value.code == "already_voted"
    assert (
        Ballot.objects.filter(round=rnd).count() == 1 and Participation.objects.filter(round=rnd).count() == 1
    )


def test_household_rounds_take_one_ballot_per_household(cast, voters, make_user):
    rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"], eligibility="household")
    from shequ.core.idnumbers import make_id_number
    from shequ.residents.services import resident_create

    wife = resident_create(
        actor=None,
        household=voters[0].household,
        name="张妻",
        id_number=make_id_number("440304", date(1962, 3, 3), 77, "female"),
        phone="13912340000",
    )
    verified(wife, make_user("mp_wife"))
    services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[a.pk])
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=wife.user, rnd=rnd, choices=[a.pk])
    assert err.value.code == "already_voted"


@pytest.mark.parametrize(
    "kind,choose,code",
    [("approval", 3, "too_many"), ("knapsack", 3, "over_budget")],
)
def test_a_ballot_over_the_allowed_number_or_over_budget_is_refused(cast, voters, kind, choose, code):
    rnd, proposals = round_in_vote(cast["lina"], cast["zhangwei"], ballot_kind=kind, max_approvals=2)
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[p.pk for p in proposals[:choose]])
    assert err.value.code == code
    if code == "over_budget":
        assert "120,000" in err.value.message and "100,000" in err.value.message
    assert (
        not Ballot.objects.filter(round=rnd).exists() and not Participation.objects.filter(round=rnd).exists()
    )


def test_a_knapsack_ballot_within_the_budget_is_counted(cast, voters):
    rnd, (a, b, _c) = round_in_vote(cast["lina"], cast["zhangwei"], ballot_kind="knapsack")
    ballot = services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[a.pk, b.pk])  # 80,000
    assert ballot.choices == sorted([a.pk, b.pk])


def test_a_ballot_outside_the_voting_phase_is_refused(cast, voters):
    rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
    to_phase(rnd, Phase.REVIEW)
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[a.pk])
    assert err.value.code == "voting_closed"


def test_a_ballot_after_the_voting_dates_is_refused(cast, voters):
    plan = [(p, date(2020, 1, 1), date(2020, 1, 31)) for p, _s, _e in this_year_plan()]
    rnd = make_round(cast["lina"], phases=plan)
    p = services.proposal_submit(user=voters[0].user, rnd=rnd, title="座椅", description="x")
    services.round_advance(actor=cast["lina"], rnd=rnd)
    services.proposal_review(actor=cast["lina"], proposal=p, feasible=True, price=100, feasibility="可行")
    services.round_advance(actor=cast["lina"], rnd=rnd)
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=voters[1].user, rnd=rnd, choices=[p.pk])
    assert err.value.code == "voting_closed"


def test_a_resident_outside_the_area_cannot_vote(cast, voters, make_resident, make_user):
    rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
    outsider = verified(make_resident("440305", "粤海街道", name="外区居民"), make_user("mp_outsider"))
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=outsider.user, rnd=rnd, choices=[a.pk])
    assert err.value.code == "outside_area" and err.value.status == 403
    with pytest.raises(ShequError) as err:
        services.ballot_cast_online(user=make_user("mp_unverified"), rnd=rnd, choices=[a.pk])
    assert err.value.code == "not_verified"
    assert not Participation.objects.filter(round=rnd).exists()


def test_a_proposal_after_collection_is_refused(cast, voters):
    rnd, _proposals = round_in_vote(cast["lina"], cast["zhangwei"])
    with pytest.raises(ShequError) as err:
        services.proposal_submit(user=voters[1].user, rnd=rnd, title="晚到的提案", description="加装路灯")
    assert err.value.code == "collection_closed"
    assert Proposal.objects.filter(round=rnd).count() == 3


def test_a_mismatched_paper_entry_is_refused_and_the_first_kept(cast, voters, make_user):
    rnd, (a, b, _c) = round_in_vote(cast["lina"], cast["zhangwei"])
    clerk2 = make_staff(make_user)
    sheet = {"rnd": rnd, "batch": "第1批", "sheet": "007", "id_number": voters[2].id_number}
    services.paper_entry_submit(actor=cast["lina"], choices=[a.pk], **sheet)
    with pytest.raises(ShequError) as err:
        services.paper_entry_submit(actor=clerk2, choices=[b.pk], **sheet)
    assert err.value.code == "paper_mismatch"
    with pytest.raises(ShequError) as same:
        services.paper_entry_submit(actor=cast["lina"], choices=[a.pk], **sheet)
    assert same.value.code == "same_clerk"
    assert not Ballot.objects.filter(round=rnd).exists() and PaperEntry.objects.filter(round=rnd).count() == 1
    # Counting waits for the sheet to be entered again.
    with pytest.raises(ShequError) as pending:
        services.round_advance(actor=cast["lina"], rnd=rnd)
    assert pending.value.code == "paper_pending"


def test_a_rejection_needs_its_reason_and_the_proposer_reads_it(cast, voters):
    rnd = make_round(cast["lina"])
    p = services.proposal_submit(user=voters[0].user, rnd=rnd, title="建游泳池", description="小区内建游泳池")
    services.round_advance(actor=cast["lina"], rnd=rnd)
    with pytest.raises(ShequError) as err:
        services.proposal_review(actor=cast["lina"], proposal=p, feasible=False)
    assert err.value.fields == {"reason": "required"}
    services.proposal_review(actor=cast["lina"], proposal=p, feasible=False, reason="超出微实事金额上限")
    p.refresh_from_db()
    assert (p.status, p.rejection_reason) == (ProposalStatus.REJECTED, "超出微实事金额上限")


def test_staff_of_another_street_cannot_touch_the_round(cast):
    rnd = make_round(cast["lina"])
    with pytest.raises(NotFound):
        services.round_advance(actor=cast["wangqiang"], rnd=rnd)


def test_a_bad_photo_refuses_the_whole_acceptance(cast, voters):
    rnd, (a, *_rest) = round_in_vote(cast["lina"], cast["zhangwei"])
    services.ballot_cast_online(user=voters[0].user, rnd=rnd, choices=[a.pk])
    services.round_advance(actor=cast["lina"], rnd=rnd)
    (project,) = services.round_approve(
        actor=cast["lina"], rnd=rnd, meeting_date=date(2026, 6, 1), minutes="通过"
    )
    services.round_advance(actor=cast["lina"], rnd=rnd)
    services.round_advance(actor=cast["lina"], rnd=rnd)
    page = io.BytesIO(b"<html><script>alert(1)</script></html>")
    page.name = "x.png"
    with pytest.raises(ShequError) as err:
        services.acceptance_record(
            actor=cast["lina"],
            project=project,
            representatives="代表",
            rating=4,
            accepted=True,
            opinion="好",
            on=date(2026, 11, 1),
            photos=[_png(), page],
        )
    assert err.value.code == "invalid_photo"
    assert not Photo.objects.exists() and not Acceptance.objects.exists()


def test_the_recount_command_recomputes_the_tally_from_the_stored_ballots(cast, voters, capsys):
    rnd, (a, b, c) = round_in_vote(cast["lina"], cast["zhangwei"], method="equal_shares")
    for v, choice in zip(voters[:3], ([a.pk], [a.pk, b.pk], [c.pk]), strict=True):
        services.ballot_cast_online(user=v.user, rnd=rnd, choices=choice)
    rnd = services.round_advance(actor=cast["lina"], rnd=rnd)
    call_command("recount_micro_round", str(rnd.pk))
    out = capsys.readouterr().out
    assert "matches the published result" in out
    # A ballot changed behind the services' back: the chain check finds it and the recount differs.
    Ballot.objects.filter(round=rnd, seq=1).update(choices=[b.pk])
    assert not verify_round(rnd).ok
    with pytest.raises(SystemExit):
        call_command("recount_micro_round", str(rnd.pk))

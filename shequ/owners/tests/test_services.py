"""Registers, votes and ballots through the services: what is written, what is refused (and that nothing is)."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.owners import services
from shequ.owners.chain import verify_vote
from shequ.owners.models import Ballot, BallotRecord, Owner, PaperEntry, Part, RollEntry, Vote
from shequ.owners.register import owner_create, part_create, part_transfer, register_import

from .factories import make_estate, open_vote, png, register, second_clerk

pytestmark = pytest.mark.django_db

YES_ALL = {"1": "yes", "2": "yes"}


@pytest.fixture
def estate(cast):
    return make_estate()


def xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["房号", "登记面积", "实测面积", "合同面积", "业主", "开发商未售"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


class TestRegister:
    def test_an_import_writes_parts_owners_co_owners_and_unsold_parts(self, cast, estate):
        report = register_import(
            actor=cast["lina"],
            estate=estate,
            fileobj=xlsx(
                [
                    ["1-101", 89.5, None, None, "王芳", None],
                    ["1-102", None, 90.12, 91, "王芳", None],  # one buyer, two parts
                    ["1-103", None, None, 75, "赵磊、钱敏", None],  # co-owners
                    ["1-104", None, None, 120, None, "是"],
                ]
            ),
        )
        assert report.ok and (report.parts, report.owners) == (4, 3)
        p102 = Part.objects.get(estate=estate, number="1-102")
        assert p102.counted_area == Decimal("90.12") and p102.area_and_source[1] == "surveyed"
        assert Part.objects.get(number="1-104").developer_unsold
        assert sorted(Part.objects.get(number="1-103").owners.values_list("name", flat=True)) == [
            "赵磊",
            "钱敏",
        ]
        entry = AuditEntry.objects.get(action="owners.register_import")
        assert entry.changes == {"parts": 4, "owners": 3} and entry.actor_username == "lina"

    def test_a_bad_row_is_reported_and_nothing_is_written(self, cast, estate):
        report = register_import(
            actor=cast["lina"],
            estate=estate,
            fileobj=xlsx(
                [
                    ["1-101", 89.5, None, None, "王芳", None],
                    ["1-102", "很大", None, None, "王芳", None],
                    ["1-103", None, None, None, "赵磊", None],
                    ["1-104", 50, None, None, "孙悦", "是"],
                    ["1-101", 60, None, None, "李雷", None],
                ]
            ),
        )
        assert not report.ok
        assert [(e.row, e.column) for e in report.errors] == [
            (3, "登记面积"),
            (4, "登记面积"),
            (5, "业主"),
            (6, "房号"),
        ]
        assert (
            not Part.objects.filter(estate=estate).exists()
            and not Owner.objects.filter(estate=estate).exists()
        )

    def test_staff_outside_the_estate_get_not_found(self, cast, estate):
        with pytest.raises(ShequError) as exc:
            owner_create(actor=cast["wangqiang"], estate=estate, name="王芳")
        assert exc.value.status == 404

    def test_a_sale_is_audited(self, cast, estate):
        part = part_create(
            actor=cast["lina"], estate=estate, number="A1", area_contract=Decimal(80), developer_unsold=True
        )
        buyer = owner_create(actor=cast["lina"], estate=estate, name="周杰")
        part_transfer(actor=cast["lina"], part=part, owners=[buyer])
        part.refresh_from_db()
        assert not part.developer_unsold and list(part.owners.all()) == [buyer]
        assert AuditEntry.objects.filter(action="owners.part_transfer", object_id=str(part.pk)).exists()


class TestRoll:
    def test_the_roll_counts_the_developer_and_a_buyer_of_several_parts_as_one_person(self, cast, estate):
        owners = register(estate, owners=3, unsold=4)
        part_create(
            actor=None, estate=estate, number="2-001", area_registered=Decimal(50), owners=[owners[0]]
        )
        part_create(
            actor=None, estate=estate, number="2-002", area_registered=Decimal(50), owners=owners[1:3]
        )
        vote = open_vote(estate)
        persons = list(RollEntry.objects.filter(vote=vote).values_list("person", flat=True))
        assert len(persons) == 9
        # owner 0 (two parts), owner 1, owner 2, owners 1+2 together, the developer
        assert len(set(persons)) == 5 and persons.count("dev") == 4
        tally = dict(services.vote_tally(vote))
        first = next(iter(tally.values()))
        assert (first.total_heads, first.total_area) == (5, 100 * 100 * 7 + 50 * 100 * 2)

    def test_the_notice_goes_out_15_days_ahead(self, cast, estate):
        register(estate, owners=2)
        now = timezone.now()
        vote = services.vote_create(
            actor=cast["lina"],
            estate=estate,
            title="t",
            convener="street_office",
            convener_name="华富街道办事处",
            opens_at=now + timedelta(days=14),
            closes_at=now + timedelta(days=20),
            matters=[("续聘", 4)],
        )
        with pytest.raises(ShequError) as exc:
            services.vote_publish(actor=cast["lina"], vote=vote, now=now)
        assert exc.value.fields == {"opens_at": "notice"}
        vote.refresh_from_db()
        assert vote.status == "draft" and not RollEntry.objects.filter(vote=vote).exists()


class TestOnlineBallots:
    def test_a_verified_owner_votes_for_all_his_parts_and_gets_a_receipt(self, cast, estate):
        owners = register(estate, owners=4)
        Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
        part_create(
            actor=None, estate=estate, number="2-001", area_registered=Decimal(30), owners=[owners[0]]
        )
        vote = open_vote(estate)
        ballots = services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=YES_ALL)
        assert len(ballots) == 2 and all(b.receipt for b in ballots)
        assert BallotRecord.objects.filter(vote=vote).count() == 2
        assert verify_vote(vote).ok

    def test_the_owner_linked_through_his_resident_record_votes(self, cast, estate):
        from shequ.residents.services import household_create, resident_create

        owners = register(estate, owners=2)
        household = household_create(actor=cast["lina"], area=estate, room="1-001")
        resident = resident_create(
            actor=cast["lina"],
            household=household,
            name="张伟",
            id_number="110101199003074514",
            phone="13800000001",
        )
        resident.user = cast["zhangwei"]
        resident.save(update_fields=["user"])
        Owner.objects.filter(pk=owners[0].pk).update(resident=resident)
        vote = open_vote(estate)
        assert len(services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=YES_ALL)) == 1

    def test_a_non_owner_is_refused_and_nothing_is_written(self, cast, estate):
        register(estate, owners=2)
        vote = open_vote(estate)
        with pytest.raises(ShequError) as exc:
            services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=YES_ALL)
        assert exc.value.code == "not_an_owner"
        assert not Ballot.objects.exists() and not BallotRecord.objects.exists()

    def test_a_second_ballot_is_refused_but_a_change_is_kept_in_the_chain(self, cast, estate):
        owners = register(estate, owners=2)
        Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
        vote = open_vote(estate)
        services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=YES_ALL)
        with pytest.raises(ShequError) as exc:
            services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices={"1": "no", "2": "no"})
        assert exc.value.code == "already_voted"
        assert Ballot.objects.get().choices == YES_ALL and BallotRecord.objects.count() == 1
        services.ballot_cast_online(
            user=cast["zhangwei"], vote=vote, choices={"1": "no", "2": "abstain"}, change=True
        )
        assert Ballot.objects.get().choices == {"1": "no", "2": "abstain"}
        assert BallotRecord.objects.count() == 2 and verify_vote(vote).ok

    def test_after_the_close_nothing_is_accepted(self, cast, estate):
        owners = register(estate, owners=2)
        Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
        vote = open_vote(estate)
        later = vote.closes_at + timedelta(seconds=1)
        with pytest.raises(ShequError) as exc:
            services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=YES_ALL, now=later)
        assert exc.value.code == "voting_closed" and not Ballot.objects.exists()

    def test_a_choice_outside_the_matters_is_refused(self, cast, estate):
        owners = register(estate, owners=2)
        Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
        vote = open_vote(estate)
        for bad in ({"1": "yes"}, {"1": "yes", "2": "maybe"}, {"1": "yes", "2": "yes", "3": "yes"}):
            with pytest.raises(ShequError) as exc:
                services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=bad)
            assert exc.value.code == "invalid_ballot", bad
        assert not Ballot.objects.exists()


class TestPaperAndProxy:
    def test_paper_entered_twice_by_two_clerks_and_matching_is_counted(self, cast, estate):
        register(estate, owners=3)
        vote = open_vote(estate)
        part = Part.objects.get(estate=estate, number="1-001")
        first = services.paper_entry_submit(
            actor=cast["lina"], vote=vote, part=part, choices=YES_ALL, scan=png()
        )
        assert isinstance(first, PaperEntry) and not Ballot.objects.exists()
        with pytest.raises(ShequError) as same:
            services.paper_entry_submit(actor=cast["lina"], vote=vote, part=part, choices=YES_ALL)
        assert same.value.code == "same_clerk"
        ballots = services.paper_entry_submit(actor=second_clerk(), vote=vote, part=part, choices=YES_ALL)
        assert [b.channel for b in ballots] == ["paper"] and ballots[0].document_id == first.scan_id
        assert not PaperEntry.objects.exists() and verify_vote(vote).ok

    def test_a_paper_double_entry_that_differs_is_refused_and_nothing_is_written(self, cast, estate):
        register(estate, owners=3)
        vote = open_vote(estate)
        part = Part.objects.get(estate=estate, number="1-001")
        services.paper_entry_submit(actor=cast["lina"], vote=vote, part=part, choices=YES_ALL, scan=png())
        with pytest.raises(ShequError) as exc:
            services.paper_entry_submit(
                actor=second_clerk(), vote=vote, part=part, choices={"1": "yes", "2": "no"}
            )
        assert exc.value.code == "paper_mismatch"
        assert not Ballot.objects.exists() and PaperEntry.objects.get().choices == YES_ALL

    def test_a_paper_first_entry_needs_its_scan(self, cast, estate):
        register(estate, owners=1)
        vote = open_vote(estate)
        part = Part.objects.get(estate=estate)
        with pytest.raises(ShequError) as exc:
            services.paper_entry_submit(actor=cast["lina"], vote=vote, part=part, choices=YES_ALL)
        assert exc.value.code == "scan_required" and not PaperEntry.objects.exists()

    def test_a_proxy_without_authorisation_is_refused_and_nothing_is_written(self, cast, estate):
        register(estate, owners=2)
        vote = open_vote(estate)
        part = Part.objects.get(estate=estate, number="1-001")
        with pytest.raises(ShequError) as exc:
            services.ballot_cast_proxy(
                actor=cast["lina"],
                vote=vote,
                part=part,
                choices=YES_ALL,
                proxy_name="王五",
                authorisation=None,
            )
        assert exc.value.code == "authorisation_required" and not Ballot.objects.exists()
        with pytest.raises(ShequError) as bad_file:
            services.ballot_cast_proxy(
                actor=cast["lina"],
                vote=vote,
                part=part,
                choices=YES_ALL,
                proxy_name="王五",
                authorisation=io.BytesIO(b"<html>not an image</html>"),
            )
        assert bad_file.value.code == "invalid_document" and not Ballot.objects.exists()
        ballots = services.ballot_cast_proxy(
            actor=cast["lina"], vote=vote, part=part, choices=YES_ALL, proxy_name="王五", authorisation=png()
        )
        assert ballots[0].channel == "proxy" and ballots[0].document.kind == "authorisation"


class TestResultsAndChain:
    def _voted(self, cast, estate, yes=5, of=6):
        owners = register(estate, owners=of)
        vote = open_vote(estate)
        clerk2 = second_clerk()
        for i in range(yes):
            part = Part.objects.get(estate=estate, number=f"1-{i + 1:03d}")
            services.paper_entry_submit(actor=cast["lina"], vote=vote, part=part, choices=YES_ALL, scan=png())
            services.paper_entry_submit(actor=clerk2, vote=vote, part=part, choices=YES_ALL)
        return owners, vote

    def test_preliminary_then_final_after_the_objection_period(self, cast, estate):
        _, vote = self._voted(cast, estate)
        closed = vote.closes_at + timedelta(minutes=1)
        with pytest.raises(ShequError) as early:
            services.vote_publish_preliminary(
                actor=cast["lina"], vote=vote, now=vote.closes_at - timedelta(minutes=1)
            )
        assert early.value.code == "wrong_state"
        services.vote_publish_preliminary(actor=cast["lina"], vote=vote, now=closed)
        vote.refresh_from_db()
        assert vote.status == "preliminary" and [m["passed"] for m in vote.preliminary["matters"]] == [
            True,
            True,
        ]
        with pytest.raises(ShequError) as objections_open:
            services.vote_finalize(actor=cast["lina"], vote=vote, now=closed + timedelta(days=1))
        assert objections_open.value.code == "wrong_state"
        services.vote_finalize(actor=cast["lina"], vote=vote, now=closed + timedelta(days=8))
        vote.refresh_from_db()
        assert vote.status == "final" and vote.final["matters"][0]["voted_heads"] == 5
        call_command("recount_owner_vote", vote.pk, stdout=io.StringIO())

    def test_the_verify_command_finds_an_edit_an_insertion_and_a_deletion(self, cast, estate):
        _, vote = self._voted(cast, estate, yes=3)
        out = io.StringIO()
        call_command("verify_owner_ballots", vote=vote.pk, stdout=out)
        assert "ok, 3 records" in out.getvalue()
        # An edited ballot.
        Ballot.objects.filter(vote=vote, part__number="1-001").update(choices={"1": "no", "2": "no"})
        assert any("edited" in p for p in verify_vote(vote).problems)
        with pytest.raises(CommandError):
            call_command("verify_owner_ballots", vote=vote.pk, stdout=io.StringIO())
        Ballot.objects.filter(vote=vote, part__number="1-001").update(choices=YES_ALL)
        assert verify_vote(vote).ok
        # An edited record.
        record = BallotRecord.objects.get(vote=vote, seq=2)
        BallotRecord.objects.filter(pk=record.pk).update(choices={"1": "no", "2": "no"})
        assert any("#2 does not match its hash" in p for p in verify_vote(vote).problems)
        BallotRecord.objects.filter(pk=record.pk).update(choices=record.choices)
        # A deleted record (and its ballot).
        BallotRecord.objects.filter(pk=record.pk).delete()
        problems = verify_vote(vote).problems
        assert any("#3 follows #1" in p for p in problems) and any("no record" in p for p in problems)
        # An inserted ballot without a record.
        part4 = Part.objects.get(estate=estate, number="1-004")
        Ballot.objects.create(
            vote=vote, part=part4, person="x", choices=YES_ALL, channel="online", receipt="0"
        )
        assert any("inserted" in p for p in verify_vote(vote).problems)

    def test_a_failed_matter_is_barred_for_a_year_unless_the_committee_agrees(self, cast, estate):
        _, vote = self._voted(cast, estate, yes=1, of=6)  # 1 of 6: no quorum
        closed = vote.closes_at + timedelta(minutes=1)
        services.vote_publish_preliminary(actor=cast["lina"], vote=vote, now=closed)
        services.vote_finalize(actor=cast["lina"], vote=vote, now=closed + timedelta(days=8))
        args = dict(
            actor=cast["lina"],
            estate=estate,
            title="再议",
            convener="owners_committee",
            convener_name="业委会",
            opens_at=timezone.now() + timedelta(days=20),
            closes_at=timezone.now() + timedelta(days=30),
            matters=[("事项1", 4)],
        )
        with pytest.raises(ShequError) as exc:
            services.vote_create(**args)
        assert exc.value.code == "barred" and Vote.objects.count() == 1
        assert services.vote_create(**args, committee_consent=True).committee_consent

    def test_an_extension_only_when_at_most_half_took_part(self, cast, estate):
        _, vote = self._voted(cast, estate, yes=3, of=6)
        closed = vote.closes_at + timedelta(minutes=1)
        with pytest.raises(ShequError) as too_long:
            services.vote_extend(
                actor=cast["lina"], vote=vote, until=closed + timedelta(days=120), now=closed
            )
        assert too_long.value.fields == {"until": "range"}
        services.vote_extend(actor=cast["lina"], vote=vote, until=closed + timedelta(days=60), now=closed)
        vote.refresh_from_db()
        assert vote.extended_to is not None and services.vote_phase(vote, closed) == "voting"

    def test_no_extension_when_more_than_half_took_part(self, cast, estate):
        _, vote = self._voted(cast, estate, yes=4, of=6)
        closed = vote.closes_at + timedelta(minutes=1)
        with pytest.raises(ShequError) as exc:
            services.vote_extend(actor=cast["lina"], vote=vote, until=closed + timedelta(days=30), now=closed)
        assert exc.value.code == "no_extension"


def test_a_part_counted_by_a_ballot_cannot_be_deleted_on_its_own(cast, estate):
    from django.db.models import RestrictedError

    owners = register(estate, owners=2)
    Owner.objects.filter(pk=owners[0].pk).update(user=cast["zhangwei"])
    vote = open_vote(estate)
    services.ballot_cast_online(user=cast["zhangwei"], vote=vote, choices=YES_ALL)
    with pytest.raises(RestrictedError):
        Part.objects.filter(estate=estate, number="1-001").delete()
    assert Ballot.objects.count() == 1 and verify_vote(vote).ok

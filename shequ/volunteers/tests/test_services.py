"""The volunteer services: registration, sign-ups and their waiting list, check-in by QR, hours, certificates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.messages.models import Message
from shequ.volunteers import qr, services
from shequ.volunteers.choices import HoursStatus, SignupStatus, VolunteerStatus
from shequ.volunteers.hooks import register_hours_confirmed_hook, unregister_hours_confirmed_hook
from shequ.volunteers.models import Attendance, HoursRecord, Shift, Signup, Volunteer

from .helpers import make_account, make_activity, make_team, make_volunteer, registration, shift_data

pytestmark = pytest.mark.django_db


class TestRegistration:
    def test_a_resident_registers_with_his_id_number_encrypted(self):
        user = make_account()
        volunteer = services.volunteer_register(actor=user, data=registration(skills=["elder_care"]))
        assert volunteer.status == VolunteerStatus.PREPARATORY
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id_number FROM {Volunteer._meta.db_table} WHERE id = %s", [volunteer.pk])
            (raw,) = cursor.fetchone()
        assert raw.startswith("v1.") and volunteer.id_number not in raw
        assert list(volunteer.skills.values_list("code", flat=True)) == ["elder_care"]
        assert AuditEntry.objects.filter(action="volunteer.register", object_id=str(volunteer.pk)).exists()

    def test_the_same_id_number_twice_is_refused(self):
        data = registration()
        services.volunteer_register(actor=make_account(), data=data)
        with pytest.raises(ShequError) as exc:
            services.volunteer_register(actor=make_account(), data=data)
        assert exc.value.code == "duplicate"
        assert Volunteer.objects.count() == 1

    def test_under_18_needs_a_guardians_consent(self):
        teen = registration(born=timezone.localdate().replace(year=timezone.localdate().year - 15))
        with pytest.raises(ShequError) as exc:
            services.volunteer_register(actor=make_account(), data=teen)
        assert {"guardian_name", "guardian_phone", "guardian_consent"} <= set(exc.value.fields)
        assert not Volunteer.objects.exists()
        teen.guardian_name, teen.guardian_phone, teen.guardian_consent = "家长", "13900001111", True
        volunteer = services.volunteer_register(actor=make_account(), data=teen)
        assert volunteer.guardian_consent_at is not None

    def test_a_minor_joins_group_activities_only(self):
        teen = registration(born=date(timezone.localdate().year - 15, 1, 1))
        teen.guardian_name, teen.guardian_phone, teen.guardian_consent = "家长", "13900001111", True
        user = make_account()
        services.volunteer_register(actor=user, data=teen)
        team = make_team()
        alone = make_activity(team)
        group = make_activity(team, is_group=True)
        with pytest.raises(ShequError) as exc:
            services.signup_create(actor=user, shift=alone.shifts.get())
        assert exc.value.code == "minor_group_only"
        assert services.signup_create(actor=user, shift=group.shifts.get()).status == SignupStatus.CONFIRMED


class TestActivities:
    def test_an_activity_is_published_only_for_the_future(self):
        team = make_team()
        past = shift_data(start=timezone.now() - timedelta(hours=1))
        with pytest.raises(ShequError) as exc:
            make_activity(team, shifts=[past])
        assert "shifts.0.starts_at" in exc.value.fields

    def test_only_an_organiser_publishes(self):
        team = make_team()
        with pytest.raises(PermissionDenied):
            services.activity_create(actor=make_account(), team=team, title="x", shifts=[shift_data()])


class TestSignups:
    def test_a_sign_up_takes_a_place_and_a_full_shift_refuses_with_409_and_writes_nothing(self):
        team = make_team()
        shift = make_activity(team, shifts=[shift_data(capacity=1)]).shifts.get()
        first = make_volunteer()
        services.signup_create(actor=first.user, shift=shift)
        second = make_volunteer()
        with pytest.raises(ShequError) as exc:
            services.signup_create(actor=second.user, shift=shift)
        assert exc.value.status == 409 and exc.value.code == "shift_full"
        shift.refresh_from_db()
        assert shift.taken == 1
        assert not Signup.objects.filter(volunteer=second).exists()

    def test_a_past_shift_is_refused(self):
        team = make_team()
        shift = make_activity(team).shifts.get()
        Shift.objects.filter(pk=shift.pk).update(
            starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=1)
        )
        shift.refresh_from_db()
        volunteer = make_volunteer()
        with pytest.raises(ShequError) as exc:
            services.signup_create(actor=volunteer.user, shift=shift)
        assert exc.value.code == "past_shift"
        assert not Signup.objects.exists()

    def test_signing_up_twice_is_refused_and_the_place_is_given_back(self):
        shift = make_activity(make_team()).shifts.get()
        volunteer = make_volunteer()
        services.signup_create(actor=volunteer.user, shift=shift)
        with pytest.raises(ShequError) as exc:
            services.signup_create(actor=volunteer.user, shift=shift)
        assert exc.value.code == "already_signed_up"
        shift.refresh_from_db()
        assert shift.taken == 1

    def test_a_cancellation_promotes_the_first_on_the_waiting_list(self):
        shift = make_activity(make_team(), shifts=[shift_data(capacity=1)]).shifts.get()
        a, b, c = make_volunteer(), make_volunteer(), make_volunteer()
        first = services.signup_create(actor=a.user, shift=shift)
        second = services.signup_create(actor=b.user, shift=shift, waitlist=True)
        third = services.signup_create(actor=c.user, shift=shift, waitlist=True)
        assert (second.status, third.status) == (SignupStatus.WAITLISTED, SignupStatus.WAITLISTED)
        services.signup_cancel(actor=a.user, signup=first)
        second.refresh_from_db()
        third.refresh_from_db()
        assert second.status == SignupStatus.CONFIRMED and third.status == SignupStatus.WAITLISTED
        shift.refresh_from_db()
        assert shift.taken == 1
        assert Message.objects.filter(person=b.user, kind="volunteers.signup_confirmed").exists()

    def test_no_cancellation_after_the_deadline(self):
        start = timezone.now() + timedelta(hours=5)
        shift = make_activity(make_team(), shifts=[shift_data(start=start)], cancel_hours=24).shifts.get()
        volunteer = make_volunteer()
        signup = services.signup_create(actor=volunteer.user, shift=shift)
        with pytest.raises(ShequError) as exc:
            services.signup_cancel(actor=volunteer.user, signup=signup)
        assert exc.value.code == "cancel_deadline"
        signup.refresh_from_db()
        assert signup.status == SignupStatus.CONFIRMED

    def test_an_approval_activity_waits_then_takes_a_place(self):
        manager = make_account()
        team = make_team(managers=[manager])
        shift = make_activity(team, requires_approval=True).shifts.get()
        volunteer = make_volunteer()
        signup = services.signup_create(actor=volunteer.user, shift=shift)
        assert signup.status == SignupStatus.PENDING
        shift.refresh_from_db()
        assert shift.taken == 0
        services.signup_decide(actor=manager, signup=signup, approve=True)
        shift.refresh_from_db()
        assert shift.taken == 1

    def test_required_skills_are_checked(self):
        shift = make_activity(make_team(), shifts=[shift_data(skills=["first_aid"])]).shifts.get()
        with pytest.raises(ShequError) as exc:
            services.signup_create(actor=make_volunteer().user, shift=shift)
        assert exc.value.code == "skills_missing"
        assert services.signup_create(actor=make_volunteer(skills=["first_aid"]).user, shift=shift)

    def test_the_database_refuses_more_taken_than_places_on_any_database(self):
        shift = make_activity(make_team(), shifts=[shift_data(capacity=2)]).shifts.get()
        with pytest.raises(IntegrityError), transaction.atomic():
            Shift.objects.filter(pk=shift.pk).update(taken=F("capacity") + 1)
        assert connection.vendor in ("sqlite", "postgresql")

    def test_reminders_go_once(self):
        shift = make_activity(
            make_team(), shifts=[shift_data(start=timezone.now() + timedelta(hours=3))]
        ).shifts.get()
        volunteer = make_volunteer()
        services.signup_create(actor=volunteer.user, shift=shift)
        assert services.shift_send_reminders() == 1
        assert services.shift_send_reminders() == 0
        assert Message.objects.filter(person=volunteer.user, kind="volunteers.reminder").count() == 1


def _running_shift(team, *, capacity=5):
    """An activity published earlier whose shift runs now (started 1 hour ago, 2 hours long)."""
    activity = make_activity(team, shifts=[shift_data(capacity=capacity)])
    shift = activity.shifts.get()
    return activity, shift


def _move(shift, start):
    Shift.objects.filter(pk=shift.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    shift.refresh_from_db()
    return shift


class TestCheckInAndHours:
    def _signed_up(self, manager=None):
        team = make_team(managers=[manager] if manager else [])
        _activity, shift = _running_shift(team)
        volunteer = make_volunteer()
        signup = services.signup_create(actor=volunteer.user, shift=shift)
        start = timezone.now() - timedelta(minutes=90)
        return team, _move(shift, start), volunteer, signup

    def test_check_in_and_out_by_qr_gives_pending_minutes_inside_the_shift(self):
        _team, shift, volunteer, _signup = self._signed_up()
        now = shift.starts_at + timedelta(minutes=90)
        r = services.attendance_scan(actor=volunteer.user, token=qr.shift_token(shift, at=now), now=now)
        assert r.action == "in"
        later = now + timedelta(minutes=45)  # 15 minutes past the shift's end
        r = services.attendance_scan(actor=volunteer.user, token=qr.shift_token(shift, at=later), now=later)
        assert r.action == "out" and r.record is not None
        assert r.record.status == HoursStatus.PENDING and r.record.minutes == 30

    def test_an_expired_code_is_refused_and_nothing_is_written(self):
        _team, shift, volunteer, _signup = self._signed_up()
        old = qr.shift_token(shift, at=timezone.now() - timedelta(minutes=2))
        with pytest.raises(ShequError) as exc:
            services.attendance_scan(actor=volunteer.user, token=old)
        assert exc.value.code == "qr_expired"
        assert not Attendance.objects.exists()

    def test_another_shifts_code_is_refused(self):
        team, shift, volunteer, _signup = self._signed_up()
        other = _move(make_activity(team).shifts.get(), timezone.now() - timedelta(minutes=30))
        with pytest.raises(ShequError) as exc:
            services.attendance_scan(actor=volunteer.user, token=qr.shift_token(other))
        assert exc.value.code == "not_signed_up"
        forged = qr.shift_token(shift).rsplit(".", 1)[0] + ".deadbeefdeadbeefdeadbeef"
        with pytest.raises(ShequError) as exc:
            services.attendance_scan(actor=volunteer.user, token=forged)
        assert exc.value.code == "qr_invalid"
        assert not Attendance.objects.exists()

    def test_at_most_three_pairs_a_day(self):
        _team, shift, volunteer, _signup = self._signed_up()
        now = timezone.now()
        for i in range(3):
            for j in range(2):
                at = now + timedelta(minutes=2 * i + j)
                services.attendance_scan(actor=volunteer.user, token=qr.shift_token(shift, at=at), now=at)
        at = now + timedelta(minutes=7)
        with pytest.raises(ShequError) as exc:
            services.attendance_scan(actor=volunteer.user, token=qr.shift_token(shift, at=at), now=at)
        assert exc.value.code == "too_many_pairs"
        assert Attendance.objects.count() == 3

    def test_the_organiser_confirms_then_the_hours_count_and_the_hook_runs(self):
        manager = make_account()
        _team, shift, volunteer, signup = self._signed_up(manager)
        seen = []
        hook = seen.append
        register_hours_confirmed_hook(hook)
        try:
            record = services.attendance_roster(
                actor=manager,
                signup=signup,
                started_at=shift.starts_at,
                ended_at=shift.starts_at + timedelta(hours=1),
            )
            volunteer.refresh_from_db()
            assert volunteer.confirmed_minutes == 0
            services.hours_confirm(actor=manager, record=record)
        finally:
            unregister_hours_confirmed_hook(hook)
        volunteer.refresh_from_db()
        assert volunteer.confirmed_minutes == 60 and volunteer.status == VolunteerStatus.FORMAL
        assert [r.pk for r in seen] == [record.pk]
        assert seen[0].user == volunteer.user and seen[0].minutes == 60 and seen[0].confirmed_at is not None

    def test_a_hook_that_fails_rolls_the_confirmation_back(self):
        manager = make_account()
        _team, shift, volunteer, signup = self._signed_up(manager)
        record = services.attendance_roster(
            actor=manager,
            signup=signup,
            started_at=shift.starts_at,
            ended_at=shift.starts_at + timedelta(hours=1),
        )

        def broken(record):
            raise RuntimeError("ledger down")

        register_hours_confirmed_hook(broken)
        try:
            with pytest.raises(RuntimeError):
                services.hours_confirm(actor=manager, record=record)
        finally:
            unregister_hours_confirmed_hook(broken)
        record.refresh_from_db()
        volunteer.refresh_from_db()
        assert record.status == HoursStatus.PENDING and volunteer.confirmed_minutes == 0

    def test_hours_beyond_the_shift_are_refused(self):
        manager = make_account()
        _team, shift, _volunteer, signup = self._signed_up(manager)
        with pytest.raises(ShequError) as exc:
            services.attendance_roster(
                actor=manager,
                signup=signup,
                started_at=shift.starts_at - timedelta(hours=1),
                ended_at=shift.starts_at + timedelta(hours=1),
            )
        assert exc.value.code == "beyond_shift"
        assert not HoursRecord.objects.exists() and not Attendance.objects.exists()

    def test_makeup_needs_a_reason_and_someone_elses_approval(self):
        manager = make_account()
        _team, shift, volunteer, signup = self._signed_up(manager)
        start = shift.starts_at
        with pytest.raises(ShequError):
            services.makeup_request(
                actor=volunteer.user,
                signup=signup,
                started_at=start,
                ended_at=start + timedelta(minutes=30),
                reason="",
            )
        record = services.makeup_request(
            actor=volunteer.user,
            signup=signup,
            started_at=start,
            ended_at=start + timedelta(minutes=30),
            reason="手机没电，未能扫码签到",
        )
        with pytest.raises(PermissionDenied):
            services.hours_confirm(actor=volunteer.user, record=record)
        services.hours_confirm(actor=manager, record=record)
        assert AuditEntry.objects.filter(
            action="volunteer_hours.makeup_approve", object_id=str(record.pk)
        ).exists()

    def test_a_disputed_record_is_confirmed_with_the_claimed_minutes(self):
        manager = make_account()
        _team, shift, volunteer, signup = self._signed_up(manager)
        record = services.attendance_roster(
            actor=manager,
            signup=signup,
            started_at=shift.starts_at,
            ended_at=shift.starts_at + timedelta(minutes=20),
        )
        services.hours_reject(actor=manager, record=record, note="签到时间不符")
        services.hours_dispute(actor=volunteer.user, record=record, reason="我服务了一个半小时", minutes=90)
        services.hours_confirm(actor=manager, record=record)
        record.refresh_from_db()
        assert record.status == HoursStatus.CONFIRMED and record.minutes == 90

    def test_a_certificate_counts_the_teams_confirmed_hours(self):
        manager = make_account()
        team, shift, volunteer, signup = self._signed_up(manager)
        record = services.attendance_roster(
            actor=manager,
            signup=signup,
            started_at=shift.starts_at,
            ended_at=shift.starts_at + timedelta(hours=1),
        )
        with pytest.raises(ShequError):
            services.certificate_issue(actor=volunteer.user, team=team)
        services.hours_confirm(actor=manager, record=record)
        certificate = services.certificate_issue(actor=volunteer.user, team=team)
        assert certificate.minutes == 60 and len(certificate.code) == 12
        assert certificate.records == 1
        assert certificate.first_day == certificate.last_day == timezone.localdate(shift.starts_at)

    def test_the_star_level_counts_confirmed_hours_over_each_levels_window(self):
        from shequ.volunteers.models import StarLevel
        from shequ.volunteers.selectors import stars_for

        StarLevel.objects.all().delete()
        StarLevel.objects.create(stars=1, min_hours=1, window_days=730)
        second = StarLevel.objects.create(stars=2, min_hours=2, window_days=30)
        manager = make_account()
        _team, shift, volunteer, signup = self._signed_up(manager)
        assert stars_for(volunteer) == 0
        start = shift.starts_at
        hour = services.attendance_roster(
            actor=manager, signup=signup, started_at=start, ended_at=start + timedelta(hours=1)
        )
        assert stars_for(volunteer) == 0  # pending hours do not count
        services.hours_confirm(actor=manager, record=hour)
        assert stars_for(volunteer) == 1
        older = services.attendance_roster(
            actor=manager,
            signup=signup,
            started_at=start + timedelta(hours=1),
            ended_at=start + timedelta(hours=1, minutes=30),
        )
        services.hours_confirm(actor=manager, record=older, minutes=60)
        # The second hour was served 60 days ago: inside the first level's window, outside the second's.
        HoursRecord.objects.filter(pk=older.pk).update(started_at=F("started_at") - timedelta(days=60))
        assert stars_for(volunteer) == 1
        StarLevel.objects.filter(pk=second.pk).update(window_days=90)
        assert stars_for(volunteer) == 2


class TestMatching:
    def test_help_requests_find_volunteers_by_skill_area_and_time(self):
        from datetime import datetime

        from shequ.geo.models import Area
        from shequ.volunteers.selectors import volunteers_matching

        from .helpers import huafu_community

        carer = make_volunteer(skills=["elder_care"], availability=("sat_am",))
        make_volunteer(skills=[], availability=("sat_am",))  # no such skill
        home = huafu_community()
        today = timezone.localdate()
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        morning = timezone.make_aware(datetime.combine(saturday, datetime.min.time()).replace(hour=9))
        assert volunteers_matching(["elder_care"], home, morning) == [carer]
        assert volunteers_matching(["elder_care"], home.code, morning) == [carer]
        # Not free on a weekday morning; not serving a community of another district.
        assert volunteers_matching(["elder_care"], home, morning - timedelta(days=2)) == []
        elsewhere = Area.objects.filter(level="community").exclude(path__startswith=home.parent.parent.path)
        assert volunteers_matching(["elder_care"], elsewhere.first(), morning) == []

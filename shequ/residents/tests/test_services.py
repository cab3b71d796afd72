from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from shequ.audit.models import AuditEntry
from shequ.core.crypto import hash_lookup, reencrypt_model
from shequ.core.errors import ShequError
from shequ.core.idnumbers import make_id_number
from shequ.residents.models import Resident
from shequ.residents.services import household_create, resident_create, resident_reveal

pytestmark = pytest.mark.django_db


def _household(code="440304", street="华富街道"):
    from shequ.geo.models import Area

    if code == "440305":
        street = "粤海街道"
    community = Area.objects.filter(level="community", parent__name=street, parent__parent__code=code).first()
    return household_create(actor=None, area=community, room="3栋502室")


def test_an_id_number_with_a_wrong_check_digit_is_refused_with_a_clear_message(cast):
    good = make_id_number("440304", date(1980, 1, 2), 7, "male")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ShequError) as err:
        resident_create(actor=cast["lina"], household=_household(), name="王五", id_number=bad)
    assert (
        "校验码错误" in err.value.fields["id_number"]
    )  # zh-hans first; the message names the expected digit
    assert not Resident.objects.exists()


def test_a_bad_phone_is_refused_and_nothing_is_written(cast):
    with pytest.raises(ShequError) as err:
        resident_create(
            actor=cast["lina"],
            household=_household(),
            name="王五",
            id_number=make_id_number("440304", date(1980, 1, 2), 7, "male"),
            phone="12345",
        )
    assert "phone" in err.value.fields
    assert not Resident.objects.exists()


def test_birth_date_and_gender_derive_from_the_id_number(cast):
    r = resident_create(
        actor=cast["lina"],
        household=_household(),
        name="王五",
        id_number=make_id_number("440304", date(1980, 1, 2), 7, "female"),
        phone="13912345678",
    )
    assert r.birth_date == date(1980, 1, 2) and r.gender == "female"


def test_identifiers_are_encrypted_at_rest_and_found_by_keyed_hash(cast):
    id_number = make_id_number("440304", date(1975, 6, 30), 12, "male")
    r = resident_create(
        actor=cast["lina"], household=_household(), name="王五", id_number=id_number, phone="13912345678"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash FROM residents_resident WHERE id = %s", [r.pk]
        )
        raw_id, raw_phone, raw_hash = cursor.fetchone()
    assert id_number not in raw_id and "13912345678" not in raw_phone
    assert raw_id.startswith("v1.") and raw_hash != id_number
    assert Resident.objects.get(**hash_lookup(Resident, "phone", "139 1234 5678")) == r
    assert Resident.objects.get(pk=r.pk).id_number == id_number


def test_the_same_id_number_cannot_be_registered_twice(cast):
    id_number = make_id_number("440304", date(1975, 6, 30), 12, "male")
    resident_create(actor=cast["lina"], household=_household(), name="王五", id_number=id_number)
    with pytest.raises(ShequError, match="已登记"):
        resident_create(actor=cast["lina"], household=_household(), name="王六", id_number=id_number)


def test_a_worker_cannot_register_outside_his_street(cast):
    with pytest.raises(PermissionDenied):
        resident_create(
            actor=cast["lina"],
            household=_household("440305"),
            name="王五",
            id_number=make_id_number("440305", date(1980, 1, 2), 7, "male"),
        )


def test_creation_is_audited_with_masked_values(cast):
    id_number = make_id_number("440304", date(1975, 6, 30), 12, "male")
    r = resident_create(
        actor=cast["lina"], household=_household(), name="王五", id_number=id_number, phone="13912345678"
    )
    entry = AuditEntry.objects.get(action="resident.create", object_id=str(r.pk))
    text = str(entry.changes)
    assert id_number not in text and "13912345678" not in text
    assert "139****5678" in text and entry.actor_username == "lina"


def test_a_reveal_needs_a_purpose_and_a_role_that_allows_it(cast, make_resident):
    r = make_resident(phone="13912345678")
    with pytest.raises(ShequError):
        resident_reveal(actor=cast["lina"], resident=r, fields=["phone"], purpose="")
    with pytest.raises(PermissionDenied):
        resident_reveal(actor=cast["chenjing"], resident=r, fields=["phone"], purpose="statistics check")
    assert AuditEntry.objects.filter(action="resident.reveal_refused", actor_username="chenjing").exists()
    values = resident_reveal(actor=cast["lina"], resident=r, fields=["phone"], purpose="home visit")
    assert values == {"phone": "13912345678"}
    entry = AuditEntry.objects.get(action="resident.reveal")
    assert entry.purpose == "home visit" and entry.actor_username == "lina"


def test_rotating_the_data_key_re_encrypts_every_value(cast, make_resident, settings):
    current = settings.SHEQU_DATA_KEYS
    old_only = current.split(",")[1]
    settings.SHEQU_DATA_KEYS = old_only  # write under the old key alone
    r = make_resident(phone="13912345678")
    settings.SHEQU_DATA_KEYS = current  # the new key is current again, the old one still decrypts
    assert reencrypt_model(Resident) == 1
    assert reencrypt_model(Resident) == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM residents_resident WHERE id = %s", [r.pk])
        assert cursor.fetchone()[0].startswith("v1.test2.")
    assert Resident.objects.get(pk=r.pk).phone == "13912345678"

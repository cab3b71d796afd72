import pytest
from django.core.exceptions import PermissionDenied

from shequ.access.scoping import can, can_at, scope_for, visible_to
from shequ.access.services import grant_create, grant_decide, grant_revoke
from shequ.accounts.models import GrantStatus
from shequ.accounts.roles import Action, Role
from shequ.audit.models import AuditEntry
from shequ.core.errors import ShequError
from shequ.geo.models import Area
from shequ.residents.models import Resident

pytestmark = pytest.mark.django_db


def futian():
    return Area.objects.get(code="440304")


def test_the_security_admin_grants_directly_and_it_is_audited(cast, make_user):
    newcomer = make_user("xiaoli")
    grant = grant_create(actor=cast["wujun"], user=newcomer, role=Role.COMMUNITY_WORKER, area=futian())
    assert grant.status == GrantStatus.ACTIVE
    assert can_at(newcomer, Action.RESIDENTS_VIEW, futian().path)
    entry = AuditEntry.objects.filter(action="grant.create").latest("seq")
    assert entry.actor_username == "wujun" and entry.object_id == str(grant.pk)


def test_the_system_admin_can_only_request_a_grant(cast, make_user):
    newcomer = make_user("xiaoli")
    grant = grant_create(actor=cast["zhouyu"], user=newcomer, role=Role.COMMUNITY_WORKER, area=futian())
    assert grant.status == GrantStatus.PENDING
    assert not can(newcomer, Action.RESIDENTS_VIEW)


def test_the_system_admin_cannot_approve_what_he_requested(cast, make_user):
    grant = grant_create(actor=cast["zhouyu"], user=make_user("xiaoli"), role=Role.GRID_WORKER, area=futian())
    with pytest.raises(PermissionDenied):
        grant_decide(actor=cast["zhouyu"], grant=grant, approve=True)


def test_the_security_admin_approves_a_requested_grant(cast, make_user):
    newcomer = make_user("xiaoli")
    grant = grant_create(actor=cast["zhouyu"], user=newcomer, role=Role.GRID_WORKER, area=futian())
    grant_decide(actor=cast["wujun"], grant=grant, approve=True)
    assert can(newcomer, Action.RESIDENTS_VIEW)


def test_nobody_grants_himself_a_role(cast):
    with pytest.raises(PermissionDenied):
        grant_create(actor=cast["wujun"], user=cast["wujun"], role=Role.AUDIT_ADMIN, area=futian())
    assert AuditEntry.objects.filter(action="grant.refused", actor_username="wujun").exists()


@pytest.mark.parametrize("actor", ["zhaomin", "lina", "chenjing"])
def test_other_roles_cannot_grant_at_all(cast, make_user, actor):
    with pytest.raises(PermissionDenied):
        grant_create(actor=cast[actor], user=make_user("x"), role=Role.GRID_WORKER, area=futian())


def test_a_revoked_grant_stops_working_and_needs_a_reason(cast):
    grant = cast["lina"].grants.get()
    with pytest.raises(ShequError):
        grant_revoke(actor=cast["wujun"], grant=grant, reason=" ")
    grant_revoke(actor=cast["wujun"], grant=grant, reason="moved to another street")
    assert not can(cast["lina"], Action.RESIDENTS_VIEW)


def test_three_admins_hold_separate_powers(cast):
    zhouyu, wujun, zhaomin = cast["zhouyu"], cast["wujun"], cast["zhaomin"]
    assert not can(zhouyu, Action.AUDIT_VIEW) and not can(zhouyu, Action.GRANTS_MANAGE)
    assert not can(wujun, Action.AUDIT_VIEW) and can(wujun, Action.GRANTS_MANAGE)
    assert can(zhaomin, Action.AUDIT_VIEW) and not can(zhaomin, Action.GRANTS_MANAGE)
    assert not any(can(u, Action.RESIDENTS_VIEW) for u in (zhouyu, wujun, zhaomin))


def test_scope_covers_the_grant_area_and_everything_under_it(cast):
    lina = cast["lina"]
    huafu = Area.objects.get(name="华富街道")
    community = huafu.children.first()
    assert can_at(lina, Action.RESIDENTS_VIEW, community.path)
    assert not can_at(lina, Action.RESIDENTS_VIEW, Area.objects.get(name="粤海街道").path)
    assert scope_for(lina, Action.AUDIT_VIEW).empty


def test_visible_to_filters_by_area_and_lets_residents_see_their_own(cast, make_resident):
    mine = make_resident("440304", "华富街道")
    other = make_resident("440305", "粤海街道")
    Resident.objects.filter(pk=mine.pk).update(user=cast["zhangwei"])
    lina_sees = set(visible_to(Resident.objects.all(), cast["lina"], Action.RESIDENTS_VIEW))
    assert mine in lina_sees and other not in lina_sees
    assert list(visible_to(Resident.objects.all(), cast["zhangwei"], Action.RESIDENTS_VIEW)) == [mine]
    assert set(visible_to(Resident.objects.all(), cast["chenjing"], Action.RESIDENTS_VIEW)) >= {mine, other}

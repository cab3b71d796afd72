import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in

pytestmark = pytest.mark.django_db


class TestConsole(PermissionMatrixMixin):
    def test_console_home_is_for_staff(self, client, cast, make_user):
        self.assert_permission_matrix(
            client, url="/console/", in_scope=cast["lina"], no_role=cast["zhangwei"], page=True
        )

    def test_the_outbox_is_for_the_system_admin(self, client, cast):
        self.assert_permission_matrix(
            client, url="/console/outbox/", in_scope=cast["zhouyu"], no_role=cast["lina"], page=True
        )

    def test_the_residents_page_is_scoped(self, client, cast, make_resident):
        mine = make_resident("440304", "华富街道", name="华富居民")
        make_resident("440305", "粤海街道", name="粤海居民")
        self.assert_permission_matrix(
            client, url="/console/residents/", in_scope=cast["lina"], no_role=cast["zhouyu"], page=True
        )
        sign_in(client, cast["lina"])
        page = client.get("/console/residents/").content.decode()
        assert "华富居民" in page and "粤海居民" not in page and mine.phone not in page


def test_console_home_lists_what_the_role_may_open(client, cast):
    sign_in(client, cast["zhaomin"])
    page = client.get("/console/").content.decode()
    assert "/console/audit/" in page and "/console/residents/" not in page


def test_reveal_on_the_residents_page_asks_a_purpose_and_returns_a_fragment(client, cast, make_resident):
    r = make_resident(phone="13912345678")
    sign_in(client, cast["lina"])
    refused = client.post(
        f"/console/residents/{r.pk}/reveal/", {"fields": ["phone"], "purpose": ""}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 400 and "<html" not in refused.content.decode()
    shown = client.post(
        f"/console/residents/{r.pk}/reveal/",
        {"fields": ["phone"], "purpose": "home visit"},
        HTTP_HX_REQUEST="true",
    )
    assert shown.status_code == 200 and "13912345678" in shown.content.decode()
    assert shown["X-Shequ-Reveal"] == "audited"


def test_reveal_of_someone_out_of_scope_is_404(client, cast, make_resident):
    other = make_resident("440305", "粤海街道")
    sign_in(client, cast["lina"])
    assert client.post(f"/console/residents/{other.pk}/reveal/", {"purpose": "home visit"}).status_code == 404

import csv
import io

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.appeals.services import IntakeData, appeal_dispatch, appeal_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def appeals(cast):
    made = []
    for i in range(3):
        a = appeal_submit(
            actor=None,
            data=IntakeData(text=f"路灯坏了第{i}盏", channel="portal", area="440304", category="road_damage"),
        )
        made.append(appeal_dispatch(actor=cast["sunli"], appeal=a, unit="440304-CG"))
    appeal_submit(
        actor=None,
        data=IntakeData(
            text="南山的噪音问题很严重",
            channel="portal",
            area="440305",
            category="noise",
            attributes={"time_of_day": "night"},
        ),
    )
    return made


class TestDashboard(PermissionMatrixMixin):
    def test_the_dashboard_is_for_kpi_roles(self, client, cast, appeals):
        self.assert_permission_matrix(
            client, url="/dashboard/", in_scope=cast["chenjing"], no_role=cast["zhouyu"], page=True
        )


def test_the_city_view_shows_districts_and_drills_down(client, cast, appeals):
    from shequ.geo.models import Area

    community = Area.objects.filter(parent__name="华富街道").first()
    appeal_submit(actor=None, data=IntakeData(text="华富的路灯坏了", channel="portal", area=community.code))
    sign_in(client, cast["chenjing"])
    page = client.get("/dashboard/").content.decode()
    assert "福田区" in page and "南山区" in page and "dashboard-data" in page
    assert 'href="?area=440304' in page  # drill-down link city → district
    futian = client.get("/dashboard/", {"area": "440304"}).content.decode()
    assert "华富街道" in futian and 'href="?area=' + community.parent.code in futian


def test_a_street_officer_sees_only_his_street(client, cast, appeals):
    sign_in(client, cast["wangqiang"])
    page = client.get("/dashboard/").content.decode()
    assert "粤海街道" in page and "福田区" not in page
    assert client.get("/dashboard/", {"area": "440304"}).status_code == 404


def test_every_chart_exports_the_rows_of_its_table(client, cast, appeals):
    sign_in(client, cast["chenjing"])
    r = client.get("/dashboard/export/", {"chart": "by_area", "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["440304"][2] == "3" and by_code["440304"][3] == "3"  # received, dispatched
    assert by_code["440305"][2] == "1"


def test_the_dashboard_shows_the_newest_early_warnings(client, cast):
    from django.utils import timezone

    from shequ.earlywarning.services import warnings_detect
    from shequ.geo.models import Area

    community = Area.objects.filter(parent__name="华富街道").order_by("code").first()
    for i in range(3):  # one caller, three times in a month: a repeat warning
        appeal_submit(
            actor=None,
            data=IntakeData(
                text=f"小区门口垃圾没人清理，第{i + 1}次反映",
                channel="portal",
                area=community.code,
                category="sanitation",
                contact_phone="13912345678",
            ),
        )
    assert warnings_detect(day=timezone.localdate())["created"] >= 1
    sign_in(client, cast["chenjing"])
    page = client.get("/dashboard/").content.decode()
    section = page.split('id="ew-h"', 1)[1].split("</section>", 1)[0]
    assert "同一人重复诉求" in section and community.name in section and "3 件诉求" in section
    assert "/console/warnings/" in section and "13912345678" not in page


def test_a_kpi_reader_without_the_warning_role_sees_no_warning_section(client, cast):
    sign_in(client, cast["liuyang"])  # a department handler: KPIs yes, early warnings no
    r = client.get("/dashboard/")
    assert r.status_code == 200 and "每月一题" not in r.content.decode()

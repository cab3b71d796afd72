"""The console's projects (issue 26): a community worker adds a project, matches a resident's need to it and moves
its status, the trace from need to project readable on its page; the three lists export as CSV and Excel with
personal data redacted; refusals write nothing; out of scope is 404."""

from __future__ import annotations

import pytest

from shequ.access.testing import PermissionMatrixMixin, sign_in
from shequ.audit.models import AuditEntry
from shequ.participation import services
from shequ.participation.models import Project

from .helpers import cat, need

pytestmark = pytest.mark.django_db

NEW = "/console/participation/projects/new/"


def project(actor, area, title="3栋楼道扶手安装"):
    return services.project_create(actor=actor, area=area, category=cat(), title=title, budget_yuan=12000)


class TestPermissionMatrix(PermissionMatrixMixin):
    def test_the_project_pages_and_exports(self, client, cast, huafu_community):
        p = project(cast["lina"], huafu_community)
        self.assert_permission_matrix(
            client, url=NEW, in_scope=cast["lina"], no_role=cast["zhangwei"], page=True
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/projects/{p.pk}/",
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=cast["zhangwei"],
            missing_url="/console/participation/projects/999999/",
            page=True,
        )
        for which in ("needs", "resources", "projects"):
            self.assert_permission_matrix(
                client,
                url=f"/console/participation/export/{which}/?format=csv",
                in_scope=cast["lina"],
                no_role=cast["zhangwei"],
                page=True,
            )

    def test_posting_the_project_forms(self, client, cast, huafu_community):
        p = project(cast["lina"], huafu_community)
        data = {
            "area": huafu_community.code,
            "category": "elderly",
            "title": "长者饭堂增设座位",
            "budget_yuan": "",
        }
        self.assert_permission_matrix(
            client,
            url=NEW,
            method="post",
            multipart=True,
            data=data,
            in_scope=cast["lina"],
            no_role=cast["zhangwei"],
            ok=(302,),
            page=True,
        )
        self.assert_permission_matrix(
            client,
            url=f"/console/participation/projects/{p.pk}/",
            method="post",
            multipart=True,
            data={"status": "in_progress"},
            in_scope=cast["lina"],
            out_of_scope=cast["wangqiang"],
            no_role=cast["zhangwei"],
            ok=(302,),
            page=True,
        )


def test_a_project_is_added_a_need_matched_to_it_and_its_status_moved(
    client, cast, resident, huafu_community
):
    lina = cast["lina"]
    sign_in(client, lina)
    # Refused: a title too short and a community outside her choices; nothing written, what was typed kept.
    r = client.post(
        NEW, {"area": huafu_community.code, "category": "elderly", "title": "扶手", "description": "加装"}
    )
    page = r.content.decode()
    assert r.status_code == 400 and 'id="id_title_error"' in page and "加装</textarea>" in page
    r = client.post(NEW, {"area": "440303001001", "category": "elderly", "title": "长者饭堂增设座位"})
    assert r.status_code == 400 and not Project.objects.exists()
    r = client.post(
        NEW,
        {
            "area": huafu_community.code,
            "category": "elderly",
            "title": "3栋楼道扶手安装",
            "budget_yuan": "12000",
        },
    )
    p = Project.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/console/participation/projects/{p.pk}/"
    assert (p.area, p.budget_yuan, p.status) == (huafu_community, 12000, "planned")
    n = need(resident, huafu_community)
    r = client.post(
        f"/console/participation/needs/{n.pk}/",
        {"action": "match", "target": f"project:{p.pk}", "reply": "已纳入民生微实事"},
    )
    assert r.status_code == 302
    page = client.get(f"/console/participation/projects/{p.pk}/").content.decode()
    assert "楼道需要扶手" in page and "预算 12000 元" in page
    r = client.post(f"/console/participation/projects/{p.pk}/", {"status": "done"})
    assert r.status_code == 400
    r = client.post(f"/console/participation/projects/{p.pk}/", {"status": "completed"}, follow=True)
    assert "项目状态已保存" in r.content.decode()
    p.refresh_from_db()
    assert p.status == "completed"
    assert AuditEntry.objects.filter(action="participation.project_status", object_id=str(p.pk)).exists()


def test_the_lists_export_with_personal_data_redacted_and_only_her_communities(
    client, cast, resident, huafu_community, yuehai_community
):
    lina = cast["lina"]
    need(resident, huafu_community, title="楼道灯坏了", description="请联系13812345678王先生")
    need(resident, yuehai_community, title="粤海的需求")  # another street's, by a resident there
    project(lina, huafu_community)
    sign_in(client, lina)
    csv = client.get("/console/participation/export/needs/?format=csv").content.decode("utf-8-sig")
    assert "楼道灯坏了" in csv and "13812345678" not in csv and "粤海的需求" not in csv
    assert "陈小明" not in csv  # the poster is not exported
    xlsx = client.get("/console/participation/export/projects/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert client.get("/console/participation/export/people/?format=csv").status_code == 404
    assert client.get("/console/participation/export/needs/?format=pdf").status_code == 404

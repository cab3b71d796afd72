"""Error pages in Chinese in the site's frame, with a way back (issue 21)."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation

from shequ.access.testing import sign_in
from shequ.web import errors

pytestmark = pytest.mark.django_db


def test_a_missing_page_says_so_in_chinese_with_a_way_home(client):
    r = client.get("/no-such-page/")
    page = r.content.decode()
    assert r.status_code == 404
    assert "页面不存在" in page and 'href="/"' in page and "返回首页" in page
    assert "Not Found" not in page and "csrfmiddlewaretoken" not in page


def test_two_missing_pages_look_the_same_byte_for_byte(client, cast):
    sign_in(client, cast["lina"])
    assert client.get("/console/residents/999999991/").content == client.get("/nothing/here/").content


def test_a_refused_page_is_chinese_and_offers_the_console_to_staff(client, cast):
    sign_in(client, cast["zhouyu"])
    r = client.get("/console/audit/")
    page = r.content.decode()
    assert r.status_code == 403
    assert "无权访问" in page and 'href="/console/"' in page and "403 Forbidden" not in page


def test_the_server_error_page_needs_neither_request_context_nor_database(django_assert_num_queries):
    request = RequestFactory().get("/boom/")
    with translation.override("zh-hans"), django_assert_num_queries(0):
        r = errors.server_error(request)
    page = r.content.decode()
    assert r.status_code == 500 and "出错了" in page and 'href="/"' in page


def test_an_expired_form_gets_the_chinese_csrf_page():
    client = Client(enforce_csrf_checks=True)
    r = client.post("/prefs/elder/", {"elder": "1"})
    page = r.content.decode()
    assert r.status_code == 403
    assert "表单已过期" in page and "CSRF" not in page

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_chinese_first_and_counts_the_tree(client):
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "深圳市社区服务" in html
    assert ">783<" in html and ">78<" in html


def test_an_english_browser_still_gets_chinese_first(client):
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "深圳市社区服务" in r.content.decode()


def test_choosing_english_switches_the_pages(client):
    r = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert r.status_code == 302
    html = client.get("/").content.decode()
    assert "Community services of Shenzhen" in html and '<html lang="en">' in html


def test_front_end_libraries_are_served_locally_not_from_a_cdn(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "//cdn" not in html and "unpkg" not in html and "jsdelivr" not in html

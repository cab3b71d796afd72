import pytest


@pytest.fixture
def huafu_community(db):
    from shequ.geo.models import Area

    street = Area.objects.get(parent__code="440304", name="华富街道")
    return Area.objects.filter(parent=street, level="community").order_by("code").first()


@pytest.fixture
def yuehai_community(db):
    from shequ.geo.models import Area

    street = Area.objects.get(parent__code="440305", name="粤海街道")
    return Area.objects.filter(parent=street, level="community").order_by("code").first()


@pytest.fixture
def resident(make_user):
    return make_user("xiaoming", display_name="陈小明")


@pytest.fixture(autouse=True)
def taxonomy(db):
    """The categories of the data migration, put back if an earlier transactional test's flush removed them."""
    import importlib

    from django.apps import apps

    from shequ.participation.models import Category

    if not Category.objects.exists():
        importlib.import_module("shequ.participation.migrations.0002_default_categories").load(apps, None)

"""The fixed cast: a reporter of one department, an administrator, and an outsider."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from tests import factory
from tracker.models import Plan


@pytest.fixture
def seed_plan(db) -> Plan:
    call_command("loaddata", "lingyuan_14th_fyp", verbosity=0)
    return Plan.objects.get(slug="lingyuan-14th")


@pytest.fixture
def demo_plan(db):
    from tracker import demo as demo_data

    demo_data.load()
    return Plan.objects.get(slug="lingyuan-14th")


@pytest.fixture
def demo_plans(db):
    """Everything `load_demo` loads: the 14th plan and the 15th started from it."""
    from tracker import demo as demo_data

    demo_data.load(next_plan=True)
    return Plan.objects.get(slug="lingyuan-14th"), Plan.objects.get(slug="lingyuan-15th")


@pytest.fixture
def roles(transactional_db):
    """For tests between threads: the groups a migration creates, which another
    transactional test's flush removed."""
    from django.contrib.auth.models import Group

    for name in ("administrators", "reporters", "viewers"):
        Group.objects.get_or_create(name=name)


@pytest.fixture
def department(db):
    return factory.make_department(name="统计局")


@pytest.fixture
def other_department(db):
    return factory.make_department(name="财政局")


@pytest.fixture
def reporter(department):
    return factory.make_user("reporter", role="reporter", departments=[department])


@pytest.fixture
def admin_user(db):
    return factory.make_user("administrator", role="admin")


@pytest.fixture
def outsider(db):
    return factory.make_user("outsider")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing is deliberately slow; the tests log in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    # A request in English leaves English active in this thread; start each test afresh.
    with translation.override("zh-hans"):
        yield


@pytest.fixture(autouse=True)
def no_login_lockouts(settings):
    # django-axes needs the request on every authenticate(); the test client's login() has
    # none. Its own test switches it back on.
    settings.AXES_ENABLED = False

"""Demo staff: the office admin is not a superuser; a separate superuser manages admins."""

import pytest

from wenzhou_portal.demo import demo_accounts_path, seed_staff_accounts
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _lines() -> dict[str, str]:
    text = demo_accounts_path().read_text(encoding="utf-8")
    return {line.split(" ")[0]: line for line in text.splitlines() if line}


def test_demo_office_admin_is_not_a_superuser(var_dir, django_user_model):
    seed_staff_accounts(lambda _text: None)
    office_admin = django_user_model.objects.get(username="office_admin")
    assert not office_admin.is_superuser
    assert office_admin.has_role(Role.OFFICE_ADMIN)
    superadmin = django_user_model.objects.get(username="superadmin")
    assert superadmin.is_superuser
    assert superadmin.is_staff
    assert _lines()["superadmin"].endswith(" superuser")


def test_seeding_again_keeps_passwords_and_lines(var_dir, django_user_model):
    seed_staff_accounts(lambda _text: None)
    before = demo_accounts_path().read_text(encoding="utf-8")
    hashes = dict(django_user_model.objects.values_list("username", "password"))
    seed_staff_accounts(lambda _text: None)
    assert demo_accounts_path().read_text(encoding="utf-8") == before
    assert dict(django_user_model.objects.values_list("username", "password")) == hashes


def test_an_earlier_demo_office_admin_superuser_is_demoted_and_keeps_its_line(var_dir, make_staff):
    # The demo before this change: office_admin a superuser, its line already written.
    earlier = make_staff("office_admin", Role.OFFICE_ADMIN, is_superuser=True)
    path = demo_accounts_path()
    path.write_text("office_admin kept-password office_admin\n", encoding="utf-8")
    seed_staff_accounts(lambda _text: None)
    earlier.refresh_from_db()
    assert not earlier.is_superuser
    assert earlier.check_password("correct horse battery staple")
    lines = _lines()
    assert lines["office_admin"] == "office_admin kept-password office_admin"
    assert "superadmin" in lines

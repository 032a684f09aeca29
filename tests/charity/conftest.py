import pytest

from tests.charity.donation_support import (  # noqa: F401  (fixtures)
    platform_project,
    project,
    reviewers,
)
from tests.journeys.support import senior_page  # noqa: F401  (fixture)
from wenzhou_portal.roles import Role


@pytest.fixture
def charity_reviewer(make_staff):
    """张伟 reviews charity organisations and projects in admin."""
    return make_staff("zhang_wei_reviewer", Role.CHARITY_REVIEWER, first_name="张伟")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"

import pytest


@pytest.fixture
def campaign_editor(make_staff):
    """林静 runs the city's online campaigns in admin."""
    from wenzhou_portal.roles import Role

    return make_staff("lin_jing_editor", Role.CAMPAIGN_EDITOR, first_name="林静")

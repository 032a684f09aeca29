import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def index_editor(make_staff):
    """周敏 keeps the index method and enters the monthly figures."""
    from wenzhou_portal.roles import Role

    return make_staff("zhou_min", Role.INDEX_EDITOR, first_name="周敏")


# The index is computed from report-desk data; reuse that app's people and places.
from tests.rumors.conftest import (  # noqa: E402, F401
    district_rules,
    longwan_office,
    lucheng_handler,
    lucheng_office,
    office,
    submit,
)


@pytest.fixture
def default_method():
    """Transactional tests flush the database, data migrations included: restore the method."""
    from civility_index.defaults import ensure_default_method

    ensure_default_method()

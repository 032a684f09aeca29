"""With a replica, public read pages read from it; writes, admin and staff never do.

The replica here is what DATABASE_REPLICA_URL configures under test: a mirror of the test
database, reached through a connection of its own. Data must be committed to be seen
there (transactional tests), as it must be replicated in production.
"""

import pytest
from django.db import connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import get_resolver

from rumors.models import Department, DepartmentKind
from tests.portal.test_settings import run_python
from wenzhou_portal.db_router import REPLICA, ReplicaRouter, replica_reads


class RecordingRouter(ReplicaRouter):
    """The portal's router, noting each read's choice."""

    reads: list[str] = []

    def db_for_read(self, model, **hints) -> str:
        chosen = super().db_for_read(model, **hints)
        RecordingRouter.reads.append(chosen)
        return chosen


@pytest.fixture(scope="module", autouse=True)
def replica_database(django_db_setup, django_db_blocker):
    """A "replica" alias mirroring the test database, and the router, for this module."""
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {**default, "TEST": {**default["TEST"], "MIRROR": "default"}}
    with override_settings(DATABASE_ROUTERS=[f"{__name__}.RecordingRouter"]):
        yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def queries():
    """The queries each connection runs while the test's requests are answered."""
    RecordingRouter.reads = []
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        yield {"primary": primary, "replica": replica}


replica_test = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


@pytest.fixture
def lucheng_office(replica_database):
    return Department.objects.create(
        name="鹿城区委网信办", kind=DepartmentKind.DISTRICT_OFFICE, district="330302"
    )


@replica_test
@pytest.mark.parametrize("path", ["/index/", "/index/methodology/", "/debunks/", "/charity/"])
def test_a_public_read_page_reads_from_the_replica(client, queries, path):
    assert client.get(path).status_code == 200
    assert RecordingRouter.reads, "the page read nothing"
    assert set(RecordingRouter.reads) == {REPLICA}
    assert len(queries["replica"]) > 0
    assert len(queries["primary"]) == 0


@replica_test
def test_the_index_api_reads_from_the_replica_for_the_public(client, queries):
    assert client.get("/api/v1/index/latest/").status_code in (200, 404)
    assert set(RecordingRouter.reads) == {REPLICA}


@replica_test
def test_a_signed_in_staff_member_reads_the_primary_even_on_public_pages(
    client, office_admin, queries
):
    client.force_login(office_admin)
    assert client.get("/index/").status_code == 200
    assert client.get("/debunks/").status_code == 200
    assert REPLICA not in RecordingRouter.reads
    assert len(queries["replica"]) == 0


@replica_test
def test_admin_pages_never_read_from_the_replica(client, office_admin, lucheng_office, queries):
    client.force_login(office_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/rumors/department/").status_code == 200
    assert client.get(f"/admin/rumors/department/{lucheng_office.pk}/change/").status_code == 200
    assert RecordingRouter.reads
    assert REPLICA not in RecordingRouter.reads
    assert len(queries["replica"]) == 0


@replica_test
def test_a_post_never_reads_from_the_replica(client, queries):
    # A citizen's report: validated, written and read back, all on the primary.
    response = client.post(
        "/reports/new/",
        {
            "category": "fraud",
            "platform": "douyin",
            "url": "https://www.douyin.com/video/123",
            "content": "直播间冒充客服，要求观众加微信退款并提供验证码。",
            "district": "330302",
        },
    )
    assert response.status_code == 302
    # A POST to a public read page (it answers 405) does not open the replica either.
    client.post("/debunks/")
    assert RecordingRouter.reads
    assert REPLICA not in RecordingRouter.reads
    assert len(queries["replica"]) == 0


@replica_test
def test_an_api_request_with_credentials_reads_the_primary(client, queries):
    client.get("/api/v1/index/latest/", HTTP_AUTHORIZATION="Token not-a-real-token")
    assert REPLICA not in RecordingRouter.reads


@replica_test
def test_pages_after_the_readers_own_action_read_the_primary(client, queries):
    client.get("/reports/track/")
    client.get("/charity/donations/verify/")
    assert REPLICA not in RecordingRouter.reads
    assert len(queries["replica"]) == 0


@replica_test
def test_writes_and_reads_inside_a_transaction_stay_on_the_primary(lucheng_office, queries):
    with replica_reads():
        assert Department.objects.get(pk=lucheng_office.pk)._state.db == REPLICA
        with transaction.atomic():
            department = Department.objects.get(pk=lucheng_office.pk)
            assert department._state.db == "default"
        # A row read from the replica is saved to the primary.
        replica_row = Department.objects.get(pk=lucheng_office.pk)
        replica_row.email = "lc@example.org"
        replica_row.save()
    assert Department.objects.using("default").get(pk=lucheng_office.pk).email == "lc@example.org"
    assert not [q for q in queries["replica"] if not q["sql"].lstrip().startswith("SELECT")]


def test_the_replica_is_never_migrated():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "rumors") is False
    assert router.allow_migrate("default", "rumors") is None


def test_every_page_named_for_the_replica_exists():
    from django.conf import settings

    names = set()
    for pattern in get_resolver().reverse_dict:
        if isinstance(pattern, str):
            names.add(pattern)
    namespaced = {
        f"{namespace}:{name}"
        for namespace, (_prefix, resolver) in get_resolver().namespace_dict.items()
        for name in resolver.reverse_dict
        if isinstance(name, str)
    }
    assert names | namespaced >= settings.DATABASE_REPLICA_VIEWS


def test_the_replica_url_adds_a_mirrored_replica_and_the_router():
    probe = (
        "import django, json; from django.conf import settings; django.setup();"
        "r = settings.DATABASES['replica'];"
        "print(json.dumps([r['HOST'], r['NAME'], r['TEST']['MIRROR'], settings.DATABASE_ROUTERS]))"
    )
    result = run_python(
        probe,
        DATABASE_URL="postgres://portal:pw@primary:5432/portal",
        DATABASE_REPLICA_URL="postgres://portal_ro:pw@replica:5432/portal",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        '["replica", "portal", "default", ["wenzhou_portal.db_router.ReplicaRouter"]]'
    )
    without = run_python("import django; django.setup()", DATABASE_REPLICA_URL="postgres://r/p")
    assert without.returncode != 0
    assert "DATABASE_REPLICA_URL needs DATABASE_URL" in without.stderr

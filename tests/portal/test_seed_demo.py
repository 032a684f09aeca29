"""seed_demo works in the production shape (a broker, no eager tasks) and stays idempotent."""

import pytest
from django.core.management import call_command

from rumors.models import AiLabel, Report, RoutingState, Status
from tests.outage import REFUSED_URL, broker_at

# Committed, as a management command commits.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _migrated_data():
    """Earlier transactional tests flush the rows data migrations made: put them back."""
    from civility_index.defaults import ensure_default_method

    ensure_default_method()


def _counts() -> dict[str, int]:
    from campaigns.models import Campaign
    from civility_index.models import Snapshot
    from rumors.models import Debunk, ReportEvent

    return {
        "reports": Report.objects.count(),
        "events": ReportEvent.objects.count(),
        "debunks": Debunk.objects.count(),
        "campaigns": Campaign.objects.count(),
        "snapshots": Snapshot.objects.count(),
    }


def test_seed_demo_with_a_broker_and_no_worker_builds_the_whole_demo_twice_over(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    # A broker is configured but nothing consumes it (here: it even refuses): the demo must
    # not rely on a task running eagerly.
    with broker_at(REFUSED_URL):
        call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
        first = _counts()
        call_command("seed_demo", stdout=open(tmp_path / "out2.txt", "w"))  # noqa: SIM115
    assert _counts() == first
    assert first["debunks"] >= 2
    assert first["campaigns"] >= 1
    assert first["snapshots"] >= 1
    # Every demo state is there: one report still waits for the sweeper, the rest routed.
    recent = Report.objects.exclude(place_description="（历史档案）")
    assert recent.filter(routing_state=RoutingState.PENDING).count() == 1
    assert {Status.RESOLVED, Status.REJECTED, Status.MERGED} <= set(
        recent.values_list("status", flat=True)
    )
    # The citizen's loop: a report waiting for its reporter's answer, a cluster of five, a
    # second look in progress, an AI-made rumor whose screenshot carries a GB 45438 label.
    assert recent.filter(status=Status.WAITING_REPORTER).exists()
    assert any(
        Report.objects.filter(duplicate_of=primary).count() == 4
        for primary in recent.filter(duplicate_of__isnull=True)
    )
    assert recent.filter(status=Status.REVIEW, review_reason__gt="").count() == 1
    ai_made = recent.get(category="ai_rumor")
    assert ai_made.evidence.get().ai_label == AiLabel.PRESENT
    # Citizens who sign in and systems that connect: a citizen with three reports, an
    # observer whose report is in the priority lane, a department token, a webhook endpoint.
    from django.conf import settings as django_settings
    from django.contrib.auth import get_user_model

    from rumors.models import WebhookEndpoint
    from wenzhou_portal.models import ApiToken

    citizens = get_user_model().objects.filter(mobile_hash__gt="", is_staff=False)
    assert sorted(
        Report.objects.filter(reporter__in=citizens).values_list(
            "reporter__is_citizen_observer", flat=True
        )
    ) == [False, False, False, True]
    observer_report = Report.objects.get(reporter__is_citizen_observer=True)
    assert observer_report.priority == django_settings.OBSERVER_PRIORITY
    assert (
        ApiToken.objects.filter(kind=ApiToken.Kind.DEPARTMENT, revoked_at__isnull=True).count() == 1
    )
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.is_active
    assert len(endpoint.secret) == 64
    accounts = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8")
    assert "citizen 13957700001" in accounts
    assert "citizen-observer 13957700002" in accounts


def test_a_failing_seeder_leaves_nothing_half_done(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    from rumors import demo

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(demo, "_advance", explode)
    with pytest.raises(RuntimeError):
        call_command("seed_demo", stdout=open(tmp_path / "out.txt", "w"))  # noqa: SIM115
    assert not Report.objects.exclude(place_description="（历史档案）").exists()

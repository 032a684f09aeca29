"""Every staff write of campaigns leaves exactly one audit record, in the write's transaction.

One table of the staff services: each is called as 林静 the campaign editor and must add
one AuditEvent filed under campaigns, with its action, her as the actor and the object it
changed as the target; refused calls add none and change nothing; and when the record
cannot be written, the write is rolled back with it. Then the same through admin.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, Candidate, ExternalReach, JuryScore, Signature, Vote
from tests.campaigns.test_campaigns import make_campaign
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class StaffWrite:
    """A staff service call ready to run: what it should record, and the rows it touches."""

    call: Callable[[], object]
    action: str
    target: str
    rows: models.QuerySet


def _label(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk} {obj}"


def _votes(count: int = 2) -> list[Vote]:
    campaign = make_campaign("vote")
    nominee = Candidate.objects.create(campaign=campaign, name="骑手小王", story="事迹")
    return [
        Vote.objects.create(
            campaign=campaign,
            candidate=nominee,
            phone_hash=f"phone-{n}",
            client_key="same-device",
            cast_on=timezone.localdate(),
            slot=1,
        )
        for n in range(count)
    ]


def _entry() -> Candidate:
    return services.contest_entry_submit(
        campaign=make_campaign("contest"),
        name="江心屿的清晨",
        story="航拍江心屿日出。",
        link="https://www.douyin.com/video/1",
    )


def _signature(*, hidden: bool = False) -> Signature:
    campaign = make_campaign("pledge")
    return Signature.objects.create(
        campaign=campaign, phone_hash="h1", display_name="张伟", number=1, is_hidden=hidden
    )


def exclude_votes(actor) -> StaffWrite:
    votes = _votes()
    ids = sorted(vote.pk for vote in votes)
    return StaffWrite(
        call=lambda: services.votes_exclude(vote_ids=ids, reason="同一设备刷票", actor=actor),
        action="campaigns.votes_excluded",
        target=f"campaigns.vote:{ids[0]},{ids[1]}",
        rows=Vote.objects.filter(pk__in=ids),
    )


def approve_entry(actor) -> StaffWrite:
    entry = _entry()
    return StaffWrite(
        call=lambda: services.entry_moderate(candidate_id=entry.pk, approve=True, actor=actor),
        action="campaigns.entry_approved",
        target=_label(entry),
        rows=Candidate.objects.filter(pk=entry.pk),
    )


def reject_entry(actor) -> StaffWrite:
    entry = _entry()
    return StaffWrite(
        call=lambda: services.entry_moderate(
            candidate_id=entry.pk, approve=False, reason="与活动主题无关", actor=actor
        ),
        action="campaigns.entry_rejected",
        target=_label(entry),
        rows=Candidate.objects.filter(pk=entry.pk),
    )


def publish_campaign(actor) -> StaffWrite:
    draft = make_campaign("theme", published=False, title="草稿活动")
    return StaffWrite(
        call=lambda: services.campaign_publish(campaign_id=draft.pk, actor=actor),
        action="campaigns.campaign_published",
        target=_label(draft),
        rows=Campaign.objects.filter(pk=draft.pk),
    )


def unpublish_campaign(actor) -> StaffWrite:
    live = make_campaign("theme", title="误发的活动")
    return StaffWrite(
        call=lambda: services.campaign_unpublish(campaign_id=live.pk, actor=actor),
        action="campaigns.campaign_unpublished",
        target=_label(live),
        rows=Campaign.objects.filter(pk=live.pk),
    )


def close_campaign(actor) -> StaffWrite:
    live = make_campaign("pledge", title="进行中的签名")
    return StaffWrite(
        call=lambda: services.campaign_close(campaign_id=live.pk, actor=actor),
        action="campaigns.campaign_closed",
        target=_label(live),
        rows=Campaign.objects.filter(pk=live.pk),
    )


def hide_signature(actor) -> StaffWrite:
    signature = _signature()
    return StaffWrite(
        call=lambda: services.signature_hide(signature_id=signature.pk, hidden=True, actor=actor),
        action="campaigns.signature_hidden",
        target=_label(signature),
        rows=Signature.objects.filter(pk=signature.pk),
    )


def show_signature(actor) -> StaffWrite:
    signature = _signature(hidden=True)
    return StaffWrite(
        call=lambda: services.signature_hide(signature_id=signature.pk, hidden=False, actor=actor),
        action="campaigns.signature_shown",
        target=_label(signature),
        rows=Signature.objects.filter(pk=signature.pk),
    )


STAFF_WRITES = [
    exclude_votes,
    approve_entry,
    reject_entry,
    publish_campaign,
    unpublish_campaign,
    close_campaign,
    hide_signature,
    show_signature,
]


@pytest.mark.parametrize("staff_write", STAFF_WRITES, ids=lambda case: case.__name__)
def test_each_staff_service_writes_exactly_one_audit_record(staff_write, campaign_editor):
    case = staff_write(campaign_editor)
    before = set(AuditEvent.objects.values_list("pk", flat=True))

    case.call()

    new = list(AuditEvent.objects.exclude(pk__in=before))
    assert [(e.app, e.action, e.actor, e.target) for e in new] == [
        ("campaigns", case.action, campaign_editor, case.target)
    ]


@pytest.mark.parametrize("staff_write", STAFF_WRITES, ids=lambda case: case.__name__)
def test_a_staff_write_is_undone_when_its_audit_record_cannot_be_written(
    staff_write, campaign_editor
):
    case = staff_write(campaign_editor)
    rows_before = list(case.rows.order_by("pk").values())

    with (
        # Each services module that writes audit records imports audit_record itself.
        mock.patch.object(services.staff, "audit_record", side_effect=RuntimeError("audit down")),
        mock.patch.object(services.votes, "audit_record", side_effect=RuntimeError("audit down")),
        pytest.raises(RuntimeError),
    ):
        case.call()

    assert list(case.rows.order_by("pk").values()) == rows_before
    assert not AuditEvent.objects.filter(app="campaigns").exists()


def _refusals(actor) -> dict[str, tuple[Callable[[], object], models.QuerySet]]:
    votes = _votes()
    entry = _entry()
    published = make_campaign("theme", title="已发布的活动")
    draft = make_campaign("theme", published=False, title="草稿")
    upcoming = make_campaign("theme", starts=2, ends=9, title="下周的活动")
    past = make_campaign("theme", starts=-9, ends=-2, title="上周的活动")
    ids = [vote.pk for vote in votes]
    return {
        "exclusion without a reason": (
            lambda: services.votes_exclude(vote_ids=ids, reason="  ", actor=actor),
            Vote.objects.filter(pk__in=ids),
        ),
        "rejection without a reason": (
            lambda: services.entry_moderate(candidate_id=entry.pk, approve=False, actor=actor),
            Candidate.objects.filter(pk=entry.pk),
        ),
        "publishing a published campaign": (
            lambda: services.campaign_publish(campaign_id=published.pk, actor=actor),
            Campaign.objects.filter(pk=published.pk),
        ),
        "unpublishing a draft": (
            lambda: services.campaign_unpublish(campaign_id=draft.pk, actor=actor),
            Campaign.objects.filter(pk=draft.pk),
        ),
        "closing an upcoming campaign": (
            lambda: services.campaign_close(campaign_id=upcoming.pk, actor=actor),
            Campaign.objects.filter(pk=upcoming.pk),
        ),
        "closing a closed campaign": (
            lambda: services.campaign_close(campaign_id=past.pk, actor=actor),
            Campaign.objects.filter(pk=past.pk),
        ),
    }


REFUSALS = [
    "exclusion without a reason",
    "rejection without a reason",
    "publishing a published campaign",
    "unpublishing a draft",
    "closing an upcoming campaign",
    "closing a closed campaign",
]


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_staff_service_writes_nothing_and_no_audit_record(refusal, campaign_editor):
    call, rows = _refusals(campaign_editor)[refusal]
    rows_before = list(rows.order_by("pk").values())

    with pytest.raises(ValidationError):
        call()

    assert list(rows.order_by("pk").values()) == rows_before
    assert not AuditEvent.objects.exists()


def test_hiding_a_signature_that_is_already_hidden_records_nothing(campaign_editor):
    signature = _signature(hidden=True)
    services.signature_hide(signature_id=signature.pk, hidden=True, actor=campaign_editor)
    assert not AuditEvent.objects.exists()


def test_excluding_votes_that_do_not_exist_records_nothing(campaign_editor):
    assert services.votes_exclude(vote_ids=[987654], reason="刷票", actor=campaign_editor) == 0
    assert not AuditEvent.objects.exists()


# --- Through admin: actions and forms call the services ------------------------------

CHANGELIST = "/admin/campaigns/campaign/"


def _action(client, url: str, action: str, *objects, **extra):
    return client.post(
        url,
        {"action": action, "_selected_action": [obj.pk for obj in objects], "index": 0, **extra},
    )


def _events(action: str) -> list[tuple]:
    return list(AuditEvent.objects.filter(action=action).values_list("actor", "target"))


def test_the_publish_action_publishes_through_the_service(client, campaign_editor):
    draft = make_campaign("theme", published=False, title="草稿活动")
    already = make_campaign("theme", title="早已发布")
    client.force_login(campaign_editor)

    response = _action(client, CHANGELIST, "publish", draft, already)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    assert _events("campaigns.campaign_published") == [(campaign_editor.pk, _label(draft))]
    shown = [str(m) for m in response.wsgi_request._messages]
    assert any("早已发布" in m and "该活动已经发布" in m for m in shown)


def test_the_unpublish_and_close_actions_go_through_the_services(client, campaign_editor):
    live = make_campaign("pledge", title="进行中的签名")
    other = make_campaign("theme", title="误发的活动")
    client.force_login(campaign_editor)

    _action(client, CHANGELIST, "close_now", live)
    _action(client, CHANGELIST, "unpublish", other)

    live.refresh_from_db()
    other.refresh_from_db()
    assert live.ends_at <= timezone.now()
    assert not other.is_published
    assert _events("campaigns.campaign_closed") == [(campaign_editor.pk, _label(live))]
    assert _events("campaigns.campaign_unpublished") == [(campaign_editor.pk, _label(other))]


def _campaign_form(campaign: Campaign, **changes) -> dict:
    start = timezone.localtime(campaign.starts_at)
    end = timezone.localtime(campaign.ends_at)
    data = {
        "title": campaign.title,
        "slug": campaign.slug,
        "kind": campaign.kind,
        "summary": campaign.summary,
        "organiser": campaign.organiser,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "votes_per_day": campaign.votes_per_day,
        "public_weight": campaign.public_weight,
        "candidates-TOTAL_FORMS": "0",
        "candidates-INITIAL_FORMS": "0",
        "external_reach-TOTAL_FORMS": "0",
        "external_reach-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_the_campaign_form_cannot_publish_and_its_edits_are_audited(client, campaign_editor):
    draft = make_campaign("theme", published=False, title="草稿活动")
    client.force_login(campaign_editor)

    response = client.post(
        f"{CHANGELIST}{draft.pk}/change/",
        _campaign_form(
            draft,
            summary="新的简介",
            is_published="on",
            **{
                "external_reach-TOTAL_FORMS": "1",
                "external_reach-0-platform": "douyin",
                "external_reach-0-day": timezone.localdate().isoformat(),
                "external_reach-0-reads": "120000",
            },
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    draft.refresh_from_db()
    assert draft.summary == "新的简介"
    assert not draft.is_published  # publishing is the action's, through the service
    reach = ExternalReach.objects.get()
    campaign_events = AuditEvent.objects.filter(app="campaigns").order_by("pk")
    assert [(e.action, e.actor, e.target) for e in campaign_events] == [
        ("campaigns.campaign_changed", campaign_editor, _label(draft)),
        ("campaigns.externalreach_added", campaign_editor, _label(reach)),
    ]


def test_jury_scores_entered_in_admin_are_audited(client, campaign_editor, make_staff):
    from wenzhou_portal.roles import Role

    juror = make_staff("chen_juror", Role.CAMPAIGN_EDITOR)
    campaign = make_campaign("vote")
    nominee = Candidate.objects.create(
        campaign=campaign, name="骑手阿芳", story="事迹", status="approved"
    )
    client.force_login(campaign_editor)

    response = client.post(
        f"/admin/campaigns/candidate/{nominee.pk}/change/",
        {
            "campaign": campaign.pk,
            "name": nominee.name,
            "story": nominee.story,
            "link": "",
            "order": 0,
            "jury_scores-TOTAL_FORMS": "1",
            "jury_scores-INITIAL_FORMS": "0",
            "jury_scores-0-juror": juror.pk,
            "jury_scores-0-score": "85",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    score = JuryScore.objects.get()
    assert _events("campaigns.juryscore_added") == [(campaign_editor.pk, _label(score))]
    nominee.refresh_from_db()
    assert nominee.status == Candidate.Status.APPROVED  # the form does not moderate


def test_an_editor_adds_a_nominee_from_the_candidate_list(client, campaign_editor):
    campaign = make_campaign("vote")
    other = make_campaign("vote")
    client.force_login(campaign_editor)
    jury = {"jury_scores-TOTAL_FORMS": "0", "jury_scores-INITIAL_FORMS": "0"}

    response = client.post(
        "/admin/campaigns/candidate/add/",
        {"campaign": campaign.pk, "name": "骑手老陈", "story": "协助疏散", "order": 0, **jury},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    nominee = Candidate.objects.get()
    assert (nominee.campaign, nominee.status) == (campaign, Candidate.Status.PENDING)
    assert _events("campaigns.candidate_added") == [(campaign_editor.pk, _label(nominee))]
    client.post(
        f"/admin/campaigns/candidate/{nominee.pk}/change/",
        {"campaign": other.pk, "name": "骑手老陈", "story": "协助疏散", "order": 0, **jury},
    )
    nominee.refresh_from_db()
    assert nominee.campaign == campaign  # a nominee never moves to another campaign


def test_the_approve_action_moderates_through_the_service(client, campaign_editor):
    entry = _entry()
    client.force_login(campaign_editor)

    _action(client, "/admin/campaigns/candidate/", "approve", entry)

    entry.refresh_from_db()
    assert entry.status == Candidate.Status.APPROVED
    assert _events("campaigns.entry_approved") == [(campaign_editor.pk, _label(entry))]


def test_the_reject_action_asks_for_a_reason_and_refuses_without_one(client, campaign_editor):
    first, second = _entry(), _entry()
    client.force_login(campaign_editor)
    url = "/admin/campaigns/candidate/"

    asked = _action(client, url, "reject", first, second)
    assert asked.status_code == 200
    assert "未通过原因" in asked.content.decode()

    refused = _action(client, url, "reject", first, second, apply="1", reason=" ")
    assert refused.status_code == 400
    assert "请写明未通过的原因" in refused.content.decode()
    assert set(Candidate.objects.values_list("status", flat=True)) == {"pending"}
    assert not AuditEvent.objects.filter(app="campaigns").exists()

    done = _action(client, url, "reject", first, second, apply="1", reason="与活动主题无关")
    assert done.status_code == 302
    assert set(Candidate.objects.values_list("rejection_reason", flat=True)) == {"与活动主题无关"}
    assert sorted(_events("campaigns.entry_rejected")) == sorted(
        [(campaign_editor.pk, _label(first)), (campaign_editor.pk, _label(second))]
    )


def test_the_vote_exclusion_action_records_the_editor(client, campaign_editor):
    votes = _votes()
    client.force_login(campaign_editor)

    _action(client, "/admin/campaigns/vote/", "exclude_votes", *votes)

    assert Vote.objects.filter(is_excluded=True).count() == 2
    ids = ",".join(str(vote.pk) for vote in sorted(votes, key=lambda vote: vote.pk))
    assert _events("campaigns.votes_excluded") == [(campaign_editor.pk, f"campaigns.vote:{ids}")]


def test_hiding_a_signature_in_the_list_goes_through_the_service(client, campaign_editor):
    signature = _signature()
    client.force_login(campaign_editor)

    response = client.post(
        "/admin/campaigns/signature/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": signature.pk,
            "form-0-is_hidden": "on",
            "_save": "保存",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    signature.refresh_from_db()
    assert signature.is_hidden
    assert _events("campaigns.signature_hidden") == [(campaign_editor.pk, _label(signature))]
    assert AuditEvent.objects.filter(app="campaigns").count() == 1


def test_closing_records_the_planned_end(campaign_editor):
    live = make_campaign("pledge", ends=10)
    planned = live.ends_at
    services.campaign_close(campaign_id=live.pk, actor=campaign_editor)
    event = AuditEvent.objects.get()
    assert event.detail["planned_end"] == planned.isoformat()
    live.refresh_from_db()
    assert planned - live.ends_at > timedelta(days=9)

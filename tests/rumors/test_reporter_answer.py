"""A reporter answers a request for more information (请补充), by tracking code (issue 12)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from rumors import services
from rumors.models import EventKind, Evidence, Report, ReportEvent, Status
from rumors.services import reporter
from tests.rumors.images import image_bytes, upload
from wenzhou_portal import images as evidence_files
from wenzhou_portal.models import Notification

pytestmark = pytest.mark.django_db

QUESTION = "请提供该视频的发布时间和截图。"
ANSWER = "视频是昨天晚上八点发布的，截图见附件。"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def waiting(routed, lucheng_handler):
    """A Lucheng report whose handler asked the reporter for more, ten days ago."""
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    services.report_pause(report_id=routed.pk, actor=lucheng_handler, request_text=QUESTION)
    routed.refresh_from_db()
    assert routed.status == Status.WAITING_REPORTER
    return routed


def _decoded(count: int) -> list[evidence_files.DecodedImage]:
    return [
        evidence_files.validate_evidence_image(
            upload(f"shot{i}.png", image_bytes("PNG", color=(i * 40, 10, 10)))
        )
        for i in range(count)
    ]


def _stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _without_tokens(html: str) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'value="[^"]*"', "", html)


# --- The service ---------------------------------------------------------------------------


def test_the_answer_is_an_event_the_clock_resumes_and_the_lead_department_is_told(
    waiting, lucheng_office, lucheng_handler, django_capture_on_commit_callbacks
):
    paused_at = timezone.now() - timedelta(days=14)
    due_before = waiting.due_at
    Report.objects.filter(pk=waiting.pk).update(paused_at=paused_at)

    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_reporter_answer(
            tracking_code=waiting.tracking_code.lower(), text=f"  {ANSWER}  ", images=_decoded(2)
        )

    report.refresh_from_db()
    assert report.status == Status.IN_PROGRESS
    assert report.paused_at is None
    assert report.due_at > due_before  # moved by the working days spent waiting
    event = ReportEvent.objects.get(report=report, kind=EventKind.REPORTER_ANSWERED)
    assert event.public_text == ANSWER
    assert event.from_status == Status.WAITING_REPORTER
    assert event.to_status == Status.IN_PROGRESS
    assert event.actor is None
    assert list(event.evidence.values_list("report", flat=True)) == [report.pk, report.pk]
    told = Notification.objects.filter(
        source_type=ContentType.objects.get_for_model(ReportEvent), source_id=event.pk
    )
    department_mail = {(n.recipient_type.model, n.recipient_id, n.channel): n for n in told}
    assert ("department", lucheng_office.pk, "email") in department_mail
    assert ("user", lucheng_handler.pk, "email") in department_mail
    subject = department_mail["department", lucheng_office.pk, "email"].subject
    assert waiting.formatted_tracking_code in subject


def test_the_answer_shows_on_the_public_timeline_and_the_request_is_gone(client, waiting):
    services.report_reporter_answer(tracking_code=waiting.tracking_code, text=ANSWER, images=[])
    html = client.get(f"/reports/track/{waiting.tracking_code}/").content.decode()
    assert "您的补充" in html
    assert ANSWER in html
    assert "提交补充" not in html  # nothing more is asked


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "text"),
        ("   \n\t ", "text"),
        ("\u200b\u200b\u202e", "text"),  # only invisible characters: nothing was said
        ("字" * (reporter.ANSWER_MAX + 1), "text"),
        ("带空字符\x00的补充", "text"),
        ("孤立代理\ud800的补充", "text"),
    ],
)
def test_bad_answer_text_is_refused_and_nothing_changes(waiting, text, field):
    with pytest.raises(ValidationError) as caught:
        services.report_reporter_answer(tracking_code=waiting.tracking_code, text=text, images=[])
    assert field in caught.value.message_dict
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER
    assert not ReportEvent.objects.filter(kind=EventKind.REPORTER_ANSWERED).exists()


def test_invisible_characters_inside_a_real_answer_are_kept_for_staff_to_see(waiting):
    services.report_reporter_answer(
        tracking_code=waiting.tracking_code, text="正常补充\u202egpj.exe", images=[]
    )
    event = ReportEvent.objects.get(kind=EventKind.REPORTER_ANSWERED)
    assert event.public_text == "正常补充\u202egpj.exe"


def test_more_than_five_screenshots_are_refused(waiting, settings):
    with pytest.raises(ValidationError) as caught:
        services.report_reporter_answer(
            tracking_code=waiting.tracking_code,
            text=ANSWER,
            images=_decoded(settings.REPORT_EVIDENCE_MAX_FILES + 1),
        )
    assert "images" in caught.value.message_dict
    assert Evidence.objects.count() == 0


@pytest.mark.parametrize(
    "code",
    [
        "",
        "not-a-code",
        "0000-0000-0000-0000",
        None,
        12345,
    ],
)
def test_a_wrong_code_is_a_miss(waiting, code):
    with pytest.raises(reporter.ReportNotFound):
        services.report_reporter_answer(tracking_code=code, text=ANSWER, images=[])


@pytest.mark.parametrize("closing", ["resolve", "reject", "resume"])
def test_a_report_not_waiting_is_the_same_miss(waiting, lucheng_handler, closing):
    if closing == "resolve":
        services.report_resolve(report_id=waiting.pk, actor=lucheng_handler, feedback="已处理。")
    elif closing == "reject":
        services.report_reject(
            report_id=waiting.pk, actor=lucheng_handler, reason="insufficient", text="线索不足。"
        )
    else:
        services.report_resume(report_id=waiting.pk, actor=lucheng_handler)
    with pytest.raises(reporter.ReportNotFound):
        services.report_reporter_answer(tracking_code=waiting.tracking_code, text=ANSWER, images=[])
    assert not ReportEvent.objects.filter(kind=EventKind.REPORTER_ANSWERED).exists()


def test_a_second_answer_to_the_same_request_is_a_miss(waiting):
    services.report_reporter_answer(tracking_code=waiting.tracking_code, text=ANSWER, images=[])
    with pytest.raises(reporter.ReportNotFound):
        services.report_reporter_answer(tracking_code=waiting.tracking_code, text=ANSWER, images=[])
    assert ReportEvent.objects.filter(kind=EventKind.REPORTER_ANSWERED).count() == 1


def test_files_stored_before_a_failure_are_deleted(waiting, settings, monkeypatch):
    calls = {"n": 0}
    real_store = reporter._store_evidence

    def store_then_fail(report, image, *, event=None):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk full")
        return real_store(report, image, event=event)

    monkeypatch.setattr(reporter, "_store_evidence", store_then_fail)
    with pytest.raises(OSError, match="disk full"):
        services.report_reporter_answer(
            tracking_code=waiting.tracking_code, text=ANSWER, images=_decoded(2)
        )
    assert _stored_files(Path(settings.PRIVATE_MEDIA_ROOT)) == []
    assert Evidence.objects.count() == 0
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER


# --- The page ------------------------------------------------------------------------------


def test_the_tracking_page_shows_the_request_and_the_answer_form(client, waiting):
    html = client.post("/reports/track/", {"code": waiting.tracking_code}).content.decode()
    assert "办理部门请您补充材料" in html
    assert QUESTION in html
    assert 'action="/reports/track/answer/#outcome"' in html
    assert 'enctype="multipart/form-data"' in html
    private = client.get(f"/reports/track/{waiting.tracking_code}/").content.decode()
    assert QUESTION in private
    assert 'action="/reports/track/answer/#outcome"' in private


def test_no_answer_form_when_nothing_is_asked(client, routed):
    html = client.get(f"/reports/track/{routed.tracking_code}/").content.decode()
    assert "提交补充" not in html


def test_answering_without_javascript_posts_and_redirects_to_the_private_link(
    client, waiting, settings
):
    response = client.post(
        "/reports/track/answer/",
        {
            "code": waiting.formatted_tracking_code,
            "text": ANSWER,
            "images": [
                upload("a.png", image_bytes("PNG")),
                upload("b.jpg", image_bytes("JPEG"), "image/jpeg"),
            ],
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reports/track/{waiting.tracking_code}/"
    followed = client.get(response["Location"])
    html = followed.content.decode()
    assert "您的补充已提交" in html
    assert ANSWER in html
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_PROGRESS
    assert Evidence.objects.filter(report=waiting, event__isnull=False).count() == 2


def test_a_blank_answer_redisplays_the_form_with_the_question(client, waiting):
    response = client.post(
        "/reports/track/answer/", {"code": waiting.tracking_code, "text": "\u200b  "}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert QUESTION in html
    assert "请填写您要补充的内容" in html or "这个字段是必填项" in html
    # The lookup form under the report keeps its code too.
    assert f'name="code" value="{waiting.formatted_tracking_code}"' in html
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER


def test_a_fake_image_is_refused_with_its_name_and_nothing_changes(client, waiting):
    response = client.post(
        "/reports/track/answer/",
        {
            "code": waiting.tracking_code,
            "text": ANSWER,
            "images": [upload("virus.png", b"MZ\x90\x00 not an image")],
        },
    )
    assert response.status_code == 400
    assert "virus.png" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER


def test_an_answer_to_a_closed_report_or_a_wrong_code_gets_the_same_reply(
    client, waiting, submit, lucheng_handler
):
    closed = submit()
    services.report_resolve(report_id=closed.pk, actor=lucheng_handler, feedback="已处理。")
    replies = [
        client.post("/reports/track/answer/", {"code": code, "text": ANSWER})
        for code in (
            closed.tracking_code,
            services.tracking_code_generate(),
            "not-a-code",
        )
    ]
    # A wrong code with a bad answer too: the miss is not told apart by the answer.
    replies.append(client.post("/reports/track/answer/", {"code": "0000", "text": ""}))
    assert {reply.status_code for reply in replies} == {404}
    bodies = {_without_tokens(reply.content.decode()) for reply in replies}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "没有找到与该查询码对应的举报" in body
    # ...and it is the very page a mistyped private link gets.
    miss = client.get("/reports/track/0000000000000000/")
    assert _without_tokens(miss.content.decode()) == body


def test_answers_are_rate_limited_like_lookups(client, waiting, settings):
    settings.TRACK_RATE_LIMIT = "2/m"
    for _ in range(2):
        client.post("/reports/track/answer/", {"code": "x", "text": ANSWER})
    refused = client.post("/reports/track/answer/", {"code": waiting.tracking_code, "text": ANSWER})
    assert refused.status_code == 429
    assert refused["Retry-After"]
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER


def test_the_answer_form_only_accepts_posts(client):
    assert client.get("/reports/track/answer/").status_code == 405


def test_each_label_on_the_page_names_its_own_field(client, waiting):
    html = client.get(f"/reports/track/{waiting.tracking_code}/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids

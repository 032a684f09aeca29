"""The reporter's steps through the public API: answer and second look, by code (issue 12)."""

import pytest

from rumors import services
from rumors.models import EventKind, Evidence, ReportEvent, Status
from tests.rumors.images import image_bytes, upload

pytestmark = pytest.mark.django_db

QUESTION = "请补充视频的发布时间。"
ANSWER = "昨晚八点发布的。"
REASON = "视频还在平台上。"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def waiting(routed, lucheng_handler):
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    services.report_pause(report_id=routed.pk, actor=lucheng_handler, request_text=QUESTION)
    routed.refresh_from_db()
    return routed


@pytest.fixture
def unsatisfied(routed, lucheng_handler):
    services.report_resolve(report_id=routed.pk, actor=lucheng_handler, feedback="已删除。")
    routed.refresh_from_db()
    services.report_rate(report=routed, rating="unsatisfied")
    routed.refresh_from_db()
    return routed


def test_the_reporter_answers_with_screenshots_and_gets_the_timeline(client, waiting):
    response = client.post(
        f"/api/v1/reports/track/{waiting.tracking_code.lower()}/answer/",
        {"text": ANSWER, "images": [upload("a.png", image_bytes("PNG"))]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["public_status"] == "in_progress"
    assert body["timeline"][-1]["text"] == ANSWER
    assert response["Cache-Control"] == "no-store"
    waiting.refresh_from_db()
    assert waiting.status == Status.IN_PROGRESS
    event = ReportEvent.objects.get(kind=EventKind.REPORTER_ANSWERED)
    assert Evidence.objects.filter(event=event).count() == 1


def test_an_answer_by_json_needs_no_screenshots(client, waiting):
    response = client.post(
        f"/api/v1/reports/track/{waiting.tracking_code}/answer/",
        {"text": ANSWER},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("text", ["", "   ", "\u200b", "字" * 2001])
def test_a_bad_answer_is_a_400_naming_the_field(client, waiting, text):
    response = client.post(
        f"/api/v1/reports/track/{waiting.tracking_code}/answer/",
        {"text": text},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {error["field"] for error in response.json()["errors"]} == {"text"}


def test_an_answer_to_a_closed_report_or_a_wrong_code_is_the_same_404(
    client, waiting, lucheng_handler
):
    wrong = client.post(
        f"/api/v1/reports/track/{services.tracking_code_generate()}/answer/",
        {"text": ANSWER},
        content_type="application/json",
    )
    services.report_resume(report_id=waiting.pk, actor=lucheng_handler)
    closed = client.post(
        f"/api/v1/reports/track/{waiting.tracking_code}/answer/",
        {"text": ANSWER},
        content_type="application/json",
    )
    lookup = client.get("/api/v1/reports/track/0000000000000000/")
    assert wrong.status_code == closed.status_code == lookup.status_code == 404
    assert wrong.json() == closed.json() == lookup.json()


def test_the_reporter_asks_for_a_second_look(client, unsatisfied):
    response = client.post(
        f"/api/v1/reports/track/{unsatisfied.formatted_tracking_code}/review/",
        {"reason": REASON},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["public_status"] == "review"
    again = client.post(
        f"/api/v1/reports/track/{unsatisfied.tracking_code}/review/",
        {"reason": REASON},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert "已经申请过复核" in again.json()["errors"][0]["message"]


def test_a_second_look_at_a_report_not_rated_unsatisfied_is_a_409(client, routed):
    response = client.post(
        f"/api/v1/reports/track/{routed.tracking_code}/review/",
        {"reason": REASON},
        content_type="application/json",
    )
    assert response.status_code == 409


def test_a_second_look_with_a_wrong_code_is_a_404(client):
    response = client.post(
        "/api/v1/reports/track/nonsense/review/",
        {"reason": REASON},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_api_takes_a_full_width_code(client, routed):
    code = "".join(chr(ord(c) + 0xFEE0) for c in routed.tracking_code)
    assert client.get(f"/api/v1/reports/track/{code}/").status_code == 200


def test_reporter_steps_are_rate_limited_like_lookups(client, waiting, settings):
    settings.TRACK_RATE_LIMIT = "1/m"
    client.get("/api/v1/reports/track/x/")
    refused = client.post(
        f"/api/v1/reports/track/{waiting.tracking_code}/answer/",
        {"text": ANSWER},
        content_type="application/json",
    )
    assert refused.status_code == 429
    assert refused["Retry-After"]
    waiting.refresh_from_db()
    assert waiting.status == Status.WAITING_REPORTER

"""One table of report actions, read by admin, the API and the checks inside services."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser

from rumors import services
from rumors.models import Status
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _page(client, report) -> str:
    return client.get(f"/admin/rumors/report/{report.pk}/change/").content.decode()


def _act(client, report, action: str, **values):
    data = {"action": action, **{f"{action}-{name}": value for name, value in values.items()}}
    return client.post(f"/admin/rumors/report/{report.pk}/act/", data, follow=True)


def test_every_action_has_a_registered_service_and_its_fields_are_its_arguments():
    import inspect

    for name, action in services.ACTIONS.items():
        assert action.service is not None, name
        parameters = inspect.signature(inspect.unwrap(action.service)).parameters
        assert {"report_id", "actor"} <= set(parameters), name
        for field in action.fields:
            assert field.name in parameters, (name, field.name)
            assert parameters[field.name].default is not inspect.Parameter.empty, (
                f"{name}.{field.name}: the service decides what is required, so every "
                "field has a default"
            )


def test_answering_with_a_debunk_from_the_report_page_works(
    client, routed, lucheng_handler, published_debunk
):
    client.force_login(lucheng_handler)
    page = _page(client, routed)
    assert "以辟谣答复" in page
    found = client.get(
        f"/admin/rumors/report/{routed.pk}/change/", {"debunk_q": published_debunk.title[:6]}
    ).content.decode()
    assert "以此辟谣答复" in found
    response = _act(client, routed, "link_debunk", debunk_id=published_debunk.pk)
    assert "已完成" in response.content.decode()
    routed.refresh_from_db()
    assert routed.debunk == published_debunk
    assert routed.status == Status.RESOLVED


def test_a_handler_is_offered_only_their_actions_and_each_only_its_fields(
    client, routed, lucheng_handler
):
    client.force_login(lucheng_handler)
    page = _page(client, routed)
    offered = set(re.findall(r'<details id="action-(\w+)"', page))
    assert offered == set(services.actions_allowed(user=lucheng_handler, report=routed))
    assert not offered & {"assign", "merge", "reclassify", "unlink_duplicate"}
    # Office-only fields are nowhere on a handler's page.
    for office_field in ("assign-department_id", "merge-primary_code", "reclassify-category"):
        assert f'name="{office_field}"' not in page
    # Each form carries only its own action's fields.
    resolve_form = page.split('<details id="action-resolve"', 1)[1].split("</details>", 1)[0]
    assert set(re.findall(r'name="resolve-(\w+)"', resolve_form)) == {"feedback", "internal_text"}
    assert "request_text" not in resolve_form


def test_a_refused_action_shows_its_form_again_with_what_was_typed(client, routed, lucheng_handler):
    client.force_login(lucheng_handler)
    response = _act(client, routed, "reject", text="这条不归我们管，已转市场监管。")
    html = response.content.decode()
    assert "请选择不予受理的原因" in html
    assert "这条不归我们管，已转市场监管。" in html
    assert re.search(r'<details id="action-reject" open', html)
    routed.refresh_from_db()
    assert routed.status == Status.ROUTED


def test_each_action_writes_one_audit_record_and_a_refusal_none(routed, lucheng_handler):
    services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    assert AuditEvent.objects.filter(action="rumors.report_accept", app="rumors").count() == 1
    with pytest.raises(services.TransitionError):
        services.report_accept(report_id=routed.pk, actor=lucheng_handler)
    assert AuditEvent.objects.filter(action="rumors.report_accept").count() == 1


def test_the_dispatcher_refuses_an_unknown_action_by_field(routed, office_admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.report_action_take(
            actor=office_admin, report_id=routed.pk, action="delete_everything", values={}
        )
    assert "action" in refused.value.message_dict


def test_nobody_anonymous_may_act(routed):
    assert services.actions_allowed(user=AnonymousUser(), report=routed) == []

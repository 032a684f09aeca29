"""A department drafts debunks under its own name only, and always finds its drafts again."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rumors import services
from rumors.models import Debunk
from wenzhou_portal.models import AuditEvent

pytestmark = pytest.mark.django_db

ADD = "/admin/rumors/debunk/add/"


def draft_form(authority, **overrides) -> dict:
    values = {
        "title": "网传“鹿城区停水三天”不实",
        "slug": "lucheng-water-cut",
        "claim": "网传鹿城区下周停水三天。",
        "verdict": "false",
        "summary": "温州水务：没有停水计划。",
        "authority": authority.pk if authority is not None else "",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
        "appearances-TOTAL_FORMS": "0",
        "appearances-INITIAL_FORMS": "0",
    }
    values.update(overrides)
    return values


def offered_authorities(html: str) -> set[str]:
    select = re.search(r'<select name="authority".*?</select>', html, re.S).group(0)
    return {
        name.strip() for name in re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', select)
    }


def test_a_handler_is_offered_only_their_own_department(
    client, lucheng_handler, lucheng_office, longwan_office, police, office
):
    client.force_login(lucheng_handler)
    html = client.get(ADD).content.decode()
    assert offered_authorities(html) == {"鹿城区委网信办"}


def test_a_handler_in_two_departments_is_offered_both(
    client, lucheng_handler, lucheng_office, police, longwan_office
):
    police.members.add(lucheng_handler)
    client.force_login(lucheng_handler)
    html = client.get(ADD).content.decode()
    assert offered_authorities(html) == {"鹿城区委网信办", "市公安局网安支队"}


def test_an_inactive_department_is_not_offered(client, lucheng_handler, police):
    police.members.add(lucheng_handler)
    police.is_active = False
    police.save()
    client.force_login(lucheng_handler)
    assert offered_authorities(client.get(ADD).content.decode()) == {"鹿城区委网信办"}


def test_office_admins_are_offered_every_department(
    client, office_admin, office, lucheng_office, longwan_office, police
):
    client.force_login(office_admin)
    assert offered_authorities(client.get(ADD).content.decode()) == {
        office.name,
        "鹿城区委网信办",
        "龙湾区委网信办",
        "市公安局网安支队",
    }


@pytest.mark.parametrize("target", ["longwan_office", "police", "office"])
def test_a_forged_post_under_another_department_is_refused_with_a_form_error(
    client, request, lucheng_handler, target
):
    other = request.getfixturevalue(target)
    client.force_login(lucheng_handler)
    response = client.post(ADD, draft_form(other))
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert response.context["adminform"].form.errors["authority"]
    assert not Debunk.objects.exists()


@pytest.mark.parametrize("authority", ["", "999999", "not-a-number"])
def test_a_missing_or_unknown_authority_is_a_form_error(
    client, lucheng_handler, lucheng_office, authority
):
    client.force_login(lucheng_handler)
    response = client.post(ADD, {**draft_form(None), "authority": authority})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["authority"]
    assert not Debunk.objects.exists()


def test_a_handler_drafts_for_their_department_and_finds_the_draft_again(
    client, lucheng_handler, lucheng_office
):
    client.force_login(lucheng_handler)
    response = client.post(ADD, draft_form(lucheng_office))
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = Debunk.objects.get()
    assert draft.authority == lucheng_office
    assert draft.created_by == lucheng_handler
    assert not draft.is_published
    assert draft.title in client.get("/admin/rumors/debunk/").content.decode()
    assert client.get(f"/admin/rumors/debunk/{draft.pk}/change/").status_code == 200
    assert AuditEvent.objects.filter(
        action="rumors.debunk_added", actor=lucheng_handler, target__contains=f":{draft.pk} "
    ).exists()


def test_a_handler_keeps_seeing_a_draft_the_office_moved_to_another_department(
    client, lucheng_handler, lucheng_office, police, office_admin
):
    client.force_login(lucheng_handler)
    client.post(ADD, draft_form(lucheng_office))
    draft = Debunk.objects.get()
    Debunk.objects.filter(pk=draft.pk).update(authority=police)
    listing = client.get("/admin/rumors/debunk/").content.decode()
    assert draft.title in listing
    page = client.get(f"/admin/rumors/debunk/{draft.pk}/change/")
    assert page.status_code == 200
    # Seen, not rewritten under the police's name: the page is read-only for them.
    assert 'name="title"' not in page.content.decode()
    response = client.post(
        f"/admin/rumors/debunk/{draft.pk}/change/", draft_form(police, title="改了")
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.title != "改了"


def test_a_handler_does_not_see_another_departments_draft(
    client, lucheng_handler, longwan_handler, longwan_office
):
    client.force_login(longwan_handler)
    client.post(ADD, draft_form(longwan_office), follow=True)  # its message is shown there
    draft = Debunk.objects.get()
    client.force_login(lucheng_handler)
    assert draft.title not in client.get("/admin/rumors/debunk/").content.decode()
    assert client.get(f"/admin/rumors/debunk/{draft.pk}/change/").status_code == 302


def test_a_handler_cannot_move_their_draft_to_another_department(
    client, lucheng_handler, lucheng_office, longwan_office
):
    client.force_login(lucheng_handler)
    client.post(ADD, draft_form(lucheng_office))
    draft = Debunk.objects.get()
    response = client.post(f"/admin/rumors/debunk/{draft.pk}/change/", draft_form(longwan_office))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["authority"]
    draft.refresh_from_db()
    assert draft.authority == lucheng_office


def test_office_admins_draft_under_any_department_and_see_every_draft(
    client, office_admin, lucheng_handler, lucheng_office, police
):
    client.force_login(lucheng_handler)
    client.post(ADD, draft_form(lucheng_office))
    client.force_login(office_admin)
    response = client.post(ADD, draft_form(police, slug="police-draft", title="公安辟谣"))
    assert response.status_code == 302
    listing = client.get("/admin/rumors/debunk/").content.decode()
    assert "网传“鹿城区停水三天”不实" in listing
    assert "公安辟谣" in listing


# --- The service refuses too -----------------------------------------------------------


def unsaved_draft(authority) -> Debunk:
    return Debunk(
        title="网传“龙湾机场停飞”不实",
        slug="longwan-airport",
        claim="网传龙湾机场停飞。",
        verdict="false",
        summary="机场运行正常。",
        authority=authority,
    )


def test_the_service_refuses_a_draft_under_another_department(lucheng_handler, longwan_office):
    with pytest.raises(ValidationError) as refused:
        services.debunk_draft_save(debunk=unsaved_draft(longwan_office), actor=lucheng_handler)
    assert "authority" in refused.value.message_dict
    assert not Debunk.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="rumors.debunk_").exists()


def test_the_service_refuses_a_staff_member_without_a_department(make_staff, lucheng_office):
    from wenzhou_portal.roles import Role

    loner = make_staff("no_department", Role.DEPARTMENT_HANDLER)
    with pytest.raises(ValidationError):
        services.debunk_draft_save(debunk=unsaved_draft(lucheng_office), actor=loner)
    assert not Debunk.objects.exists()


def test_the_service_saves_a_draft_under_the_actors_department(lucheng_handler, lucheng_office):
    draft = services.debunk_draft_save(debunk=unsaved_draft(lucheng_office), actor=lucheng_handler)
    assert draft.pk
    assert draft.created_by == lucheng_handler
    assert AuditEvent.objects.filter(action="rumors.debunk_added").count() == 1


def test_the_service_lets_office_admins_write_under_any_department(office_admin, police):
    draft = services.debunk_draft_save(debunk=unsaved_draft(police), actor=office_admin)
    assert draft.authority == police


def test_the_service_leaves_a_published_debunk_to_the_office(
    lucheng_handler, lucheng_office, office_admin
):
    draft = services.debunk_draft_save(debunk=unsaved_draft(lucheng_office), actor=lucheng_handler)
    services.debunk_publish(debunk_id=draft.pk, actor=office_admin)
    draft.refresh_from_db()
    draft.title = "发布后由部门改写"
    with pytest.raises(PermissionDenied):
        services.debunk_draft_save(debunk=draft, actor=lucheng_handler)
    assert Debunk.objects.get(pk=draft.pk).title != "发布后由部门改写"
    services.debunk_draft_save(debunk=draft, actor=office_admin, changed_fields=["title"])
    assert Debunk.objects.get(pk=draft.pk).title == "发布后由部门改写"


def test_the_service_keeps_a_withdrawn_debunk_as_it_was(published_debunk, office_admin):
    services.debunk_withdraw(debunk_id=published_debunk.pk, actor=office_admin, reason="有误")
    published_debunk.refresh_from_db()
    published_debunk.title = "撤回后改写"
    with pytest.raises(services.TransitionError):
        services.debunk_draft_save(debunk=published_debunk, actor=office_admin)
    assert Debunk.objects.get(pk=published_debunk.pk).title != "撤回后改写"

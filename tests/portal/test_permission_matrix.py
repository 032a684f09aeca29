"""The permission matrix in the README is what the running portal does.

The README's tables (between the ``permission-matrix`` markers) are the intended access of
every role to every admin model (view, add, change, delete) and every staff API operation.
This test builds one user per role, asks the portal, and compares cell by cell; a model
registered in admin, or a role, that the README does not list fails the test too, so
access cannot widen without the README saying so.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser, Group
from django.test import RequestFactory

from rumors import services as rumor_services
from rumors.models import Department, RoutingRule
from tests.support import REPO_ROOT
from wenzhou_portal.districts import District
from wenzhou_portal.roles import Role

pytestmark = pytest.mark.django_db

README = REPO_ROOT / "README.md"
PASSWORD = "correct horse battery staple"
# Column headings of the README tables, in order, and how each person is made.
PEOPLE = {
    "anonymous": None,
    "citizen": {},
    "handler": {"role": Role.DEPARTMENT_HANDLER},
    "campaign editor": {"role": Role.CAMPAIGN_EDITOR},
    "charity reviewer": {"role": Role.CHARITY_REVIEWER},
    "index editor": {"role": Role.INDEX_EDITOR},
    "auditor": {"role": Role.AUDITOR},
    "office admin": {"role": Role.OFFICE_ADMIN},
    "superuser": {"superuser": True},
}
VERBS = {"v": "view", "a": "add", "c": "change", "d": "delete"}


def _table(marker: str) -> dict[str, dict[str, str]]:
    text = README.read_text(encoding="utf-8")
    block = re.search(rf"<!-- {marker} -->\n(.*?)<!-- /{marker} -->", text, re.S)
    assert block, f"README has no {marker} table"
    lines = [line for line in block.group(1).splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[1:] == list(PEOPLE), f"README {marker} columns: {header[1:]}"
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].strip("`")] = dict(zip(header[1:], cells[1:], strict=True))
    return rows


def _person(name: str, django_user_model):
    spec = PEOPLE[name]
    if spec is None:
        return AnonymousUser()
    username = name.replace(" ", "_")
    if spec.get("superuser"):
        return django_user_model.objects.create_superuser(username, f"{username}@e.org", PASSWORD)
    user = django_user_model.objects.create_user(
        username, f"{username}@e.org", PASSWORD, is_staff="role" in spec
    )
    if "role" in spec:
        user.groups.add(Group.objects.get(name=spec["role"].value))
    return user


@pytest.fixture
def people(django_user_model) -> dict:
    return {name: _person(name, django_user_model) for name in PEOPLE}


def _admin_cell(model_admin, user) -> str:
    request = RequestFactory().get("/admin/")
    request.user = user
    if not user.is_active or not user.is_staff:
        return "—"
    granted = "".join(
        letter
        for letter, verb in VERBS.items()
        if getattr(model_admin, f"has_{verb}_permission")(request)
    )
    return granted or "—"


def test_admin_access_is_the_readme_matrix(people):
    intended = _table("permission-matrix:admin")
    registered = {
        model._meta.label: model_admin for model, model_admin in admin.site._registry.items()
    }
    assert sorted(registered) == sorted(intended), "admin models and README rows differ"
    actual = {
        label: {name: _admin_cell(model_admin, user) for name, user in people.items()}
        for label, model_admin in registered.items()
    }
    differences = [
        f"{label} / {name}: README {intended[label][name]!r}, portal {actual[label][name]!r}"
        for label in sorted(registered)
        for name in PEOPLE
        if intended[label][name] != actual[label][name]
    ]
    assert differences == []


# --- The staff API --------------------------------------------------------------------------


@pytest.fixture
def new_routed_report(people):
    """Makes a Lucheng report, routed to the Lucheng office, where the handler works."""
    lucheng = Department.objects.create(
        name="鹿城区委网信办", kind="district_office", district=District.LUCHENG, email="lc@e.org"
    )
    lucheng.members.add(people["handler"])
    RoutingRule.objects.create(district=District.LUCHENG, lead_department=lucheng)

    def make():
        report = rumor_services.report_submit(
            data=rumor_services.ReportInput(
                category="rumor",
                platform="wechat",
                content="有人在微信群里说鹿城区自来水被污染了，不能喝。",
                place_description="微信群",
                district=District.LUCHENG,
            ),
            queue_routing=False,
        )
        rumor_services.report_route(report_id=report.pk)
        return report

    return make


def _api_cell(client, user, method: str, path: str) -> str:
    client.logout()
    if not isinstance(user, AnonymousUser):
        client.force_login(user)
    response = getattr(client, method.lower())(path, {}, content_type="application/json")
    # Denied is 401/403, or 404 for a report the person may not see; anything else (200,
    # 400 for an empty body, 409 for the wrong state) means the person may call it.
    return "—" if response.status_code in (401, 403, 404) else "✓"


def test_staff_api_access_is_the_readme_matrix(client, people, new_routed_report):
    intended = _table("permission-matrix:api")
    actual = {}
    for operation in intended:
        # A fresh report per operation: one person's action (a handler sending it back to
        # the office) must not hide it from the next.
        method, template = operation.split(" ", 1)
        path = template.replace("{id}", str(new_routed_report().pk))
        actual[operation] = {
            name: _api_cell(client, user, method, path) for name, user in people.items()
        }
    differences = [
        f"{operation} / {name}: README {intended[operation][name]!r}, portal {cell!r}"
        for operation, cells in actual.items()
        for name, cell in cells.items()
        if intended[operation][name] != cell
    ]
    assert differences == []


def test_every_staff_api_operation_is_in_the_matrix(client):
    paths = client.get("/api/schema/", {"format": "json"}).json()["paths"]
    staff = {
        f"{method.upper()} {path.replace('{id}', '{id}')}"
        for path, operations in paths.items()
        if path.startswith("/api/v1/reports/") and "track" not in path and "stats" not in path
        for method in operations
        if not (path == "/api/v1/reports/" and method == "post")  # citizens file here
    }
    assert staff == set(_table("permission-matrix:api"))

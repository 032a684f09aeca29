"""The demo register holds every case the pages must show, and seeding twice adds nothing."""

import pytest

from charity import demo, selectors, services
from charity.models import Disclosure, Organisation, Project, ProjectStatus

pytestmark = pytest.mark.django_db


def test_demo_holds_verified_suspended_overdue_and_every_project_status():
    demo.seed_charity(lambda _text: None)
    demo.seed_charity(lambda _text: None)
    statuses = set(Organisation.objects.values_list("status", flat=True))
    assert statuses == {"applied", "verified", "suspended", "rejected"}
    assert set(Project.objects.values_list("status", flat=True)) == set(ProjectStatus.values)
    assert Project.objects.count() == 7
    overdue = [
        org
        for org in selectors.organisations_public()
        if selectors.organisation_calendar(org).overdue
    ]
    assert "瑞安市春苗助学促进会（演示）" in [org.name for org in overdue]
    lesan = Organisation.objects.get(name="温州市乐善公益基金会（演示）")
    assert services.project_open_refusals(lesan) == []
    chunmiao = Organisation.objects.get(name="瑞安市春苗助学促进会（演示）")
    refusals = services.project_open_refusals(chunmiao)
    assert any("尚未签署最新" in reason for reason in refusals)
    assert any("至今未公开" in reason for reason in refusals)
    kinds = set(Disclosure.objects.values_list("kind", flat=True))
    assert kinds == {"periodic", "final", "leftover", "annual_report"}
    for organisation in Organisation.objects.all():
        assert organisation.full_clean() is None

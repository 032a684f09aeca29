"""What each staff role may do at the report desk (registered with wenzhou_portal.roles)."""

from wenzhou_portal.roles import Role, role_grants

role_grants(
    Role.OFFICE_ADMIN,
    {
        # The report desk: the office triages, routes and maintains the rules and calendar.
        "rumors.view_report",
        "rumors.change_report",
        "rumors.view_reportevent",
        "rumors.view_evidence",
        "rumors.view_department",
        "rumors.add_department",
        "rumors.change_department",
        "rumors.view_routingrule",
        "rumors.add_routingrule",
        "rumors.change_routingrule",
        "rumors.delete_routingrule",
        "rumors.view_calendarday",
        "rumors.add_calendarday",
        "rumors.change_calendarday",
        "rumors.delete_calendarday",
        "rumors.view_debunk",
        "rumors.add_debunk",
        "rumors.change_debunk",
        "rumors.publish_debunk",
        "rumors.view_debunksource",
        "rumors.add_debunksource",
        "rumors.change_debunksource",
        "rumors.delete_debunksource",
        "rumors.view_debunkappearance",
        "rumors.add_debunkappearance",
        "rumors.change_debunkappearance",
        "rumors.delete_debunkappearance",
        # Departments' systems: endpoints are managed here, the delivery log is read.
        "rumors.view_webhookendpoint",
        "rumors.add_webhookendpoint",
        "rumors.change_webhookendpoint",
        "rumors.view_webhookdelivery",
    },
)
# Handlers act through the report's handling actions, scoped to their department.
role_grants(
    Role.DEPARTMENT_HANDLER,
    {
        "rumors.view_report",
        "rumors.change_report",
        "rumors.view_reportevent",
        "rumors.view_evidence",
        "rumors.view_department",
        # Departments may draft debunks; only the office publishes them.
        "rumors.view_debunk",
        "rumors.add_debunk",
        "rumors.change_debunk",
        "rumors.view_debunksource",
        "rumors.add_debunksource",
        "rumors.change_debunksource",
        "rumors.delete_debunksource",
        "rumors.view_debunkappearance",
        "rumors.add_debunkappearance",
        "rumors.change_debunkappearance",
        "rumors.delete_debunkappearance",
    },
)

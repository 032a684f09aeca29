"""What charity reviewers may do (registered with wenzhou_portal.roles).

Reviewers verify, reject and suspend organisations (a change, through the services),
publish pact versions, review and correct projects and publish disclosures. Nothing of
charity is ever deleted in admin: applications, projects and disclosures are public record.
"""

from wenzhou_portal.roles import Role, role_grants

role_grants(
    Role.CHARITY_REVIEWER,
    {
        "charity.view_organisation",
        "charity.change_organisation",
        "charity.view_pactversion",
        "charity.add_pactversion",
        "charity.change_pactversion",
        "charity.view_pactsignature",
        "charity.view_project",
        "charity.add_project",
        "charity.change_project",
        "charity.view_disclosure",
        "charity.add_disclosure",
        "charity.view_correction",
    },
)

"""What charity reviewers may do (registered with wenzhou_portal.roles).

Reviewers verify, reject and suspend organisations (a change, through the services),
publish pact versions, review and correct projects and publish disclosures. Nothing of
charity is ever deleted in admin: applications, projects and disclosures are public record.

The money: reviewers read every donation, ledger entry, allocation, payment notice and
proof; they moderate donors' messages (the one change of a donation), record
disbursements and decide other reviewers' ones (the one change of a disbursement),
import platform donation lists, and run the ledger proof at once (adding a proof). The
auditor's view of all of it is computed by wenzhou_portal.roles.
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
        # The money.
        "charity.view_donation",
        "charity.change_donation",
        "charity.view_platformimport",
        "charity.add_platformimport",
        "charity.view_disbursement",
        "charity.add_disbursement",
        "charity.change_disbursement",
        "charity.view_ledgerentry",
        "charity.view_allocation",
        "charity.view_paymentnotice",
        "charity.view_ledgerproof",
        "charity.add_ledgerproof",
    },
)

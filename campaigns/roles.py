"""What campaign editors may do (registered with wenzhou_portal.roles)."""

from wenzhou_portal.roles import Role, role_grants

role_grants(
    Role.CAMPAIGN_EDITOR,
    {
        f"campaigns.{verb}_{model}"
        for model in ("campaign", "externalreach")
        for verb in ("view", "add", "change")
    }
    | {
        "campaigns.view_signature",
        "campaigns.change_signature",
        "campaigns.view_eventregistration",
        "campaigns.view_pageviewday",
        "campaigns.delete_externalreach",
        "campaigns.view_candidate",
        "campaigns.add_candidate",
        "campaigns.change_candidate",
        "campaigns.view_vote",
        "campaigns.change_vote",
        "campaigns.view_juryscore",
        "campaigns.add_juryscore",
        "campaigns.change_juryscore",
    },
)

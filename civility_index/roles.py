"""What index editors may do (registered with wenzhou_portal.roles)."""

from wenzhou_portal.roles import Role, role_grants

role_grants(
    Role.INDEX_EDITOR,
    {
        f"civility_index.{verb}_{model}"
        for model in (
            "dimension",
            "indicator",
            "methodsettings",
            "districtpopulation",
            "enteredvalue",
        )
        for verb in ("view", "add", "change")
    }
    | {
        "civility_index.delete_enteredvalue",
        "civility_index.view_snapshot",
        "civility_index.change_snapshot",
    },
)

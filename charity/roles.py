"""What charity reviewers may do (registered with wenzhou_portal.roles).

Charity has no staff-edited models yet; the reviewer role exists so accounts can be given it.
"""

from wenzhou_portal.roles import Role, role_grants

role_grants(Role.CHARITY_REVIEWER, set())

"""Demo data: each app contributes a seeder in its own demo.py, run by `seed_demo`.

Apps register with ``@demo_seeder(order)``; the command autodiscovers the modules, so
this package never imports a feature app. Every seeder must be idempotent.
"""

import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from .roles import Role

Seeder = Callable[[Callable[[str], None]], None]
_SEEDERS: list[tuple[int, str, Seeder]] = []

DEMO_ACCOUNTS_FILE = "demo-accounts.txt"

# One named demo person per role, as the tests name them, and one superuser who manages
# the office admins (an office admin is not a superuser).
DEMO_STAFF: list[tuple[str, Role | None, str, bool]] = [
    ("superadmin", None, "赵国强", True),
    ("office_admin", Role.OFFICE_ADMIN, "王晓明", False),
    ("lucheng_handler", Role.DEPARTMENT_HANDLER, "陈丽", False),
    ("campaign_editor", Role.CAMPAIGN_EDITOR, "林静", False),
    ("charity_reviewer", Role.CHARITY_REVIEWER, "张伟", False),
    ("index_editor", Role.INDEX_EDITOR, "周敏", False),
    ("auditor", Role.AUDITOR, "黄建国", False),
]
SUPERUSER_LABEL = "superuser"


def demo_seeder(order: int) -> Callable[[Seeder], Seeder]:
    def register(func: Seeder) -> Seeder:
        name = f"{func.__module__}.{func.__qualname__}"
        if all(existing != name for _order, existing, _func in _SEEDERS):
            _SEEDERS.append((order, name, func))
        return func

    return register


def registered_seeders() -> list[tuple[str, Seeder]]:
    return [(name, func) for _order, name, func in sorted(_SEEDERS, key=lambda item: item[:2])]


def demo_accounts_path() -> Path:
    return Path(settings.VAR_DIR) / DEMO_ACCOUNTS_FILE


@demo_seeder(order=0)
def seed_staff_accounts(say: Callable[[str], None]) -> None:
    """Create a superuser and one staff account per role; passwords printed once, kept in var/."""
    user_model = get_user_model()
    path = demo_accounts_path()
    known = path.read_text(encoding="utf-8") if path.exists() else ""
    created_lines = []
    with transaction.atomic():
        for username, role, full_name, superuser in DEMO_STAFF:
            user = user_model.objects.filter(username=username).first()
            if user is not None and f"{username} " in known:
                # Known account: keep its password, but bring its access up to date (an
                # earlier demo made the office admin a superuser).
                if user.is_superuser != superuser or not user.is_staff:
                    user.is_superuser = superuser
                    user.is_staff = True
                    user.save(update_fields=["is_superuser", "is_staff"])
                if role is not None:
                    user.groups.add(Group.objects.get(name=role.value))
                continue
            password = secrets.token_urlsafe(12)
            if user is None:
                user = user_model(username=username, email=f"{username}@example.org")
            user.first_name = full_name
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if role is not None:
                user.groups.add(Group.objects.get(name=role.value))
            label = role.value if role is not None else SUPERUSER_LABEL
            created_lines.append(f"{username} {password} {label}")
    if created_lines:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            for line in created_lines:
                handle.write(line + "\n")
        path.chmod(0o600)
        say("Demo staff accounts (username password role), shown once, kept in " + str(path) + ":")
        for line in created_lines:
            say("  " + line)
    else:
        say(f"Demo staff accounts already exist; their passwords are in {path}.")

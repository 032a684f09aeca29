"""Charity (乐善365) in admin: the register, and the money.

Importing the modules registers their ModelAdmins with the admin site.
"""

from . import ledger, money, registry  # noqa: F401  (registration on import)

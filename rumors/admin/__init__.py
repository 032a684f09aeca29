"""The report desk in admin: reference data, reports with their actions, debunks.

Importing the modules registers their ModelAdmins with the admin site.
"""

from . import debunks, reference, reports, webhooks  # noqa: F401  (registration on import)

"""Campaign editors create, preview, publish and close campaigns and see participation.

Publishing, closing, moderating entries, hiding signatures and excluding votes go through
the services, which write their own audit event; plain edits (a campaign's text, a
nominee, external reach, jury scores) are recorded by ``AuditedModelAdmin``, inline rows
included.

One module per concern: ``campaigns`` (the campaign), ``participation`` (signatures,
sign-ups, page views), ``votes`` (entries, jury scores, votes), and ``forms``. Importing
them registers their ModelAdmins: admin autodiscovery imports this package only. The
names are re-exported for callers that import them from ``campaigns.admin``.
"""

from . import campaigns, participation, votes  # noqa: F401  (registration on import)
from .campaigns import CAMPAIGN_FIELDSETS, CampaignAdmin, CandidateInline  # noqa: F401
from .forms import (  # noqa: F401
    CampaignForm,
    CandidateAdminForm,
    CandidateForm,
    ImageUploadMixin,
)
from .participation import EventRegistrationAdmin, PageViewDayAdmin, SignatureAdmin  # noqa: F401
from .votes import CandidateAdmin, RejectionForm, VoteAdmin  # noqa: F401

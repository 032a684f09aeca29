"""Every write of campaigns: phone verification, pledges, event registrations, page views.

Citizens' services (``phone_code_send``, ``pledge_sign``, ``vote_cast``, ``event_register``…)
take no actor. Staff services (publishing, closing, moderation, vote exclusion, hiding a
signature) take a keyword-only ``actor`` and write one audit event in the transaction of
their write, so a staff write and its record stand or fall together.
"""

# Proving a number is shared with the rest of the portal (wenzhou_portal); campaigns use
# these names as its own services.
from wenzhou_portal.phone_verification import (  # noqa: F401
    PHONE_CODE_PER_CLIENT,
    PHONE_CODE_PER_NUMBER,
    phone_code_check,
    phone_code_send,
    phone_code_verify,
    phone_hash,
)

from .common import (  # noqa: F401
    CAMPAIGN_FORMS,
    VOTES_PER_CLIENT,
    ParticipationLimited,
    ParticipationRefused,
    campaign_form_guard,
    campaign_open_for,
    client_key,
)
from .participation import (  # noqa: F401
    SHORT_CODE_ALPHABET,
    SHORT_CODE_LENGTH,
    _short_code_unused,
    _view_keys,
    _withdraw_deadline_passed,
    event_cancel,
    event_register,
    page_view_record,
    page_views_flush,
    pledge_sign,
    registration_by_short_code,
    short_code_normalise,
    signature_withdraw,
    vote_withdraw,
    withdrawable_until,
)
from .staff import (  # noqa: F401
    TAG_MAX_LENGTH,
    campaign_close,
    campaign_codes_set,
    campaign_publish,
    campaign_unpublish,
    signature_hide,
    tags_parse,
)
from .votes import (  # noqa: F401
    ACCEPTED_VIDEO_HOSTS,
    VOTE_BURST_MAX_CLIENTS,
    VOTE_BURST_MINUTES,
    VOTE_BURST_VOTES,
    _votes_label,
    contest_entry_submit,
    entry_moderate,
    vote_cast,
    votes_exclude,
    votes_flag_bursts,
)

"""Every write of charity (乐善365), and the rules that gate them.

Organisations apply through the public form (``organisation_apply``, no actor). Charity
reviewers verify, reject and suspend organisations, publish pact versions, review
projects, publish disclosures and correct published projects; those staff services take a
keyword-only ``actor`` and write one audit event in the transaction of their write.

The gates, each one place: an organisation opens a new project only when it is verified,
has signed the current pact and is not overdue on any disclosure
(``project_open_refusals``); a public project is published only with its filing number
and a public-fundraising qualification, its own or a named partner's
(``project_publish_refusals``).

Money (part two): the portal never holds it. Donations arrive by a designated platform's
import (``platform_import``) or by the organisation's own provider's signed notification
(``donation_start`` → ``donation_notice_receive``); a gift can be cancelled within 10
minutes of paying (``donation_cancel``); disbursements are recorded by one reviewer and
approved by another (``disbursement_record``, ``disbursement_approve``). Each movement is
one append-only ledger entry (``entry_append``), proven nightly (``ledger_prove``).
"""

from .. import selectors  # noqa: F401  (read through services by older callers)
from .common import (  # noqa: F401
    APPLICATION_FORMS,
    DOCUMENT_MAX_BYTES,
    FILING_LEAD_DAYS,
    ApplicationLimited,
    CharityRefused,
    _store,
    application_guard,
    cover_store,
)
from .disbursements import (  # noqa: F401
    DisbursementInput,
    amount_is_unusual,
    available_fen,
    disbursement_approve,
    disbursement_record,
    disbursement_refuse,
    settled_cutoff,
)
from .disclosures import (  # noqa: F401
    CheckedDocument,
    disclosure_publish,
    document_check,
)
from .donations import (  # noqa: F401
    DonationDraft,
    amount_parse,
    cancel_deadline,
    donation_cancel,
    donation_draft_check,
    donation_message_moderate,
    donation_notice_receive,
    donation_refresh,
    donation_refund_finish,
    donation_refunds_finish,
    donation_refusals,
    donation_start,
    donations_expire,
    fen_display,
    reference_normalise,
)
from .imports import platform_import, platform_rows_parse  # noqa: F401
from .ledger import entry_append, ledger_problems, ledger_prove  # noqa: F401
from .organisations import (  # noqa: F401
    PACT_SIGN_DAYS,
    PACT_SIGN_SALT,
    OrganisationApplication,
    _reason,
    _sign,
    _staff_change,
    organisation_apply,
    organisation_reject,
    organisation_suspend,
    organisation_verify,
    pact_publish,
    pact_sign,
    pact_sign_claim,
    pact_sign_token,
    qualification_problems,
)
from .projects import (  # noqa: F401
    CORRECTABLE_FIELDS,
    FIXED_AFTER_DRAFT,
    OBLIGATION_LABELS,
    PURPOSE_FIELDS,
    _refuse_if,
    _shown,
    _transition,
    project_approve,
    project_close,
    project_complete,
    project_correct,
    project_open_refusals,
    project_publish_refusals,
    project_reject,
    project_save_draft,
    project_submit,
)

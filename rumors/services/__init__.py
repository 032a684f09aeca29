"""Every write of the report desk, one module per concern.

- ``events``: each step is a ReportEvent; public steps tell the reporter;
- ``intake``: tracking codes, submission with evidence, the reporter's rating;
- ``routing``: rules, routing once per report, the sweeper's re-queue;
- ``policy``: the table of report actions: who may take which from which state;
- ``handling``: the handling loop, one service per step, and one answer per cluster;
- ``review``: the second look (复核): uphold or reopen, four eyes;
- ``triage``: staff-only triage tags on a report;
- ``reporter``: the reporter's steps by tracking code: answer, ask for a second look,
  send the private link (built in ``links``);
- ``debunks``: publish, correct, withdraw, and the reports a debunk answers;
- ``deadlines``: beat's deadline checks and contact erasure;
- ``webhooks``: signed deliveries to departments' systems, recorded with each step.

Services queue tasks by name (``wenzhou_portal.celery.enqueue``), so only tasks import
services, never the other way round.
"""

from .deadlines import (
    contacts_erase_expired,
    deadlines_check,
)
from .debunks import (
    WITHDRAWAL_REASON_MAX_LENGTH,
    debunk_close_linked_reports,
    debunk_codes_set,
    debunk_correct,
    debunk_draft_save,
    debunk_publish,
    debunk_tell_reporters_of_correction,
    debunk_tell_reporters_of_withdrawal,
    debunk_url,
    debunk_withdraw,
    report_link_debunk,
)
from .events import (
    TransitionError,
    report_event_notify,
)
from .handling import (
    report_accept,
    report_assign,
    report_contact_view,
    report_merge,
    report_note,
    report_pause,
    report_reclassify,
    report_reject,
    report_resolve,
    report_resume,
    report_send_back,
    report_unlink_duplicate,
)
from .intake import (
    CROCKFORD,
    TRACKING_CODE_LENGTH,
    ReportInput,
    report_input_validate,
    report_rate,
    report_submit,
    tracking_code_generate,
    tracking_code_normalise,
)
from .links import report_private_url
from .policy import (
    ACTION_LABELS,
    ACTIONS,
    PUBLIC_FIELD_HINT,
    ActionField,
    FieldKind,
    ReportAction,
    Who,
    action_permitted,
    actions_allowed,
    report_action_take,
)
from .reporter import (
    report_link_send,
    report_reporter_answer,
    report_review_request,
)
from .review import (
    report_review_reopen,
    report_review_uphold,
)
from .routing import (
    office_department,
    report_route,
    reports_duplicate_window_clear,
    reports_route_pending,
    routing_kick,
    rule_match,
)
from .triage import report_tags_set
from .webhooks import (
    webhook_deliver,
    webhook_secret_generate,
    webhook_signature,
    webhooks_record,
    webhooks_requeue,
)

__all__ = [
    "ACTIONS",
    "ACTION_LABELS",
    "CROCKFORD",
    "PUBLIC_FIELD_HINT",
    "TRACKING_CODE_LENGTH",
    "WITHDRAWAL_REASON_MAX_LENGTH",
    "ActionField",
    "FieldKind",
    "ReportAction",
    "ReportInput",
    "TransitionError",
    "Who",
    "action_permitted",
    "actions_allowed",
    "contacts_erase_expired",
    "deadlines_check",
    "debunk_close_linked_reports",
    "debunk_codes_set",
    "debunk_correct",
    "debunk_draft_save",
    "debunk_publish",
    "debunk_tell_reporters_of_correction",
    "debunk_tell_reporters_of_withdrawal",
    "debunk_url",
    "debunk_withdraw",
    "office_department",
    "report_accept",
    "report_action_take",
    "report_assign",
    "report_contact_view",
    "report_event_notify",
    "report_input_validate",
    "report_link_debunk",
    "report_link_send",
    "report_merge",
    "report_note",
    "report_pause",
    "report_private_url",
    "report_rate",
    "report_reclassify",
    "report_reject",
    "report_reporter_answer",
    "report_resolve",
    "report_resume",
    "report_review_reopen",
    "report_review_request",
    "report_review_uphold",
    "report_route",
    "report_send_back",
    "report_submit",
    "report_tags_set",
    "report_unlink_duplicate",
    "reports_duplicate_window_clear",
    "reports_route_pending",
    "routing_kick",
    "rule_match",
    "tracking_code_generate",
    "tracking_code_normalise",
    "webhook_deliver",
    "webhook_secret_generate",
    "webhook_signature",
    "webhooks_record",
    "webhooks_requeue",
]

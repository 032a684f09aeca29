"""Every write of the index, one module per concern.

- ``periods``: reading a month a person typed, stepping between months;
- ``method``: the method's settings, loading it for the engine, recording a change;
- ``snapshots``: computing a month keyed by its inputs, publishing, queueing recomputations;
- ``entered_values``: importing the figures staff enter by hand.

Staff services (``method_changed``, ``snapshot_publish``, ``entered_values_import``,
``snapshot_recompute_request``) take a keyword-only ``actor`` and write one audit event in
the transaction of their write. ``snapshot_compute`` is run by tasks, not by a person.
Services queue tasks by name, so only tasks import services, never the other way round.
"""

from .entered_values import (
    CSV_COLUMNS,
    ImportReport,
    entered_values_import,
)
from .method import (
    LoadedMethod,
    method_changed,
    method_describe,
    method_load,
    method_settings,
)
from .periods import (
    FIRST_YEAR,
    LAST_YEAR,
    month_start,
    next_month,
    parse_period,
    previous_month,
)
from .snapshots import (
    inputs_digest,
    period_values,
    snapshot_compute,
    snapshot_publish,
    snapshot_recompute_request,
)

__all__ = [
    "CSV_COLUMNS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "ImportReport",
    "LoadedMethod",
    "entered_values_import",
    "inputs_digest",
    "method_changed",
    "method_describe",
    "method_load",
    "method_settings",
    "month_start",
    "next_month",
    "parse_period",
    "period_values",
    "previous_month",
    "snapshot_compute",
    "snapshot_publish",
    "snapshot_recompute_request",
]

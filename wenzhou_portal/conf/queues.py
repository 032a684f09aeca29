"""Celery's queues, the route of each task to its queue, and beat's schedule."""

from celery.schedules import crontab
from kombu import Exchange, Queue

# The queue names, less the installation's CELERY_QUEUE_PREFIX, in priority order.
ROUTING, NOTIFICATIONS, HOUSEKEEPING, INDEX = "routing", "notifications", "housekeeping", "index"


def beat_schedule(*, routing_sweep_seconds: float) -> dict[str, dict]:
    """The jobs beat starts, by name (their runs are recorded: wenzhou_portal.jobs)."""
    return {
        "rumors-requeue-pending-routing": {
            "task": "rumors.tasks.requeue_pending_routing",
            "schedule": routing_sweep_seconds,
        },
        "rumors-check-deadlines": {"task": "rumors.tasks.check_deadlines", "schedule": 15 * 60.0},
        "civility-index-recompute-recent": {
            "task": "civility_index.tasks.recompute_recent",
            "schedule": 24 * 3600.0,
        },
        "campaigns-flush-page-views": {
            "task": "campaigns.tasks.flush_page_views",
            "schedule": 5 * 60.0,
        },
        "portal-requeue-notifications": {
            "task": "wenzhou_portal.tasks.notifications_requeue",
            "schedule": 5 * 60.0,
        },
        "rumors-requeue-webhooks": {
            "task": "rumors.tasks.webhooks_requeue",
            "schedule": 60.0,
        },
        "portal-expire-held-uploads": {
            "task": "wenzhou_portal.tasks.held_uploads_expire",
            "schedule": 15 * 60.0,
        },
        "charity-expire-donations": {
            "task": "charity.tasks.donations_expire",
            "schedule": 5 * 60.0,
        },
        # Nightly in Wenzhou, when nobody is donating: every public balance against its ledger.
        "charity-prove-ledger": {
            "task": "charity.tasks.ledger_prove",
            "schedule": crontab(hour=2, minute=30),
        },
        "rumors-erase-expired-contacts": {
            "task": "rumors.tasks.erase_expired_contacts",
            "schedule": 24 * 3600.0,
        },
        # Keeps the duplicate probe's partial trigram index to the window (and a day).
        "rumors-clear-duplicate-window": {
            "task": "rumors.tasks.clear_duplicate_window",
            "schedule": crontab(hour=3, minute=30),
        },
    }


def task_queues(*, prefix: str, default: str) -> list[Queue]:
    """Every queue a worker started without -Q consumes, highest priority first."""
    # Priorities are this order. A worker consuming several queues takes from the first that
    # holds a message (kombu's "priority" order on Redis), so a shared worker routes before it
    # notifies, and notifies before it sweeps; the default queue (celery's own tasks, anything
    # not routed below) comes after notifications. Per-message priorities are not used: on
    # Redis they are emulated with extra lists per queue, and separate queues are what Celery
    # recommends. Each queue has its own exchange and routing key, as Celery gives a missing one.
    names = (
        prefix + ROUTING,
        prefix + NOTIFICATIONS,
        default,
        prefix + HOUSEKEEPING,
        prefix + INDEX,
    )
    return [Queue(name, Exchange(name), routing_key=name) for name in names]


def task_routes(*, prefix: str) -> dict[str, dict]:
    """Each task's queue (a task not named here goes to the default queue)."""
    return {
        # Routing: what citizens and the handling deadline wait on. Short tasks only.
        "rumors.tasks.route_report": {"queue": prefix + ROUTING},
        "rumors.tasks.route_pending": {"queue": prefix + ROUTING},
        # The routing sweeper is on the critical path: a report whose doorbell the broker lost
        # is routed only through it, so it must not wait behind a nightly proof on housekeeping.
        "rumors.tasks.requeue_pending_routing": {"queue": prefix + ROUTING},
        # Notifications: messages out of the portal, bursty (a debunk tells every reporter at
        # once) and slow (SMTP, the SMS gateway, a department's webhook may take its full
        # timeout), so they get their own workers and never hold routing.
        "wenzhou_portal.tasks.notification_send": {"queue": prefix + NOTIFICATIONS},
        "rumors.tasks.notify_reporter": {"queue": prefix + NOTIFICATIONS},
        "rumors.tasks.tell_reporters_of_correction": {"queue": prefix + NOTIFICATIONS},
        "rumors.tasks.tell_reporters_of_withdrawal": {"queue": prefix + NOTIFICATIONS},
        "rumors.tasks.webhook_deliver": {"queue": prefix + NOTIFICATIONS},
        # The development gateway's payment notice stands in for a provider's HTTP call: short,
        # and a donor waits on the thank-you page for it (production never queues it).
        "charity.tasks.simulated_gateway_notify": {"queue": prefix + NOTIFICATIONS},
        # Housekeeping: the beat sweepers and follow-ups that may run minutes late. Missed
        # notices and webhooks are re-queued from here onto the notifications queue.
        "rumors.tasks.check_deadlines": {"queue": prefix + HOUSEKEEPING},
        "rumors.tasks.erase_expired_contacts": {"queue": prefix + HOUSEKEEPING},
        "rumors.tasks.clear_duplicate_window": {"queue": prefix + HOUSEKEEPING},
        "rumors.tasks.webhooks_requeue": {"queue": prefix + HOUSEKEEPING},
        "wenzhou_portal.tasks.notifications_requeue": {"queue": prefix + HOUSEKEEPING},
        "wenzhou_portal.tasks.held_uploads_expire": {"queue": prefix + HOUSEKEEPING},
        "campaigns.tasks.flush_page_views": {"queue": prefix + HOUSEKEEPING},
        "charity.tasks.donations_expire": {"queue": prefix + HOUSEKEEPING},
        "charity.tasks.ledger_prove": {"queue": prefix + HOUSEKEEPING},
        # Closing the reports a debunk answers is one transaction per report, possibly
        # thousands: a follow-up that may lag, kept off the routing queue.
        "rumors.tasks.close_reports_for_debunk": {"queue": prefix + HOUSEKEEPING},
        # The index: long aggregate runs over every app's figures, daily or on an editor's
        # request; on their own queue so a recompute never holds the sweepers.
        "civility_index.tasks.recompute_period": {"queue": prefix + INDEX},
        "civility_index.tasks.recompute_recent": {"queue": prefix + INDEX},
    }

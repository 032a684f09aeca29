"""Prometheus metrics at /metrics, for the operators' scraper only.

Request counts and latency histograms by view come from django-prometheus's middleware.
The portal's own gauges are computed when the page is scraped, from the database and the
broker as they are at that moment, so every web process answers the same figures and
nothing needs to be kept between scrapes.

Apps plug their readings in from their selectors with ``@metric_reading`` (as they plug
demo seeders in with ``@demo_seeder``), so this package never imports a feature app; the
scrape imports each installed app's ``selectors`` module to find them.
"""

import hmac
import ipaddress
import logging
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.module_loading import autodiscover_modules
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from redis.backoff import NoBackoff
from redis.retry import Retry

from .breaker import breaker_for
from .celery import broker_url
from .clients import client_ip
from .models import Notification, ScheduledJobRun

logger = logging.getLogger("wenzhou_portal.metrics")

# A reading answers a number, or {label value(s): number} for a gauge with labels; None
# (or no labels) leaves the gauge out of the page.
Value = float | int
Read = Callable[[], Value | Mapping[str | tuple[str, ...], Value] | None]


@dataclass(frozen=True)
class MetricReading:
    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Read


_READINGS: dict[str, MetricReading] = {}


def metric_reading(name: str, documentation: str, *, labels: Iterable[str] = ()):
    """Register the decorated function as the gauge ``name``, read at every scrape."""

    def register(func: Read) -> Read:
        _READINGS[name] = MetricReading(name, documentation, tuple(labels), func)
        return func

    return register


def registered_readings() -> list[MetricReading]:
    autodiscover_modules("selectors")
    return sorted(_READINGS.values(), key=lambda reading: reading.name)


# --- The portal's own readings ---------------------------------------------------------


@metric_reading(
    "portal_celery_queue_length",
    "Tasks waiting in each Celery queue (Redis broker only; taken, unfinished tasks excluded).",
    labels=("queue",),
)
def celery_queue_lengths() -> dict[str, int]:
    url = broker_url()
    if not url.startswith(("redis://", "rediss://")):
        return {}  # the embedded brokers keep no length worth watching
    breaker = breaker_for(url)
    if not breaker.allow():
        return {}
    names = [queue.name for queue in settings.CELERY_TASK_QUEUES]
    timeout = settings.REDIS_SOCKET_TIMEOUT
    client = redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in names:
                pipe.llen(name)
            lengths = pipe.execute()
    except redis.RedisError as exc:
        breaker.record_failure(exc)
        logger.warning("queue lengths unavailable: broker out")
        return {}
    finally:
        client.close()
    breaker.record_success()
    return dict(zip(names, lengths, strict=True))


@metric_reading(
    "portal_notifications_failed",
    "Notifications given up on after every attempt, by channel.",
    labels=("channel",),
)
def notifications_failed() -> dict[str, int]:
    failed = dict(
        Notification.objects.filter(state=Notification.State.FAILED)
        .order_by()
        .values_list("channel")
        .annotate(count=Count("pk"))
    )
    return {channel: failed.get(channel, 0) for channel in Notification.Channel.values}


@metric_reading(
    "portal_scheduled_job_last_success_timestamp_seconds",
    "When each job of the beat schedule last succeeded (Unix time; 0: never).",
    labels=("job",),
)
def scheduled_jobs_last_success() -> dict[str, float]:
    succeeded = dict(ScheduledJobRun.objects.values_list("name", "last_succeeded_at"))
    return {
        job: succeeded[job].timestamp() if succeeded.get(job) else 0
        for job in settings.CELERY_BEAT_SCHEDULE
    }


# --- Exposition ------------------------------------------------------------------------


class PortalCollector:
    """Every registered reading as a gauge, computed at collect time."""

    def describe(self) -> list:
        return []  # nothing is read when the collector is registered, only when scraped

    def collect(self):
        for reading in registered_readings():
            try:
                value = reading.read()
            except Exception:
                # One failing reading (a table not migrated yet, a database timeout) must
                # not cost the scraper the others.
                logger.exception("metric reading failed", extra={"metric": reading.name})
                continue
            if value is None or (reading.labels and not value):
                continue  # nothing to say (no Redis broker, say): the gauge is left out
            gauge = GaugeMetricFamily(reading.name, reading.documentation, labels=reading.labels)
            if reading.labels:
                for key, number in value.items():
                    gauge.add_metric((key,) if isinstance(key, str) else key, number)
            else:
                gauge.add_metric((), value)
            yield gauge


def exposition() -> bytes:
    """The text page: django-prometheus's metrics of every process, then the portal's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # gunicorn: each worker process writes its counters and histograms to files in
        # this folder; the page sums them, whichever worker answers the scrape.
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    portal = CollectorRegistry(auto_describe=False)
    portal.register(PortalCollector())
    return generate_latest(processes) + generate_latest(portal)


def scraper_allowed(request: HttpRequest) -> bool:
    """The bearer of METRICS_TOKEN, or a client inside METRICS_ALLOWED_NETWORKS."""
    token = settings.METRICS_TOKEN
    scheme, _, offered = request.headers.get("authorization", "").partition(" ")
    if (
        token
        and scheme.lower() == "bearer"
        and hmac.compare_digest(offered.strip().encode(), token.encode())
    ):
        return True
    if not settings.METRICS_ALLOWED_NETWORKS:
        return False
    address = ipaddress.ip_address(client_ip(request))
    return any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    )


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    """The metrics page; anyone else gets the site's ordinary 404, whatever the method, as
    for a page that does not exist."""
    if not scraper_allowed(request):
        raise Http404
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    # The classic text format, which every Prometheus version reads (names are plain ASCII).
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_PLAIN_0_0_4)

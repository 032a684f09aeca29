"""Demo data for the index: a year of entered values and a snapshot for every month."""

import random
from collections.abc import Callable

from django.utils import timezone

from wenzhou_portal.demo import demo_seeder
from wenzhou_portal.districts import District

from . import services
from .models import EnteredValue, Indicator, Snapshot


@demo_seeder(order=40)
def seed_index(say: Callable[[str], None]) -> None:
    """Entered values for 12 months and all districts, then compute every month."""
    if Snapshot.objects.exists():
        say("Demo index snapshots already exist.")
        return
    rng = random.Random(330300)
    current = services.month_start(timezone.localdate())
    periods = [current]
    for _ in range(12):
        periods.append(services.previous_month(periods[-1]))
    periods.reverse()
    entered = list(Indicator.objects.filter(source="entered"))
    rows = []
    for period in periods[:-1]:  # the current month is not reported yet
        for district in District.values:
            for indicator in entered:
                if indicator.unit == "%":
                    value = min(100.0, rng.gauss(98.0, 1.2))
                else:
                    value = max(0.0, rng.gauss(1.6, 0.7))
                rows.append(
                    EnteredValue(
                        indicator=indicator, district=district, period=period, value=round(value, 2)
                    )
                )
    EnteredValue.objects.bulk_create(rows, ignore_conflicts=True)
    for period in periods:
        services.snapshot_compute(period=period)
    say(f"Computed the index for {len(periods)} months.")

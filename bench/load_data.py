"""City-scale synthetic data, the same for a seed: ``python -m bench.load_data``.

The large tables (reports and their events, debunks, signatures, votes, donations and the
ledger) are written by ``INSERT … SELECT … FROM generate_series`` inside PostgreSQL, every
"random" choice a hash of the row number and the seed (``hashint8extended``), so a seed
gives the same rows on any machine and nothing crosses the wire. Small reference tables
(departments, rules, campaigns, organisations, projects) go through the ORM.

Speed, as any bulk load does it: the tables' secondary indexes are dropped first and built
once at the end, and foreign-key and ledger triggers are off for the session
(``session_replication_role = replica``); the rows are consistent by construction and the
unique and check constraints still hold every row. A column a model adds later that is
NOT NULL gets the model's default (listed in the result as ``filled_by_default``).

Prints one JSON object: row counts and seconds per step.
"""

import json
import os
import time

from bench.load_others import CampaignCharityTables
from bench.load_reports import ReportTables
from bench.loader_base import LoaderBase


class Loader(ReportTables, CampaignCharityTables, LoaderBase):
    """Loads the whole city: each group of tables is a mixin, this the order they go in."""

    def load(self) -> dict:
        from campaigns.models import Signature, Vote
        from charity.models import Donation, LedgerEntry
        from rumors.models import (
            Debunk,
            DebunkCategory,
            DebunkDistrict,
            DebunkTag,
            Report,
            ReportEvent,
        )

        big = [
            Report,
            ReportEvent,
            Debunk,
            DebunkDistrict,
            DebunkCategory,
            DebunkTag,
            Signature,
            Vote,
            Donation,
            LedgerEntry,
        ]
        started = time.perf_counter()
        self.execute("SET synchronous_commit = off")
        self.execute("SET maintenance_work_mem = '1GB'")
        self.execute("SET work_mem = '256MB'")
        with self.timed("reference data"):
            departments = self.departments_and_rules()
            campaign_ids = self.campaigns()
            project_ids = self.organisations_and_projects()
        self.drop_secondary_indexes(big)
        self.execute("SET session_replication_role = replica")
        try:
            with self.timed("reports"):
                self.reports(departments)
            with self.timed("report events"):
                self.report_events()
            with self.timed("debunks"):
                self.debunks(departments["office"])
            with self.timed("signatures and votes"):
                self.signatures_and_votes(campaign_ids)
            with self.timed("donations and ledger"):
                self.donations(project_ids)
        finally:
            self.execute("SET session_replication_role = origin")
            with self.timed("indexes"):
                self.rebuild_indexes()
        for model in big:
            self.reset_sequence(model)
        with self.timed("vacuum analyze"):
            for model in big:
                self.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
        for model in big:
            self.counts[model._meta.db_table] = model.objects.count()
        return {
            "seconds": round(time.perf_counter() - started, 2),
            "steps": self.steps,
            "rows": self.counts,
            "sizes": self.sizes,
            "seed": self.seed,
            "period_start": self.period_start().isoformat(),
            "as_of": self.now.isoformat(),
            "filled_by_default": self.filled_by_default,
            "indexes_rebuilt": [name for name, _definition in self.dropped_indexes],
        }


def main() -> None:
    import django

    from bench.config import BenchConfig

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wenzhou_portal.settings")
    django.setup()
    from django.utils import timezone

    config = BenchConfig.from_env()
    loader = Loader(seed=config.seed, sizes=config.sizes, now=timezone.now())
    result = loader.load()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

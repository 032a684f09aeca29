"""What a bench run reads from the environment, and the data sizes a scale gives."""

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wz_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
DEFAULT_SEED = 18  # issue #18

# Full scale (BENCH_SCALE=1): the city on its worst day, as issue #18 sizes it.
FULL_SIZES = {
    "reports": 1_000_000,
    "debunks": 20_000,
    "signatures": 100_000,
    "votes": 100_000,
    "organisations": 200,
    "projects": 1_000,
    "donations": 100_000,
    "routing_pending": 10_000,
}
# However small the scale, every page still has something to show.
MINIMUM_SIZES = {
    "reports": 2_000,
    "debunks": 100,
    "signatures": 500,
    "votes": 500,
    "organisations": 12,
    "projects": 24,
    "donations": 500,
    "routing_pending": 100,
}
MONTHS = 24


@dataclass(frozen=True)
class BenchConfig:
    database_url: str
    redis_url: str
    scale: float
    seed: int

    @classmethod
    def from_env(cls) -> "BenchConfig":
        return cls(
            database_url=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            redis_url=os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL,
            scale=float(os.environ.get("BENCH_SCALE") or "1"),
            seed=int(os.environ.get("BENCH_SEED") or DEFAULT_SEED),
        )

    @property
    def sizes(self) -> dict[str, int]:
        return {
            name: max(MINIMUM_SIZES[name], round(full * self.scale))
            for name, full in FULL_SIZES.items()
        }

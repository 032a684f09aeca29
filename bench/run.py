"""One whole bench run (``make bench``): data, a production-like portal, the figures.

1. drops and recreates the bench database (refuses any database not named wz_bench*),
   empties the bench Redis database, migrates, collects static files;
2. loads the synthetic city (bench.load_data) and times it;
3. recomputes the index for one month and for 24 months, each in a process of its own,
   against the bare SQL aggregate (bench.recompute);
4. starts gunicorn (2 × cores sync workers, DJANGO_ENV=production, the bench URLconf)
   and a Celery worker, has the worker recompute the 24 months and the current one and
   reads its peak memory (bench.worker_recompute), and measures each path with wrk on
   loopback;
5. routes a burst of pending reports with one worker (bench.routing);
6. writes bench/results/latest.json and latest.md; stops everything it started, also on
   failure.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wz_bench), REDIS_URL
(default redis://127.0.0.1:6379/14), BENCH_SCALE (1 = a million reports), BENCH_SEED,
BENCH_DURATION (seconds per wrk run, default 10), BENCH_CONNECTIONS (default 16),
BENCH_ROUTING_SECONDS (routing's time budget, default 180).
"""

import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.config import BenchConfig
from bench.report import write_results

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
RESULTS = REPO / "bench" / "results"
LUA = REPO / "bench" / "wrk" / "measure.lua"
# Generous enough that no limit answers 429 during a run (they are per client, and wrk is
# one client); the limits' Redis round trips are still made, as in production.
LIFTED_LIMITS = {
    "REPORT_RATE_LIMIT_MINUTE": "10000000/m",
    "REPORT_RATE_LIMIT_DAY": "100000000/d",
    "REPORT_FLOOD_LIMIT": "10000000/m",
    "TRACK_RATE_LIMIT": "10000000/m",
    "SUGGEST_RATE_LIMIT": "10000000/m",
}
# The paths measured, in order. Submission runs last: the reports it files keep the worker
# busy routing, which must not weigh on the other figures.
PAGES = [
    ("bare", "bare JSON view (ceiling)", "/bench/bare/"),
    ("home", "home `/`", "/"),
    ("debunks", "debunk list `/debunks/`", "/debunks/"),
    (
        "debunk_search",
        "debunk search `/debunks/?q=自来水`",
        "/debunks/?q=%E8%87%AA%E6%9D%A5%E6%B0%B4",
    ),
    ("index", "index dashboard `/index/`", "/index/"),
    ("campaigns", "campaign list `/campaigns/`", "/campaigns/"),
    ("index_api", "`/api/v1/index/latest/`", "/api/v1/index/latest/"),
    ("tracking", "tracking lookup `GET /api/v1/reports/track/<code>/`", None),
]
CACHED_PAGES = ("home", "debunks", "debunk_search", "index", "campaigns", "index_api")


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Bench:
    def __init__(self, config: BenchConfig) -> None:
        self.config = config
        self.workdir = REPO / "var" / "bench"
        self.logs = self.workdir / "logs"
        self.port = free_port()
        self.processes: dict[str, subprocess.Popen] = {}
        # (path, start, end) of each wrk run, to find its requests in the portal's log.
        self.windows: list[tuple[str, datetime, datetime]] = []
        self.results: dict = {"notes": []}
        self.started = time.perf_counter()

    # --- processes ------------------------------------------------------------------------

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(LIFTED_LIMITS)
        env.update(
            {
                "DATABASE_URL": self.config.database_url,
                "REDIS_URL": self.config.redis_url,
                "DJANGO_SETTINGS_MODULE": "wenzhou_portal.settings",
                "DJANGO_ENV": "production",
                "DJANGO_ROOT_URLCONF": "bench.urls",
                "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "SITE_URL": f"http://127.0.0.1:{self.port}",
                # Plain HTTP on loopback: no proxy in front to end TLS.
                "SECURE_SSL_REDIRECT": "0",
                "VAR_DIR": str(self.workdir),
                "CELERY_QUEUE_PREFIX": "bench-",
                "PYTHONPATH": str(REPO),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.pop("DJANGO_TESTING", None)
        env.pop("CELERY_EAGER", None)
        return env

    def run(
        self, name: str, argv: list[str], *, timeout: float = 3600, env: dict | None = None
    ) -> str:
        """Run a step to completion; its stderr goes to its log, its stdout is returned."""
        log_path = self.logs / f"{name}.log"
        with log_path.open("w") as stderr:
            finished = subprocess.run(  # noqa: S603  our own fixed commands
                argv,
                cwd=REPO,
                env={**self.env(), **(env or {})},
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                timeout=timeout,
                check=False,
            )
        if finished.returncode != 0:
            tail = log_path.read_text()[-3000:]
            raise RuntimeError(f"{name} failed ({finished.returncode}):\n{tail}")
        return finished.stdout

    def run_json(
        self, name: str, argv: list[str], *, timeout: float = 3600, env: dict | None = None
    ) -> dict:
        output = self.run(name, argv, timeout=timeout, env=env)
        lines = [line for line in output.splitlines() if line]
        return json.loads(lines[-1])

    def spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        handle = (self.logs / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603  our own fixed commands
            argv,
            cwd=REPO,
            env=self.env(),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its children
        )
        self.processes[name] = process
        return process

    def stop_all(self) -> None:
        for name, process in list(self.processes.items()):
            if process.poll() is None:
                try:
                    # The main process only: gunicorn's master and Celery's worker stop
                    # their children gracefully; the group is killed if they do not.
                    os.kill(process.pid, signal.SIGTERM)
                    process.wait(timeout=20)
                except ProcessLookupError:
                    pass
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=5)
            self.kill_leftovers(process)
            log(f"stopped {name}")
        self.processes.clear()

    @staticmethod
    def kill_leftovers(process: subprocess.Popen) -> None:
        """Anything still in the process group we started (it is ours alone)."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    # --- steps ----------------------------------------------------------------------------

    def recreate_database(self) -> None:
        import psycopg

        parts = urlsplit(self.config.database_url)
        name = parts.path.lstrip("/")
        if not re.fullmatch(r"wz_bench\w*", name):
            raise SystemExit(f"refusing to drop {name!r}: the bench database must be wz_bench*")
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')

    def flush_redis(self) -> None:
        import redis

        redis.Redis.from_url(self.config.redis_url).flushdb()

    def prepare(self) -> None:
        log(f"database {urlsplit(self.config.database_url).path.lstrip('/')}: drop, create")
        self.recreate_database()
        self.flush_redis()
        started = time.perf_counter()
        self.run("migrate", [PYTHON, "manage.py", "migrate", "--no-input"])
        self.results["migrate_seconds"] = round(time.perf_counter() - started, 1)
        self.run("collectstatic", [PYTHON, "manage.py", "collectstatic", "--no-input"])

    def load(self) -> None:
        log(f"loading data at scale {self.config.scale} (seed {self.config.seed})")
        self.results["load"] = self.run_json("load", [PYTHON, "-m", "bench.load_data"])
        log(f"loaded in {self.results['load']['seconds']:.1f} s")

    def recompute(self) -> None:
        recompute = {}
        for months in (1, 24):
            log(f"index recomputation, {months} month(s)")
            recompute[str(months)] = self.run_json(
                f"recompute-{months}", [PYTHON, "-m", "bench.recompute", "--months", str(months)]
            )
        self.results["recompute"] = recompute

    def start_portal(self) -> None:
        workers = 2 * (os.cpu_count() or 1)
        self.results["gunicorn_workers"] = workers
        self.spawn(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "wenzhou_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
        )
        # One worker process (as production runs one per queue), on every queue.
        self.spawn(
            "celery",
            [
                str(BIN / "celery"),
                "-A",
                "wenzhou_portal",
                "worker",
                "--loglevel",
                "WARNING",
                "--concurrency",
                "1",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
            ],
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise RuntimeError("gunicorn exited: see var/bench/logs/gunicorn.log")
            try:
                with urllib.request.urlopen(self.url("/healthz"), timeout=1) as answer:  # noqa: S310  our loopback server
                    if answer.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 60 s")

    def worker_recompute(self) -> None:
        """The index's months recomputed by the worker itself, and the worker's peak memory."""
        log("index recomputation through the Celery worker")
        result = self.run_json("worker-recompute", [PYTHON, "-m", "bench.worker_recompute"])
        result["worker_peak_rss_mb"] = self.peak_rss_mb(self.processes["celery"].pid)
        self.results["worker_recompute"] = result

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def resolve(self, path: str) -> tuple[str, int]:
        """The path a visitor ends on (a language prefix may redirect) and its status."""
        request = urllib.request.Request(self.url(path), headers={"Accept-Language": "zh-hans"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310  our loopback server
                final = urlsplit(answer.geturl())
                return final.path + (f"?{final.query}" if final.query else ""), answer.status
        except urllib.error.HTTPError as error:
            return path, error.code

    def tracking_code(self) -> str:
        import psycopg

        with psycopg.connect(self.config.database_url) as connection:
            row = connection.execute(
                "SELECT tracking_code FROM rumors_report WHERE status = 'resolved' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
        return row[0]

    def wrk(self, path: str, *, seconds: float, mode: str = "get") -> dict:
        argv = [
            "wrk",
            "--threads",
            "2",
            "--connections",
            str(self.config_connections),
            "--duration",
            f"{seconds:g}s",
            "--timeout",
            "10s",
            "--script",
            str(LUA),
            self.url(path),
            "--",
            mode,
        ]
        started = datetime.now(UTC)
        finished = subprocess.run(  # noqa: S603  fixed argv of our own
            argv, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        line = next((x for x in finished.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(
                f"wrk gave no result for {path}:\n{finished.stdout}\n{finished.stderr}"
            )
        raw = json.loads(line.removeprefix("BENCH_JSON "))
        self.windows.append((path, started, datetime.now(UTC)))
        rate = raw["requests"] / (raw["duration_us"] / 1e6)
        ok = sum(n for code, n in raw["statuses"].items() if 200 <= int(code) < 300)
        return {
            "path": path,
            "requests": raw["requests"],
            "rps": round(rate, 1),
            "p50_ms": round(raw["p50_us"] / 1000, 2),
            "p90_ms": round(raw["p90_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2),
            "max_ms": round(raw["max_us"] / 1000, 2),
            "statuses": raw["statuses"],
            "non_2xx": raw["requests"] - ok,
            "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status" and v},
            "bytes_per_response": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
        }

    def measure_http(self) -> None:
        seconds = float(os.environ.get("BENCH_DURATION") or 10)
        self.config_connections = int(os.environ.get("BENCH_CONNECTIONS") or 16)
        self.results["wrk"] = {
            "threads": 2,
            "connections": self.config_connections,
            "seconds": seconds,
        }
        # Other work on the machine takes cores from the run: recorded, not hidden.
        self.results["load_average_before_requests"] = [round(x, 2) for x in os.getloadavg()]
        http: dict = {}
        code = self.tracking_code()
        for key, label, path in PAGES:
            path = path or f"/api/v1/reports/track/{code}/"
            final, status = self.resolve(path)
            if status != 200:
                self.results["notes"].append(f"{path} answered {status} before the run")
            log(f"wrk {final}")
            self.wrk(final, seconds=min(2.0, seconds))  # warm: caches, connections, imports
            http[key] = {"label": label, **self.wrk(final, seconds=seconds)}
            http[key]["in_process_ms"] = self.in_process(self.windows[-1])
        log("wrk POST /api/v1/reports/")
        self.wrk("/api/v1/reports/", seconds=min(2.0, seconds), mode="post")
        http["submit"] = {
            "label": "report submission `POST /api/v1/reports/`",
            **self.wrk("/api/v1/reports/", seconds=seconds, mode="post"),
        }
        http["submit"]["in_process_ms"] = self.in_process(self.windows[-1])
        self.results["load_average_after_requests"] = [round(x, 2) for x in os.getloadavg()]
        bare = http["bare"]["rps"]
        for figure in http.values():
            figure["ratio"] = round(figure["rps"] / bare, 3) if bare else None
        self.results["http"] = http
        worker = self.processes.get("celery")
        if worker is not None:
            self.results["celery_worker_peak_rss_mb"] = self.peak_rss_mb(worker.pid)

    def in_process(self, window: tuple[str, datetime, datetime]) -> dict | None:
        """p50 and p99 of the time the portal itself logged for the requests of one wrk run.

        Set against wrk's latency, it separates what a request costs in Django from the
        time it waited for a worker or a core.
        """
        _path, start, end = window
        durations = []
        with (self.logs / "gunicorn.log").open(errors="replace") as lines:
            for line in lines:
                if '"message": "request"' not in line:
                    continue
                try:
                    entry = json.loads(line)
                    logged = datetime.fromisoformat(entry["time"])
                except (ValueError, KeyError):
                    continue
                if start <= logged <= end:
                    durations.append(float(entry["duration_ms"]))
        if not durations:
            return None
        durations.sort()
        return {
            "requests": len(durations),
            "p50": round(durations[len(durations) // 2], 2),
            "p99": round(durations[min(len(durations) - 1, int(len(durations) * 0.99))], 2),
        }

    def peak_rss_mb(self, pid: int) -> float | None:
        """The highest resident size (VmHWM) of a process and its children, in MiB."""
        peaks = []
        for candidate in [pid, *self.children(pid)]:
            try:
                status = Path(f"/proc/{candidate}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmHWM:\s+(\d+) kB", status)
            if found:
                peaks.append(int(found.group(1)) / 1024)
        return round(max(peaks), 1) if peaks else None

    def children(self, pid: int) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
        return found

    def routing(self) -> None:
        # The worker stops first: the routing figure is one process's, not two competing.
        worker = self.processes.pop("celery", None)
        if worker is not None and worker.poll() is None:
            os.kill(worker.pid, signal.SIGTERM)  # a warm shutdown finishes its task
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=5)
            self.kill_leftovers(worker)
        log("routing pending reports with one worker")
        self.results["routing"] = self.run_json("routing", [PYTHON, "-m", "bench.routing"])
        if self.results["routing"]["router"] != "report_route":
            # The same burst again, report by report: what the batch router changed.
            log("routing again, report by report, for comparison (60 s at most)")
            self.results["routing_single"] = self.run_json(
                "routing-single",
                [PYTHON, "-m", "bench.routing"],
                env={"BENCH_ROUTER": "single", "BENCH_ROUTING_SECONDS": "60"},
            )

    def machine(self) -> dict:
        import psycopg
        import redis

        memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())[1])
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        with psycopg.connect(self.config.database_url) as connection:
            postgres = connection.execute("SHOW server_version").fetchone()[0]
        wrk_version = subprocess.run(
            ["wrk", "-v"],  # noqa: S607  wrk on PATH is what the run uses
            capture_output=True,
            text=True,
            check=False,
        )
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            cwd=REPO,
            check=False,
        ).stdout.strip()
        return {
            "cores": os.cpu_count(),
            "cpu": cpu[1].strip() if cpu else platform.processor(),
            "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "os": platform.platform(),
            "versions": {
                "python": platform.python_version(),
                "django": metadata.version("django"),
                "postgresql": postgres,
                "redis": redis.Redis.from_url(self.config.redis_url).info("server")[
                    "redis_version"
                ],
                "gunicorn": metadata.version("gunicorn"),
                "celery": metadata.version("celery"),
                "wrk": (wrk_version.stdout or wrk_version.stderr).split(" [")[0].strip(),
            },
            "commit": commit,
        }

    def main(self) -> int:
        if shutil.which("wrk") is None:
            raise SystemExit("wrk is not installed (apt-get install wrk)")
        if self.workdir.exists():
            shutil.rmtree(self.workdir)
        self.logs.mkdir(parents=True)
        self.results.update(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "scale": self.config.scale,
                "seed": self.config.seed,
            }
        )
        failed = None
        try:
            self.prepare()
            self.results["machine"] = self.machine()
            self.load()
            self.recompute()
            self.start_portal()
            self.worker_recompute()
            self.measure_http()
            self.routing()
        except Exception as error:  # written down in the results, then re-raised
            failed = error
            self.results["failed"] = f"{type(error).__name__}: {error}"[:4000]
        finally:
            self.stop_all()
        self.results["total_seconds"] = round(time.perf_counter() - self.started, 1)
        write_results(self.results, RESULTS, cached_pages=CACHED_PAGES)
        log(f"results in bench/results/latest.md ({self.results['total_seconds']:.0f} s)")
        if failed is not None:
            raise failed
        return 0

    def routing_again(self) -> int:
        """Measure routing again on the database the last run loaded, into its results."""
        previous = RESULTS / "latest.json"
        if not previous.exists():
            raise SystemExit("no bench/results/latest.json: run the whole bench first")
        self.results = json.loads(previous.read_text())
        earlier_failure = self.results.pop("failed", None)
        self.results.pop("targets", None)
        self.results.pop("routing", None)
        self.results.pop("routing_single", None)
        self.logs.mkdir(parents=True, exist_ok=True)
        note = (
            f"Routing measured again at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC "
            "(`python -m bench.run --only routing`) on the database this run loaded"
        )
        if earlier_failure:
            note += f"; the run's own routing step had failed: {earlier_failure.splitlines()[0]}"
        self.results.setdefault("notes", []).append(note + ".")
        started = time.perf_counter()
        try:
            self.routing()
        finally:
            self.stop_all()
            self.results["routing_again_seconds"] = round(time.perf_counter() - started, 1)
            write_results(self.results, RESULTS, cached_pages=CACHED_PAGES)
        return 0


def main() -> None:
    bench = Bench(BenchConfig.from_env())
    if sys.argv[1:] == ["--only", "routing"]:
        sys.exit(bench.routing_again())
    if sys.argv[1:]:
        raise SystemExit("usage: python -m bench.run [--only routing]")
    sys.exit(bench.main())


if __name__ == "__main__":
    main()

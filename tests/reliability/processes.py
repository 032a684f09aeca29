"""Throwaway services for fault tests: a Redis, gunicorn and Celery workers of our own.

Each runs on a free port and is stopped at the end, so the machine's shared services are
never touched. Everything is bounded: a process that does not come up in time fails the
test with its output.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

from tests.support import REPO_ROOT, require_service

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"{what}: the process exited early:\n{output[-4000:]}")
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"{what}: not ready within {timeout:.0f} s")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _spawn(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(  # noqa: S603  fixed argv of our own tools
        argv,
        cwd=REPO_ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a process group of its own: SIGKILL reaches its children
    )


@dataclass
class ThrowawayRedis:
    """A redis-server on a free port that a test may stop, silence and start again."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None
    _silent: socket.socket | None = None
    _held: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        require_service(binary is not None, "redis-server is not installed")
        self.proc = _spawn(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            dict(os.environ),
            self.workdir / f"redis-{self.port}.log",
        )
        wait_for(self._answers, 15, f"redis-server on port {self.port}", self.proc)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        """Redis goes away: connections are refused."""
        if self.proc is not None:
            stop(self.proc, signal.SIGKILL)
            self.proc = None

    def silence(self) -> None:
        """Something on Redis's port accepts connections and never answers."""
        self.stop()
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(128)
        self._silent = server

        def accept() -> None:
            while True:
                try:
                    self._held.append(server.accept()[0])
                except OSError:
                    return

        threading.Thread(target=accept, daemon=True).start()

    def unsilence(self) -> None:
        if self._silent is not None:
            self._silent.close()
            self._silent = None
        for conn in self._held:
            conn.close()
        self._held.clear()

    def close(self) -> None:
        self.unsilence()
        self.stop()


def service_env(database: dict, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a portal process using the test database and this Redis."""
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DATABASE_URL"] = (
        f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


@contextmanager
def gunicorn(env: dict[str, str], workdir: Path, *, workers: int = 2, threads: int = 4):
    """The real WSGI app over HTTP; yields its base URL."""
    port = free_port()
    proc = _spawn(
        [
            str(VENV_BIN / "gunicorn"),
            "wenzhou_portal.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ],
        env,
        workdir / f"gunicorn-{port}.log",
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310
                return response.status == 200
        except (OSError, urllib.error.URLError):
            return False

    try:
        wait_for(up, 60, "gunicorn", proc)
        yield base
    finally:
        stop(proc)


def start_worker(
    env: dict[str, str], workdir: Path, *, queue: str, concurrency: int = 2, name: str = "w"
) -> subprocess.Popen:
    """A Celery worker (prefork) consuming this test's default queue and every routed queue.

    The Redis is the test's own, so the routed queues (routing, notifications...) need no
    prefix; the default queue is the test's, as the web process publishes to it.
    """
    queues = [
        queue if declared.name == settings.CELERY_TASK_DEFAULT_QUEUE else declared.name
        for declared in settings.CELERY_TASK_QUEUES
    ]
    return _spawn(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "wenzhou_portal",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--hostname",
            f"{name}-{queue}@%h",
            "--queues",
            ",".join(queues),
        ],
        {**env, "CELERY_QUEUE": queue},
        workdir / f"worker-{name}.log",
    )


# moto accepts any key pair; these only have to be the same on every side.
S3_ACCESS_KEY = "portal-test-key"
S3_SECRET_KEY = "portal-test-secret"


@contextmanager
def moto_s3(workdir: Path):
    """moto's standalone S3 server (a real S3-protocol server, not a mocked client) on a
    free port, stopped at the end; yields its URL."""
    port = free_port()
    proc = _spawn(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        dict(os.environ),
        workdir / f"moto-{port}.log",
    )

    def listening() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return False
        return True

    try:
        wait_for(listening, 30, "moto's S3 server", proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def s3_client(url: str):
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id=S3_ACCESS_KEY,
        aws_secret_access_key=S3_SECRET_KEY,
        region_name="us-east-1",
    )


def object_storage_env(url: str, public_bucket: str, private_bucket: str) -> dict[str, str]:
    """The OBJECT_STORAGE_* variables of a portal process keeping its files in these buckets."""
    return {
        "OBJECT_STORAGE_URL": url,
        "OBJECT_STORAGE_PUBLIC_URL": url,
        "OBJECT_STORAGE_ACCESS_KEY": S3_ACCESS_KEY,
        "OBJECT_STORAGE_SECRET_KEY": S3_SECRET_KEY,
        "OBJECT_STORAGE_BUCKET": public_bucket,
        "OBJECT_STORAGE_PRIVATE_BUCKET": private_bucket,
    }

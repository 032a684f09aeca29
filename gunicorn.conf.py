"""gunicorn settings read from the working directory (/app in the image) on every start.

Only what keeps secrets out of logs and what keeps Prometheus's figures whole across
worker processes live here; the Dockerfile's command line sets the rest. gunicorn writes no access log unless one is asked for (the portal logs each request
itself, wenzhou_portal.middleware); if one is (``--access-logfile -``), tracking codes in
private-link paths and referers are written as [code] (wenzhou_portal.gunicorn_logging).
"""

import os
import shutil
import tempfile
from pathlib import Path

logger_class = "wenzhou_portal.gunicorn_logging.RedactingLogger"
# The combined format without the query string's own atom: the request line ("%(r)s")
# and the referer ("%(f)s") are redacted by the logger class above.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'

# --- Prometheus across worker processes -------------------------------------------------
# Each gunicorn worker counts its own requests (django-prometheus, served at /metrics). In
# prometheus_client's multiprocess mode every worker keeps its counters and histograms in
# files in one folder and the worker that answers a scrape sums them all, so the latency
# histogram covers the whole node, not the one worker that happened to answer. The folder
# must be set before a worker imports prometheus_client (here, in the master, inherited by
# every worker), emptied at each start (a previous run's files would be summed in), and
# should be a tmpfs (compose: `tmpfs: /run/prometheus` with PROMETHEUS_MULTIPROC_DIR set to
# it). Unset, each gunicorn gets a folder of its own under the temporary directory.
# (A reload reads this file again: the folder chosen first stays.)
if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.environ["PORTAL_PROMETHEUS_TEMPORARY_DIR"] = (
        tempfile.mkdtemp(prefix="portal-prometheus-")
    )


def on_starting(server):
    folder = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob("*.db"):  # only prometheus_client's own files
        leftover.unlink(missing_ok=True)


def child_exit(server, worker):
    # A dead worker's live gauges are dropped; its counters and histograms stay summed.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    temporary = os.environ.get("PORTAL_PROMETHEUS_TEMPORARY_DIR")
    if temporary:
        shutil.rmtree(temporary, ignore_errors=True)

"""Reads from a database replica, for the public read pages only.

With ``DATABASE_REPLICA_URL`` set, settings add a "replica" database and this router. A
router sees a query, not the request behind it, so the request decides:
``ReplicaReadsMiddleware`` marks a GET of a public read page (the index, debunks, charity;
``DATABASE_REPLICA_VIEWS``) by anyone who is not signed-in staff, and only while such a
request is answered do reads go to the replica. Writes, admin, the API, forms, staff and
a citizen's own pages always use the primary: a replica lags a moment behind, which a
public page (cached longer than that anyway) can afford and someone who has just acted
cannot.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

REPLICA = "replica"

_replica_reads: ContextVar[bool] = ContextVar("portal_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within this block, reads may go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    """Reads of a marked request go to the replica; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if (
            _replica_reads.get()
            and REPLICA in connections.settings
            # A read inside a transaction on the primary may decide a write: it must see
            # the primary, not a replica a moment behind.
            and not connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        # Explicit: without an answer Django would write a row back where it was read from.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        return True if {obj1._state.db, obj2._state.db} <= aliases else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None  # the replica follows the primary's schema


def replica_may_answer(request: HttpRequest) -> bool:
    """A public read: GET or HEAD of a listed page, with no credentials, not by staff."""
    if request.method not in ("GET", "HEAD") or "authorization" in request.headers:
        return False
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    if match.view_name not in settings.DATABASE_REPLICA_VIEWS:
        return False
    # Last: asking who the user is loads the session (from the primary).
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated and user.is_staff)


class ReplicaReadsMiddleware:
    """Answers a public read page with replica reads allowed (see the module docstring).

    After AuthenticationMiddleware, so that the user (and their session, read from the
    primary) is known before anything may read from the replica.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_may_answer(request):
            return self.get_response(request)
        with replica_reads():
            return self.get_response(request)

"""Public pages for anonymous visitors, served from a cache shared by every web process.

A public page is the same for every anonymous visitor with the same language and senior-mode
settings, so it is rendered once and served from two layers:

- the **shared layer** (the ``default`` cache: Redis in production, files in the embedded
  default) keeps each rendered page under a key made of its path, the language, the
  senior-mode settings and the *version* of what it shows. A version is a callable of the
  owning app (``rumors.selectors.debunks_version``, ``civility_index.selectors.
  snapshots_version`` …) that changes whenever what the page shows changes (a debunk
  published, corrected or withdrawn; a snapshot published; a campaign edited), however it
  was changed: service, admin or a data migration. A changed version is a different key, so
  a page is invalidated by what it shows, not only by time (``PUBLIC_PAGE_CACHE_SECONDS`` is
  the longest any copy lives, for figures that move by the minute such as counters);
- the **per-process layer** keeps the pages this process served last, and trusts them for
  ``PUBLIC_PAGE_CACHE_LOCAL_SECONDS`` (5 s) before it asks the versions again. That is the
  staleness bound: **at most 5 s after a change commits, every web process serves the new
  page** (tests/reliability/test_multi_node.py checks it across two nodes). Inside the
  window a page costs a dictionary lookup and no round trip to Redis or the database.

A request is served from the cache only when nothing in the page can be per-visitor: GET or
HEAD, no session cookie (so no signed-in user and no flash message waiting), no Authorization
header. A response is stored only when it is a plain 200 that set no cookie and used no CSRF
token: a page with a form renders for each visitor (its heavy parts are cached as template
fragments instead). When the shared cache is down (wenzhou_portal.cache) pages render as
if uncached; the per-process layer keeps working.

Every response also carries an ETag (ConditionalGetMiddleware), so a browser or proxy that
revalidates gets 304 Not Modified when the page has not changed.
"""

import functools
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

from .preferences import elder_mode_enabled, text_size

Version = Callable[[], object]

# Response headers a cached copy keeps (the rest are added per request by middleware).
_KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "Link", "X-Robots-Tag")


@dataclass(frozen=True)
class CachedPage:
    content: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str
    stored_at: float  # time.time() when rendered: the Last-Modified of the copy

    def response(self) -> HttpResponse:
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        response["ETag"] = self.etag
        response["Last-Modified"] = http_date(self.stored_at)
        response["X-Page-Cache"] = "hit"
        return response


@dataclass
class _LocalEntry:
    page: CachedPage
    versions: tuple
    checked_at: float  # time.monotonic() when the versions were last read


class _LocalPages:
    """This process's most recent pages, bounded (least recently used goes first)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[str, _LocalEntry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> _LocalEntry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: _LocalEntry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_local = _LocalPages(size=512)
# Versions read by this process, per callable, with when: one read serves every page that
# hangs on it for the per-process window.
_versions: dict[Version, tuple[float, object]] = {}
_versions_lock = threading.Lock()


def local_clear() -> None:
    """Forget this process's pages and versions (tests; a process that must not wait 5 s)."""
    _local.clear()
    with _versions_lock:
        _versions.clear()


def _version_of(version: Version, now: float, window: float) -> object:
    with _versions_lock:
        known = _versions.get(version)
    if known is not None and now - known[0] < window:
        return known[1]
    value = version()
    with _versions_lock:
        _versions[version] = (now, value)
    return value


def request_cacheable(request: HttpRequest) -> bool:
    """May this request be answered with a page shared by every anonymous visitor?"""
    if not settings.PUBLIC_PAGE_CACHE or request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return "authorization" not in request.headers


def response_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    """Is this response the same for every visitor with the same settings?"""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False  # a form with this visitor's token
    cache_control = response.get("Cache-Control", "")
    if "private" in cache_control or "no-store" in cache_control or "no-cache" in cache_control:
        return False
    # A message added while rendering (rare on a GET) belongs to this visitor.
    return not len(get_messages(request))


def release() -> str:
    """Which templates, translations and page-visible settings render the pages, so that a
    deploy never serves the previous release's copies: the sizes and times of the files (the
    same on every node built from one image), or PORTAL_RELEASE when the deploy names one,
    and the settings the layout prints (the office's hotline, the site's address)."""
    shown = f"{settings.OFFICE_HOTLINE}|{settings.SITE_URL}"
    return _files_release() + "-" + hashlib.sha256(shown.encode()).hexdigest()[:6]


@functools.cache
def _files_release() -> str:
    named = os.environ.get("PORTAL_RELEASE", "").strip()
    if named:
        return named
    digest = hashlib.sha256()
    folders = [Path(folder) for folder in settings.LOCALE_PATHS]
    folders += [Path(folder) for engine in settings.TEMPLATES for folder in engine["DIRS"]]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in (".html", ".txt", ".mo", ".svg"):
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:12]


def page_key(request: HttpRequest, *, negotiated: bool = False) -> str:
    """The page's identity apart from its versions: path and query, language, senior mode,
    and for an API read (``negotiated``) the Accept header that chose its format."""
    elder = f"elder-{text_size(request)}" if elder_mode_enabled(request) else "plain"
    identity = request.get_full_path()
    if negotiated:
        identity += "\n" + request.headers.get("accept", "")
    path = hashlib.sha256(identity.encode()).hexdigest()[:32]
    return f"page:{release()}:{get_language()}:{elder}:{path}"


def public_page(*versions: Version, seconds: int | None = None, negotiated: bool = False):
    """Serve the view's page from the cache for anonymous visitors (see the module).

    ``versions``: callables whose values together change whenever the page's content does.
    ``seconds``: how long any copy may live at most, for content no version follows (live
    counters); ``PUBLIC_PAGE_CACHE_SECONDS`` if not given. ``negotiated``: the view answers
    in the format the Accept header asks for (an API view), so each Accept has its copy.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request_cacheable(request):
                return view(request, *args, **kwargs)
            key = page_key(request, negotiated=negotiated)
            return _serve(request, view, args, kwargs, key, versions, seconds)

        return wrapped

    return decorator


def _serve(request, view, args, kwargs, key, versions: Sequence[Version], seconds) -> HttpResponse:
    window = settings.PUBLIC_PAGE_CACHE_LOCAL_SECONDS
    lifetime = seconds or settings.PUBLIC_PAGE_CACHE_SECONDS
    now = time.monotonic()
    local = _local.get(key)
    if local is not None and now - local.checked_at < window and _alive(local.page, lifetime):
        return local.page.response()
    current = tuple(_version_of(version, now, window) for version in versions)
    if local is not None and local.versions == current and _alive(local.page, lifetime):
        local.checked_at = now
        return local.page.response()
    shared_key = key + ":" + hashlib.sha256(repr(current).encode()).hexdigest()[:16]
    page = cache.get(shared_key)
    if isinstance(page, CachedPage) and _alive(page, lifetime):
        response = page.response()
    else:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if not response_cacheable(request, response):
            return response
        page = _store(response, shared_key, lifetime)
        response["ETag"] = page.etag
        response["X-Page-Cache"] = "miss"
    _local.put(key, _LocalEntry(page, current, now))
    return response


def _alive(page: CachedPage, lifetime: int) -> bool:
    return time.time() - page.stored_at < lifetime


def _store(response: HttpResponse, shared_key: str, lifetime: int) -> CachedPage:
    patch_vary_headers(response, ("Cookie",))
    content = response.content
    page = CachedPage(
        content=content,
        headers=tuple(
            (name, response[name]) for name in _KEPT_HEADERS if response.has_header(name)
        ),
        etag=f'"{hashlib.sha256(content).hexdigest()[:32]}"',
        stored_at=time.time(),
    )
    cache.set(shared_key, page, lifetime)
    return page

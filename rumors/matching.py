"""How two reports (or a report and a debunk) are recognised as the same thing.

Pure functions: URL normalisation, account folding and a character n-gram similarity
used where PostgreSQL's trigram similarity is not available.
"""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit

# Report.normalized_url's column; re-encoding a query can make a link nine times longer.
NORMALIZED_URL_MAX_LENGTH = 1000

# Query parameters that say how a link was shared, not what it points at.
TRACKING_PARAMETERS = frozenset(
    {
        "spm",
        "share_token",
        "from",
        "share_from",
        "share_source",
        "shareid",
        "isappinstalled",
        "scene",
        "clicktime",
        "enterid",
        "sharer_shareinfo",
        "sharer_shareinfo_first",
        "xsec_source",
        "xsec_token",
        "timestamp",
        "vd_source",
        "share_medium",
        "share_plat",
        "share_session_id",
        "share_tag",
        "unique_k",
        "bbid",
        "ts",
        "wfr",
        "source",
        "refer",
        "ref",
    }
)
FOLDED_HOST_PREFIXES = ("www.", "m.", "mobile.", "wap.")


def url_normalise(url: str) -> str:
    """A canonical form of a link: host lower-cased, m./www. folded, tracking dropped."""
    url = (url or "").strip()
    if not url:
        return ""
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port
    except ValueError:
        return url.lower()
    for prefix in FOLDED_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") > 1:
            host = host[len(prefix) :]
            break
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/") or ""
    query = sorted(
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith("utm_") and key.lower() not in TRACKING_PARAMETERS
    )
    normalised = host + path + (f"?{urlencode(query)}" if query else "")
    if len(normalised) > NORMALIZED_URL_MAX_LENGTH:
        # Too long for the column: keep the start and a digest of the whole, so two long
        # links stay equal exactly when they were equal.
        digest = hashlib.sha256(normalised.encode()).hexdigest()
        normalised = normalised[: NORMALIZED_URL_MAX_LENGTH - 65] + "#" + digest
    return normalised


def account_normalise(account: str) -> str:
    """Fold an account name for comparison: case, spaces and a leading @ do not matter."""
    return "".join((account or "").split()).lstrip("@＠").casefold()


def _ngrams(text: str, size: int) -> set[str]:
    chars = "".join(ch for ch in text.casefold() if ch.isalnum())
    if len(chars) < size:
        return {chars} if chars else set()
    return {chars[i : i + size] for i in range(len(chars) - size + 1)}


def text_similarity(first: str, second: str) -> float:
    """Jaccard similarity of character bigrams: fits Chinese, which has no spaces."""
    a, b = _ngrams(first, 2), _ngrams(second, 2)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)

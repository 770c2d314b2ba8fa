"""HTTP for live refreshes: one requests session with retries, clear errors, link discovery, and
the limits a refresh left running on a timer needs: https only, each source's own hosts only
(redirects included), a size cap per download, one deadline for the whole refresh, and no release
date from the future."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Collection
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

import settings
from etl.common import SanityError

# cbp.gov's firewall has been reported to answer 403 to clients that do not look like a browser.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Verifica-ETL/1.0 (+public statistics refresh)"
TIMEOUT_SECONDS = 60
DEADLINE_SECONDS = 15 * 60  # one refresh of one source, every request included
MAX_BYTES = 300_000_000  # the largest public file we read is ~50 MB (SESNSP's wide state file)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# A busy or failing server gets three more tries (1, 2 and 4 s apart); a host that cannot be reached
# at all (offline, DNS) one more, so an offline refresh of every source ends within seconds.
RETRIES, CONNECT_RETRIES = 3, 1
RETRY_BUDGET = f"{RETRIES} retries, {CONNECT_RETRIES} if unreachable"
log = logging.getLogger(__name__)


def make_session(deadline_seconds: float = DEADLINE_SECONDS) -> requests.Session:
    session = requests.Session()
    retry = Retry(total=RETRIES, connect=CONNECT_RETRIES, backoff_factor=1.0,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=("GET",))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = USER_AGENT
    session.verifica_deadline = time.monotonic() + deadline_seconds
    return session


def check_url(url: str, hosts: Collection[str] | None) -> None:
    """https to one of the source's hosts; plain http only to a loopback host named in ``hosts``
    (a local test server)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if hosts is not None and host not in {h.lower() for h in hosts}:
        raise SanityError(f"refusing {url}: {host or 'no host'} is not one of this source's hosts "
                          f"({', '.join(sorted(hosts))})")
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK and hosts is not None):
        raise SanityError(f"refusing {url}: only https is fetched")


def mirrored(url: str, hosts: Collection[str] | None) -> tuple[str, Collection[str] | None]:
    """With ``VERIFICA_MIRROR`` set, the same path on the mirror, whose host joins the allowed
    ones (an office's internal mirror, or a local test server)."""
    mirror = settings.get().mirror
    if not mirror:
        return url, hosts
    parts, base = urlsplit(url), urlsplit(mirror)
    return (urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment)),
            {*(hosts or ()), (base.hostname or "").lower()})


def get(session: requests.Session, url: str, *, hosts: Collection[str] | None = None,
        max_bytes: int = MAX_BYTES, **kwargs) -> requests.Response:
    """GET that turns every failure into one clear SanityError message, within the source's
    hosts (redirects included), the size cap and the session's deadline."""
    publisher_hosts = {h.lower() for h in hosts or ()}
    url, hosts = mirrored(url, hosts)
    log.info("GET %s", url)
    check_url(url, hosts)
    deadline = getattr(session, "verifica_deadline", None)
    try:
        response = _follow(session, url, hosts, publisher_hosts, deadline, **kwargs)
        if response.status_code != 200:
            raise SanityError(f"could not fetch {url}: HTTP {response.status_code}")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise SanityError(f"could not fetch {url}: {int(declared):,} bytes is more than the cap of {max_bytes:,}")
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=1 << 20):
            size += len(chunk)
            if size > max_bytes:
                raise SanityError(f"could not fetch {url}: more than the cap of {max_bytes:,} bytes")
            if deadline is not None and time.monotonic() > deadline:
                raise SanityError(f"could not fetch {url}: the refresh's deadline passed during the download")
            chunks.append(chunk)
        encoded = response.headers.get("Content-Encoding", "identity").lower() not in ("", "identity")
        if declared and declared.isdigit() and not encoded and size != int(declared):
            # The connection closed early: a cut file can parse (fewer rows), so never read it.
            raise SanityError(f"could not fetch {url}: the download stopped at {size:,} of {int(declared):,} bytes")
        response._content = b"".join(chunks)
    except requests.RequestException as exc:
        raise SanityError(f"could not fetch {url}: {_cause(exc)} (after {RETRY_BUDGET})") from exc
    return response


def _cause(exc: requests.RequestException) -> str:
    """A short cause (urllib3's own text runs to a thousand characters; it goes to the DEBUG log)."""
    log.debug("fetch failed", exc_info=exc)
    if isinstance(exc, requests.ConnectionError) and "NameResolution" in str(exc):
        return "the host name does not resolve (offline, or DNS)"
    if isinstance(exc, requests.ConnectTimeout | requests.ReadTimeout):
        return f"timed out ({exc.__class__.__name__})"
    if isinstance(exc, requests.exceptions.RetryError):
        return "the server kept answering with errors"
    if isinstance(exc, requests.ConnectionError):
        return "the host cannot be reached (refused or reset)"
    return exc.__class__.__name__


def none_found(what: str, failures: list[str]) -> SanityError:
    """One line for a search over several candidate addresses that all failed: how many, the
    first and last, and each distinct cause once."""
    causes = list(dict.fromkeys(f.split(": ", 1)[1] if ": " in f else f for f in failures))
    urls = [f.split(": ", 1)[0].removeprefix("could not fetch ") for f in failures]
    where = urls[0] if len(urls) == 1 else f"{len(urls)} addresses, {urls[0]} … {urls[-1].rsplit('/', 1)[-1]}"
    return SanityError(f"{what} not found ({where}): {'; '.join(causes)}")


MAX_REDIRECTS = 5


def _follow(session: requests.Session, url: str, hosts: Collection[str] | None, publisher_hosts: set[str],
            deadline: float | None, **kwargs) -> requests.Response:
    """GET, following redirects one at a time: each new address is checked against the source's
    hosts *before* it is contacted (with a mirror, a redirect to the publisher's own host goes to
    the mirror; one anywhere else is refused)."""
    for _hop in range(MAX_REDIRECTS + 1):
        remaining = TIMEOUT_SECONDS if deadline is None else deadline - time.monotonic()
        if remaining <= 0:
            raise SanityError(f"could not fetch {url}: the refresh's deadline has passed")
        response = session.get(url, timeout=min(TIMEOUT_SECONDS, remaining), stream=True,
                               allow_redirects=False, **kwargs)
        if not response.is_redirect:
            return response
        target = urljoin(url, response.headers["Location"])
        if (urlsplit(target).hostname or "").lower() in publisher_hosts:
            target = mirrored(target, hosts)[0]
        response.close()
        check_url(target, hosts)
        url, kwargs = target, {k: v for k, v in kwargs.items() if k != "params"}  # the query is in the Location
    raise SanityError(f"could not fetch {url}: more than {MAX_REDIRECTS} redirects")


def last_modified(response: requests.Response) -> tuple[dt.date, str] | None:
    header = response.headers.get("Last-Modified")
    return last_modified_value(header, "HTTP Last-Modified of the download") if header else None


def last_modified_value(value: str, basis: str, today: dt.date | None = None) -> tuple[dt.date, str] | None:
    """An HTTP date header as (date, basis); None when it cannot be read or lies in the future
    (a server clock or header that is wrong must not hide later real revisions)."""
    try:
        day = parsedate_to_datetime(value).date()
    except (TypeError, ValueError):
        return None
    if day > (today or dt.date.today()) + dt.timedelta(days=1):
        log.warning("ignoring %s in the future: %s", basis, day)
        return None
    return day, basis


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            for name, value in attrs:
                if name == "href" and value:
                    self.links.append(value)


def links(html: str, base_url: str) -> list[str]:
    """Absolute URLs of every link in an HTML page."""
    collector = _LinkCollector()
    collector.feed(html)
    return [urljoin(base_url, link) for link in collector.links]


def csv_links(html: str, base_url: str) -> list[str]:
    """Absolute URLs of every link to a .csv file in an HTML page."""
    return [link for link in links(html, base_url) if link.lower().split("?", 1)[0].endswith(".csv")]

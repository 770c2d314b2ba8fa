"""HTTP for live refreshes: one requests session with retries, clear errors, link discovery."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from urllib.parse import urljoin

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from etl.common import SanityError

# cbp.gov's firewall has been reported to answer 403 to clients that do not look like a browser.
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Verifica-ETL/1.0 (+public statistics refresh)"
TIMEOUT_SECONDS = 60


def make_session() -> requests.Session:
    session = requests.Session()
    retry = Retry(total=3, backoff_factor=1.0, status_forcelist=(429, 500, 502, 503, 504),
                  allowed_methods=("GET",))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = USER_AGENT
    return session


def get(session: requests.Session, url: str, **kwargs) -> requests.Response:
    """GET that turns every failure into one clear SanityError message."""
    try:
        response = session.get(url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as exc:
        raise SanityError(f"could not fetch {url}: {exc.__class__.__name__}: {exc}") from exc
    if response.status_code != 200:
        raise SanityError(f"could not fetch {url}: HTTP {response.status_code}")
    return response


def last_modified(response: requests.Response) -> tuple[dt.date, str] | None:
    header = response.headers.get("Last-Modified")
    return last_modified_value(header, "HTTP Last-Modified of the download") if header else None


def last_modified_value(value: str, basis: str) -> tuple[dt.date, str] | None:
    """An HTTP date header as (date, basis); None when it cannot be read."""
    try:
        return parsedate_to_datetime(value).date(), basis
    except (TypeError, ValueError):
        return None


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

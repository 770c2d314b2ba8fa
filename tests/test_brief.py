"""The briefing pack: one PDF for a meeting, opened with pypdf and pdfplumber. Every commitment
and claim the API serves is in it, the same vintages give the same bytes (images drawn again),
A4 and US letter both hold it with no text under 9 pt and no two words on top of each other, the
command line writes the Spanish pack, and one page is rendered to PNG for a person to look at."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard.exports import footer_lines

SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
CHARTS = 2  # key charts in the packs drawn here (the default is 6; each is a kaleido image)
ROOT = Path(__file__).resolve().parent.parent


def test_a_citation_wraps_its_words_and_its_address_apart():
    """An address followed by words (ATF's citation) wraps the words as words, the address only
    after its ? or an &, so no printed line runs past the image."""
    line = ("Source: Bureau of Alcohol, Tobacco, Firearms and Explosives (rolling six-year reports), "
            "https://www.atf.gov/resource-center/data-statistics; GAO-16-223 and GAO-21-322, Firearms "
            "Trafficking. Each figure carries its own citation. See http://x.test/?a=1&b=2&c=3")
    for chars in (60, 90):  # the longest unbreakable piece is 52 characters
        lines = footer_lines(line, chars)
        assert all(len(piece) <= chars for piece in lines), lines
        assert " ".join(lines).replace("? ", "?").replace("& ", "&") == line


def test_the_previous_meeting_is_the_last_bilateral_one_before():
    """An event recorded also as a meeting counts (the 3 September 2025 visit that created the
    group); a meeting without Mexico does not (a US-led summit)."""
    from dashboard.brief import previous_meeting
    from etl.timeline import read_timeline

    events = read_timeline()
    for day in ("2025-09-26", "2026-03-18", "2026-01-23"):
        as_of = dt.date.fromisoformat(day)
        expected = max((e for e in events if "meeting" in {e["type"], *e.get("also", [])}
                        and e["status"] == "happened" and {"US", "MX"} <= set(e["parties"]) and e["date"] < as_of),
                       key=lambda e: (e["date"], e["id"]))
        assert previous_meeting(events, as_of)["id"] == expected["id"]
    also = [e for e in events if "meeting" in e.get("also", [])]
    assert any(previous_meeting(events, e["date"] + dt.timedelta(days=1))["id"] == e["id"] for e in also)


def test_a_pack_for_a_day_to_come_is_refused():
    from dashboard import brief, commands

    with pytest.raises(brief.BriefUnavailable, match="after today"):
        commands.write_brief("sqlite://", dt.date.today() + dt.timedelta(days=1), "en", Path("unused.pdf"))


def test_what_the_pack_holds_for_a_past_meeting(snapshot_app):
    """As known on a past meeting's day: the statuses then and at the previous meeting, the
    releases published in between, the claims stated in between (a month counts from its last
    day), and every source read, the claims' tables included."""
    from dashboard import brief, queries
    from indicators import period_claims

    as_of = dt.date(2026, 1, 23)
    with snapshot_app.server.test_request_context("/"):
        data = brief.gather(as_of, "en", wait=True)
        previous = brief.previous_meeting(queries.events(), as_of)
        since = previous["date"] if isinstance(previous["date"], dt.date) else dt.date.fromisoformat(previous["date"])
        assert data["previous"]["id"] == previous["id"]
        assert {i["id"] for i in data["commitments"]} == {i["id"] for i in queries.commitments(as_of)}
        assert data["then"] == {i["id"]: i for i in queries.commitments(since)}
        expected = sorted((v.id for source in data["sources"] for v in queries.vintages(source)
                           if since < v.published_on <= as_of), key=int)
        assert sorted((r["id"] for r in data["releases"]), key=int) == expected
        claims = queries.claims(as_of)
    assert {"claims_homicide", "claims_security_results"} <= set(data["sources"])
    assert [c["id"] for c in data["stated_since"]] == [
        c["id"] for c in claims if c.get("stated_on") and since < period_claims.stated_by(c["stated_on"]) <= as_of]
    assert all(v["published_on"] <= as_of.isoformat() for s in data["sources"].values() for v in s["vintages"])


def _text(pdf: bytes) -> str:
    import pypdf

    return "".join("".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def _fetch(client, url: str, timeout_s: float = 180) -> bytes:
    """The pack, asking again while a past scorecard it needs is computed (202)."""
    deadline = time.monotonic() + timeout_s
    while True:
        response = client.get(url)
        if response.status_code == 200:
            assert response.mimetype == "application/pdf"
            return response.data
        assert response.status_code == 202, response.get_data(as_text=True)[:300]
        assert time.monotonic() < deadline, "the pack's scorecards were not computed in time"
        time.sleep(1)


@pytest.fixture(scope="module")
def pack(snapshot_app):
    from dashboard import brief
    from tests.helpers import CHROMIUM, require

    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        brief._fonts()
    except brief.BriefUnavailable as exc:
        require(False, str(exc))
    client = snapshot_app.server.test_client()
    return {"client": client, "app": snapshot_app, "en": _fetch(client, f"/api/brief.pdf?lang=en&charts={CHARTS}")}


@pytest.mark.browser
def test_every_commitment_and_claim_is_in_the_pack(pack):
    client = pack["client"]
    text = _text(pack["en"])
    commitments = client.get("/api/commitments.json").get_json()["items"]
    claims = client.get("/api/claims.json").get_json()["items"]
    assert commitments and claims
    for item in commitments:
        assert _squeezed(item["text"]["en"]) in text, item["id"]
    for item in claims:
        assert _squeezed(f"[{item['id']}]") in text, item["id"]
    for word in ("sha256", dt.date.today().isoformat()):
        assert word in text


@pytest.mark.browser
def test_the_same_vintages_give_the_same_bytes(pack):
    """Drawn again from scratch (the images rendered anew): the same bytes."""
    from dashboard import brief, queries

    with pack["app"].server.test_request_context("/"):
        queries.cache.clear()
        again = brief.brief_pdf(dt.date.today(), "en", "a4", charts=CHARTS)
    assert again == pack["en"]


@pytest.mark.browser
@pytest.mark.parametrize(("paper", "size"), [("a4", (595.3, 841.9)), ("letter", (612.0, 792.0))])
def test_each_paper_holds_the_pack_in_print_sizes(pack, paper, size):
    import pdfplumber

    pdf = pack["en"] if paper == "a4" else _fetch(pack["client"], f"/api/brief.pdf?lang=en&paper={paper}&charts={CHARTS}")
    problems, words_seen = [], 0
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            assert (round(page.width, 1), round(page.height, 1)) == size
            small = {round(c["size"], 1) for c in page.chars if c["size"] < 9 - 1e-6}
            if small:
                problems.append(f"page {number}: text at {sorted(small)} pt")
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            words_seen += len(words)
            for i, a in enumerate(words):
                for b in words[i + 1:]:
                    overlap_x = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                    overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                    if overlap_x > 1 and overlap_y > 1:
                        problems.append(f"page {number}: {a['text']!r} on {b['text']!r}")
            outside = [w["text"] for w in words if w["x0"] < 0 or w["x1"] > page.width + 0.5]
            if outside:
                problems.append(f"page {number}: off the page: {outside[:3]}")
    assert words_seen > 500
    assert not problems, problems[:10]


@pytest.mark.browser
def test_the_command_line_writes_the_spanish_pack_and_a_page_is_rendered(pack, snapshot_store, tmp_path):
    import pypdfium2

    out = tmp_path / "brief-es.pdf"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "etl", "brief", "--as-of", dt.date.today().isoformat(), "--lang", "es",
         "--out", str(out), "--charts", str(CHARTS), "--database-url", snapshot_store.url.render_as_string(hide_password=False)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    text = _text(out.read_bytes())
    commitments = pack["client"].get("/api/commitments.json").get_json()["items"]
    for item in commitments:
        assert _squeezed(item["text"]["es"]) in text, item["id"]
    assert _squeezed("Qué cambió desde la reunión anterior") in text
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, pdf in (("en", pack["en"]), ("es", out.read_bytes())):
        page = pypdfium2.PdfDocument(pdf)[0]
        image = page.render(scale=2).to_pil().convert("L")
        image.save(SCREENSHOTS / f"brief-page1-{name}.png")
        dark = sum(image.histogram()[:128]) / (image.width * image.height)
        assert 0.01 < dark < 0.5, dark  # text on a page, not a blank or a black sheet

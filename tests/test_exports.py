"""Static export of the explorer's view: kaleido + Chromium, citation and vintage in the image."""

from __future__ import annotations

import struct

import pytest

from dashboard.exports import SIZES
from etl.store import list_vintages

pytestmark = pytest.mark.browser

URL = "/api/indicators/cbp_fentanyl_seizures_swb_lbs"


@pytest.mark.parametrize("size", list(SIZES))
def test_png_is_report_sized(browser_ready, client, size):
    response = client.get(f"{URL}.png?from=2022-01&event=2025-02-03-tariff-pause-national-guard&size={size}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    body = response.data
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    assert (width, height) == SIZES[size]
    assert 'filename="cbp_fentanyl_seizures_swb_lbs_US.png"' in response.headers["Content-Disposition"]


def test_an_unknown_size_is_refused(client):
    response = client.get(f"{URL}.png?size=9x9")
    assert response.status_code == 400 and "size=" in response.get_json()["error"]
    # The data formats take no size: it would not change them.
    response = client.get(f"{URL}.csv?size=800x600")
    assert response.status_code == 400 and "unknown parameter" in response.get_json()["error"]


def test_svg_carries_citation_vintage_and_counterfactual(browser_ready, client, snapshot_store):
    svg = client.get(f"{URL}.svg?from=2022-01&event=2025-02-03-tariff-pause-national-guard").get_data(as_text=True)
    assert svg.startswith("<svg")
    assert "U.S. Customs and Border Protection" in svg
    # The newest release (it serves the chart's last months) by id, file, estimated date and
    # checksum: the figure can be redrawn and checked.
    vintage = max(list_vintages(snapshot_store, "cbp_drug_seizures"), key=lambda v: (v.published_on, v.id))
    assert f"#{vintage.id} {vintage.file_name} (published ~{vintage.published_on}, sha256" in svg
    assert vintage.sha256[:12] in svg  # (the footer wraps before it)
    assert "counterfactual (no event)" in svg
    assert "event=2025-02-03-tariff-pause-national-guard" in svg  # the permalink in the footer ...
    assert "/?indicator=cbp_fentanyl_seizures_swb_lbs&amp;geo=US&amp;from=2022-01" in svg  # ... of the explorer view
    assert "/api/indicators/" not in svg  # not the image's own address


def test_svg_in_spanish(browser_ready, client):
    svg = client.get("/api/indicators/cdc_synthetic_opioid_deaths_12m.svg?geo=TX&lang=es").get_data(as_text=True)
    assert "Fuente:" in svg and "Versión de los datos:" in svg and "Texas" in svg


def test_pdf(browser_ready, client):
    import io

    import pypdf

    from indicators.registry import get_indicator

    response = client.get(f"{URL}.pdf?events=meeting&lang=es")
    assert response.status_code == 200 and response.data[:5] == b"%PDF-"
    meta = pypdf.PdfReader(io.BytesIO(response.data)).metadata
    assert meta.title == get_indicator("cbp_fentanyl_seizures_swb_lbs").name["es"]  # not the renderer's name
    # The printed link is dated (as known on the day of the export), so it redraws as exported.
    import datetime as dt

    assert meta.subject.endswith("?indicator=cbp_fentanyl_seizures_swb_lbs&geo=US&from=2024-01"
                                 f"&as_of={dt.date.today().isoformat()}&events=meeting&lang=es")


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?event=nope", 400, "unknown event"),
        ("?method=magic", 400, "method="),
        ("?bogus=1", 400, "unknown parameter"),
    ],
)
def test_export_errors_are_clear(client, query, status, message):
    response = client.get(f"{URL}.png{query}")
    assert response.status_code == status and message in response.get_json()["error"]


def test_planned_indicator_has_no_image(client, planned_indicator):
    response = client.get(f"/api/indicators/{planned_indicator}.png")
    assert response.status_code == 404 and "no data loaded yet" in response.get_json()["error"]


def test_zip_bundles_data_figure_metadata_and_a_readme(browser_ready, client):
    import io
    import json
    import zipfile

    response = client.get(f"{URL}.zip?from=2024-01&lang=es")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert sorted(archive.namelist()) == ["README.txt", "data.csv", "figure.png", "metadata.json"]
    assert archive.read("figure.png")[:8] == b"\x89PNG\r\n\x1a\n"
    meta = json.loads(archive.read("metadata.json"))
    # The view's address is dated (as known on the day of the export), so it redraws as exported.
    assert meta["view"].endswith("?indicator=cbp_fentanyl_seizures_swb_lbs&geo=US&from=2024-01"
                                 f"&as_of={meta['generated']}&lang=es")
    assert meta["vintages"] and all(len(v["sha256"]) == 64 for v in meta["vintages"])
    assert archive.read("data.csv").decode().startswith("indicator,period,geo,")  # a plain table
    readme = archive.read("README.txt").decode()
    assert meta["view"] in readme and meta["cite"] in readme


def test_a_repeated_export_is_served_from_the_cache_until_the_store_changes(browser_ready, client, monkeypatch):
    from dashboard import downloads, queries

    calls = []
    render = downloads._render_image
    monkeypatch.setattr(downloads, "_render_image", lambda *a: calls.append(a) or render(*a))
    url = f"{URL}.png?from=2023-03&lang=es"
    first, second = client.get(url).data, client.get(url).data
    assert first == second and len(calls) == 1
    client.get(url.replace("2023-03", "2023-04"))
    assert len(calls) == 2  # another view is another image
    version = queries.store_version
    monkeypatch.setattr(queries, "store_version", lambda db: version(db) + "-after-a-publish")
    client.get(url)
    assert len(calls) == 3  # a publish moves the key: no stale figure after new data


def test_a_spanish_export_names_its_months_in_spanish(browser_ready, client):
    """The renderer only knows English month names: the axis ticks are named by CLDR (Babel)."""
    import re

    from babel.dates import get_month_names

    svg = client.get(f"{URL}.svg?from=2024-01&to=2025-06&lang=es").get_data(as_text=True)
    ticks = re.findall(r'class="xtick"[^>]*>.*?<text[^>]*>([^<]+)</text>', svg)
    ticks = ticks or re.findall(r'<g class="xtick">.*?>([^<>]+)</text>', svg)
    assert ticks, "no x-axis ticks found"
    spanish = {m.lower().rstrip(".") for m in get_month_names("abbreviated", locale="es").values()}
    english = {m.lower() for m in get_month_names("abbreviated", locale="en").values()} - spanish
    words = {w.lower().rstrip(".") for tick in ticks for w in tick.split()}
    assert words & spanish and not words & english, ticks


def test_the_zip_of_a_tested_event_carries_the_result(browser_ready, client):
    import io
    import json
    import zipfile

    event = "2025-02-03-tariff-pause-national-guard"
    response = client.get(f"{URL}.zip?from=2022-01&event={event}&size=800x600")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    meta = json.loads(archive.read("metadata.json"))
    assert meta["result"]["event"] == event and meta["result"]["verdict"]
    assert meta["result"]["headline"] in archive.read("README.txt").decode()
    width, height = struct.unpack(">II", archive.read("figure.png")[16:24])
    assert (width, height) == SIZES["800x600"]

"""ATF firearms traced in Mexico: figures kept as published (windows never spread or summed),
the share derived only where both counts exist, and the yearly PDF report read with pdfplumber
(from a small PDF written here), fetched from its page over HTTP."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
import responses

from etl import atf_mexico_traces as atf
from etl.common import SanityError
from indicators.series import read_series


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the given text lines (Helvetica), written by hand."""
    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    content = "BT /F1 11 Tf 14 TL 72 760 Td " + " ".join(f"({escape(line)}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


YEARS = {2019: (18_000, 12_100), 2020: (17_500, 11_900), 2021: (21_000, 14_300), 2022: (24_600, 16_700),
         2023: (22_100, 14_800), 2024: (23_900, 15_900)}


def report(years: dict[int, tuple[int, int]] = YEARS, title: str = "Firearms Trace Data: Mexico 2019-2024") -> bytes:
    lines = [title, "Calendar Year   Firearms Traced   U.S.-Sourced"]
    lines += [f"{year}   {traced:,}   {us:,}" for year, (traced, us) in years.items()]
    lines += ["Data as of October 2025. Counts by calendar year of recovery."]
    return tiny_pdf(lines)


def test_the_report_table_is_read_year_by_year():
    tidy = atf.parse_report(report(), "atf-mexico-2019-2024.pdf", url="https://www.atf.gov/file/1/download")
    us = tidy[tidy["metric"] == atf.US_SOURCED].set_index("window")["value"]
    assert us.to_dict() == {str(y): float(v[1]) for y, v in YEARS.items()}
    share = tidy[tidy["metric"] == atf.SHARE].set_index("window")["value"]
    assert share["2022"] == pytest.approx(16_700 / 24_600 * 100)
    assert set(tidy["citation"]) == {"ATF, Firearms Trace Data: Mexico 2019-2024"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (report({y: v for y, v in YEARS.items() if y != 2021}), "the per-year table lacks 2021"),
        (report({**YEARS, 2020: (100, 900)}), "U.S.-sourced 900 exceeds firearms traced 100"),
        (report(title="Firearms Trace Data: Canada 2019-2024"), "no 'Mexico <year>-<year>' title"),
        (b"%PDF-1.4\nnot really a pdf", "not a readable PDF"),
    ],
)
def test_bad_reports_are_refused(content, message):
    with pytest.raises(SanityError) as caught:
        atf.parse_report(content, "r.pdf")
    assert message in str(caught.value)


@pytest.mark.raw
def test_curated_figures_are_kept_as_published(raw_dir):
    path = atf.raw_files(raw_dir)[0]
    raw = pd.read_csv(path)
    tidy = atf.record_from_file(path).observations
    published = tidy[~tidy["flags"].str.contains("derived")]
    assert len(published) == len(raw)
    windows = raw[raw["period_end"] > raw["period_start"]]
    assert (published["flags"].str.contains("window")).sum() == len(windows)
    # The 2018-2023 report: 91,896 of 136,894 = 67.13 %, derived from the two counts.
    row = raw[(raw["period_start"] == 2018) & (raw["period_end"] == 2023)].set_index("metric")["value"]
    share = tidy[(tidy["metric"] == atf.SHARE) & (tidy["window"] == "2018–2023")]["value"].iloc[0]
    assert share == pytest.approx(row[atf.US_SOURCED] / row[atf.TRACED] * 100)
    assert round(share, 2) == 67.13


@pytest.mark.raw
def test_the_indicator_reads_figures_not_sums(built_store, raw_dir):
    raw = pd.read_csv(atf.raw_files(raw_dir)[0])
    frame = read_series(built_store, "atf_mexico_us_sourced_traces")
    expected = raw[raw["metric"] == atf.US_SOURCED]
    assert len(frame) == len(expected)
    assert sorted(frame["value"]) == sorted(expected["value"].astype(float))
    # Overlapping windows starting the same year stay separate figures.
    assert frame.groupby("period").size().max() > 1
    assert {"window", "end_year", "confidence", "citation"} <= set(frame.columns)


@responses.activate
def test_live_fetch_reads_the_newest_report_page_and_its_pdf():
    newest = atf.PAGE_URL.format(start=2020, end=2025)
    previous = atf.PAGE_URL.format(start=2019, end=2024)
    responses.get(newest, status=404)
    responses.get(previous, body='<html><a href="/file/150123/download">ATF Trace Data Mexico 2019-2024</a></html>')
    responses.get("https://www.atf.gov/file/150123/download", body=report(),
                  headers={"Last-Modified": "Tue, 14 Oct 2025 12:00:00 GMT"})
    record = atf.fetch_latest(today=dt.date(2026, 3, 1))
    assert record.url == "https://www.atf.gov/file/150123/download"
    assert record.file_name == "atf-mexico-2019-2024.pdf" and record.published_on == dt.date(2025, 10, 14)
    assert set(record.observations["window"]) >= {str(y) for y in YEARS}


@responses.activate
def test_a_report_page_without_a_pdf_link_is_a_clear_error():
    for end in (2025, 2024, 2023):
        responses.get(atf.PAGE_URL.format(start=end - 5, end=end), body="<html>Challenge Validation</html>")
    with pytest.raises(SanityError, match="no report download link"):
        atf.fetch_latest(today=dt.date(2026, 3, 1))


@pytest.mark.raw
def test_a_window_is_in_a_range_when_any_of_its_years_is(built_store):
    import datetime as _dt

    frame = read_series(built_store, "atf_mexico_us_sourced_traces", start=_dt.date(2020, 1, 1))
    assert set(frame["window"]) == {w for w, e in zip(frame["window"], frame["end_year"], strict=True) if int(e) >= 2020}
    assert {"2017–2022", "2018–2023"} <= set(frame["window"])


def test_yearly_figures_count_through_the_last_year_of_their_newest_window(client, snapshot_store, snapshot_app):
    """A figure over years (2018–2023) is stored at its first year: every place that says how new
    the data are (scorecard cells, the source card and vintages, freshness, the status) counts it
    through December of its last year, not the month it is stored at."""
    import json

    import plotly

    from dashboard import components
    from etl.store import freshness, list_vintages
    from indicators.registry import INDICATORS
    from indicators.service import overdue

    specs = [spec for spec in INDICATORS.values() if spec.source_id == atf.SOURCE_ID]
    newest = {}
    for spec in specs:
        frame = read_series(snapshot_store, spec)
        newest[spec.id] = int(frame["end_year"].astype(int).max())
        # The shape of the mistake: the newest figure's stored month is years before its end.
        assert frame["period"].max().year < newest[spec.id]
    through = dt.date(max(newest.values()), 12, 1)

    grid = client.get("/api/scorecard.json").get_json()
    cells = [(indicator, cell) for row in grid["rows"] for indicator, cell in row["cells"].items()
             if indicator in newest]
    assert cells
    for indicator, cell in cells:
        assert cell["data_through"] == f"{newest[indicator]}-12-01", (indicator, cell["data_through"])

    assert {f.source_id: f for f in freshness(snapshot_store)}[atf.SOURCE_ID].data_through == through
    assert list_vintages(snapshot_store, atf.SOURCE_ID)[-1].period_end == through
    late = overdue(snapshot_store).get(atf.SOURCE_ID)  # a yearly report is due too, after its lag
    assert late is None or late["data_through"] == through.isoformat()
    for item in client.get("/api/status.json").get_json()["overdue"]:
        if item["source_id"] == atf.SOURCE_ID:
            assert item["data_through"] == through.isoformat()

    for spec in specs:
        meta = client.get(f"/api/indicators/{spec.id}.metadata.json").get_json()
        assert max(v["months"].split("..")[1] for v in meta["vintages"]) == f"{newest[spec.id]}-12"
        with snapshot_app.server.test_request_context("/"):
            panel = components.source_panel(spec, read_series(snapshot_store, spec), "en", "")
        assert f'"{newest[spec.id]}-12"' in json.dumps(panel, cls=plotly.utils.PlotlyJSONEncoder)  # data through

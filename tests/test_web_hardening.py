"""Web hardening: inert CSV cells, no user text in file names, 400s for bad geographies, ranges
and dates, JSON 404s under /api, security headers, no third-party upload button."""

from __future__ import annotations

import pytest

from dashboard import queries


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.csv?geo=ZZ", "has no data for"),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?from=2025-06&to=2025-01", "is after to="),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?from=2025-01xyz", "is not a month"),
        ("/api/indicators/cbp_fentanyl_seizures_swb_lbs.json?as_of=2025-01-01junk", "is not a date"),
        ('/api/indicators/cbp_fentanyl_seizures_swb_lbs.csv?geo=US";%20filename="x.exe', "has no data for"),
    ],
)
def test_bad_queries_are_400s(client, url, message):
    response = client.get(url)
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_unknown_api_paths_are_json_404s(client):
    response = client.get("/api/nothing/here")
    assert response.status_code == 404 and "unknown API path" in response.get_json()["error"]


def test_security_headers_on_pages_and_api(client):
    for url in ("/", "/api/indicators"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_csv_cells_never_start_a_formula():
    import pandas as pd

    from indicators.registry import get_indicator

    frame = pd.DataFrame({"period": pd.to_datetime(["2025-01-01"]), "geo": ["US"], "value": [1.0],
                          "value_predicted": [None], "flags": ["=HYPERLINK(\"x\")"], "vintage": ["+cmd|x"],
                          "vintage_published_on": [pd.Timestamp("2025-02-01").date()]})
    table = queries.export_frame(get_indicator("cbp_fentanyl_seizures_swb_lbs"), frame)
    assert table.loc[0, "flags"] == "'=HYPERLINK(\"x\")" and table.loc[0, "vintage"] == "'+cmd|x"


def test_the_chart_has_no_upload_button(client):
    from dashboard.pages import explorer

    with client.application.test_request_context():
        layout = str(explorer.layout())
    assert "'showSendToCloud': False" in layout and "sendDataToCloud" in layout


def test_verify_refuses_a_geography_the_indicator_lacks(client):
    response = client.get("/api/verify?indicator=cbp_fentanyl_seizures_swb_lbs&event=x&geo=NOPE")
    assert response.status_code == 400 and "unknown geography 'NOPE'" in response.get_json()["error"]


def test_the_page_config_names_no_python_version_and_checks_no_version_online(client):
    import json
    import re

    page = client.get("/").get_data(as_text=True)
    config = json.loads(re.search(r'<script id="_dash-config"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert "python_version" not in config and config["disable_version_check"] is True


def test_api_routes_answer_json_503_when_the_store_is_down(tmp_path):
    from sqlalchemy import create_engine

    from dashboard.app_factory import create_app

    broken = create_app(engine=create_engine(f"sqlite:///{tmp_path}/missing/x.db"), prepare_store=False)
    client = broken.server.test_client()
    for path in ("/api/events.json", "/api/claims.json", "/api/scorecard.json"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "store cannot be read" in response.get_json()["error"] and response.headers["Retry-After"]

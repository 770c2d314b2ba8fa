"""A link whose parameters cannot all be used says so on the page (EN/ES), never silently showing
the default view; a historical view says so on the chart."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from dashboard import ids, views
from dashboard.state import ExplorerState
from indicators.registry import available_indicators


def page(app, search: str) -> str:
    """The page layout Dash Pages returns for ``/`` + ``search``, as JSON text."""
    [output] = [k for k in app.callback_map if "_pages_content.children" in k]
    body = {
        "output": output,
        "outputs": [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
                    for part in output.strip(".").split("...")],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/"},
                   {"id": "_pages_location", "property": "search", "value": search}],
        "state": [], "changedPropIds": ["_pages_location.search"],
    }
    response = app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                             content_type="application/json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def notice(app, search: str) -> str | None:
    text = page(app, search)
    if ids.URL_NOTICE not in text:
        return None
    layout = json.loads(text)["response"]["_pages_content"]["children"]

    def find(node):
        if isinstance(node, dict):
            if node.get("props", {}).get("id") == ids.URL_NOTICE:  # present, empty when all is well
                return json.dumps(node, ensure_ascii=False) if node["props"].get("children") else None
            return next((f for v in node.values() if (f := find(v))), None)
        if isinstance(node, list):
            return next((f for v in node if (f := find(v))), None)
        return None

    return find(layout)


def test_a_clean_link_has_no_notice(app):
    spec = available_indicators()[0]
    assert notice(app, f"?indicator={spec.id}&from=2024-01") is None


@pytest.mark.parametrize(("search", "says"), [
    ("?indicator=no_such_indicator", "indicator “no_such_indicator” is unknown"),
    ("?geo=ZZ", "geography “ZZ” has no data"),
    ("?as_of=2026-13-01", "as_of=“2026-13-01” is not valid"),
    ("?from=2024-1x", "from=“2024-1x” is not valid"),
    ("?events=meeting,parade", "events=“parade” is not valid"),
    ("?event=no-such-event", "event=“no-such-event” is not valid"),
    ("?method=magic", "method=“magic” is not valid"),
    ("?asof=2026-03-01", "unknown parameter(s) ignored: asof"),
])
def test_every_unusable_parameter_is_named(app, search, says):
    text = notice(app, search)
    assert text is not None and says in text, text


def test_the_notice_is_in_spanish_too(app):
    text = notice(app, "?geo=ZZ&lang=es")
    assert "Este enlace tiene parámetros que no se pudieron usar" in text
    assert "la geografía «ZZ» no tiene datos" in text


def test_a_historical_view_says_so_on_the_chart(app, snapshot_store):
    spec = available_indicators()[0]
    with app.server.app_context():
        view = views.chart_view(ExplorerState(spec.id, start=None, as_of=dt.date(2026, 3, 1), lang="es"))
        assert "Según lo publicado al 2026-03-01" in view.figure.layout.title.text
        early = views.chart_view(ExplorerState(spec.id, start=None, as_of=dt.date(2000, 1, 1)))
        assert early.frame.empty
        assert any("Nothing of this series had been published by 2000-01-01" in a.text
                   for a in early.figure.layout.annotations)


def test_every_flag_in_the_snapshot_reads_as_words_in_both_languages():
    """Flags come from the data (every vintage of the committed snapshot), not a list typed here."""
    import gzip

    import pandas as pd

    from dashboard.i18n import FLAG_LABELS, flag_text
    from etl.snapshot import SNAPSHOT_DIR

    flags = set()
    for path in SNAPSHOT_DIR.glob("*/*.csv.gz"):
        with gzip.open(path, "rt") as handle:
            column = pd.read_csv(handle, dtype=str, keep_default_na=False, usecols=["flags"])["flags"]
        flags |= {f for cell in column.unique() for f in cell.split(",") if f}
    assert flags
    for flag in flags:
        assert flag in FLAG_LABELS, flag
        for lang in ("en", "es"):
            assert FLAG_LABELS[flag][lang] and flag_text(flag, lang) == FLAG_LABELS[flag][lang], (flag, lang)
        assert "_" not in FLAG_LABELS[flag]["en"] + FLAG_LABELS[flag]["es"]  # words, not tokens
    assert flag_text("provisional,rolling_12m", "es") == "provisional (puede revisarse) · total de 12 meses"

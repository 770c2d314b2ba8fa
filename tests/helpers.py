"""Shared by the test modules (not fixtures: those are in conftest.py). A test module imports from
here, never from another test module (tests/test_layout.py checks)."""

import json
import socket
from pathlib import Path

import pytest

import settings
from etl.geography import MX_STATES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CONFIG = settings.get()
RAW_DIR = CONFIG.raw_dir
IN_CI = CONFIG.in_ci
CHROMIUM = CONFIG.chromium

# The source card of the hand-made releases the store tests publish.
TEST_ORIGIN = {"id": "test_source", "producer": "Test producer", "title": "Test title",
               "citation": "Test citation", "attribution": "Test", "url_main": "https://example.test/",
               "licence": "Public domain"}


def require(condition: bool, reason: str) -> None:
    """Skip on a laptop, fail in CI: CI must run every test."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI requires this test to run: {reason}")
        pytest.skip(reason)


def server_url() -> str | None:
    """The PostgreSQL server of a PostgreSQL run (``DATABASE_URL``), or None on SQLite."""
    url = settings.get().database_url
    return None if url.startswith("sqlite") else url


def admin(server: str, statement: str) -> None:
    """Run a statement on the server outside a transaction (CREATE/DROP DATABASE, roles)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(statement))
    engine.dispose()


# How long a browser or server test waits for a condition: a bound, never a delay. Generous, so a
# loaded machine (CI running both databases' suites at once) is slow, not failing.
WAIT = 60


def when_ready(client, url: str, timeout: float = 4 * WAIT):
    """GET ``url`` from a Flask test client until it is no longer 202 (a past date's scorecard
    computed in the background), polling every 0.2 s within ``timeout``."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        response = client.get(url)
        if response.status_code != 202 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


# --- pages rendered by the real Dash Pages callback ----------------------------------------------

def render(app, path: str, search: str) -> tuple[dict, str]:
    [output] = [k for k in app.callback_map if "_pages_content.children" in k]
    body = {"output": output,
            "outputs": [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True))
                        for p in output.strip(".").split("...")],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                       {"id": "_pages_location", "property": "search", "value": search}],
            "state": [], "changedPropIds": []}
    response = app.server.test_client().post("/_dash-update-component", data=json.dumps(body),
                                             content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    return answer["_pages_content"]["children"], answer["_pages_store"]["data"]["title"]


def texts(node) -> list[str]:
    """Every string a reader sees: children, labels, placeholders, options, titles."""
    out = []
    if isinstance(node, str):
        out.append(node)
    elif isinstance(node, list):
        for item in node:
            out += texts(item)
    elif isinstance(node, dict):
        props = node.get("props", node)
        if props.get("lang") == "en" or node.get("type") == "Code":  # marked English; file names
            return out
        for key in ("children", "label", "placeholder", "title", "start_date_placeholder_text",
                    "end_date_placeholder_text", "options"):
            if key in props:
                out += texts(props[key])
    return out


# --- the explorer's callback, as the browser sends it ---------------------------------------------

ENDPOINT = "/_dash-update-component"


def _valid() -> dict:
    """What the explorer sends for a normal view (the indicator: the first available one)."""
    from dashboard import ids
    from indicators.registry import available_indicators

    return {
        (ids.INDICATOR, "value"): available_indicators()[0].id,
        (ids.GEO, "value"): None,
        (ids.DATES, "start_date"): "2024-01-01",
        (ids.DATES, "end_date"): None,
        (ids.AS_OF, "date"): None,
        (ids.EVENT_TYPES, "value"): [],
        (ids.UNCONFIRMED, "value"): ["1"],
        (ids.ALL_EVENTS, "value"): [],
        (ids.ASSESS_EVENT, "value"): None,
        (ids.METHOD, "value"): "auto",
        (ids.LANG, "data"): "en",
        (ids.EXPLORER_URL, "search"): "",
        (ids.TRANSFORM, "value"): "level",
        (ids.BASE, "value"): None,
        (ids.LOG, "value"): [],
        (ids.COMPARE, "value"): None,
        (ids.VS, "value"): None,
        (ids.REVISION, "date"): None,
    }


def explorer_request(app) -> dict:
    """The body of the explorer's view callback for a normal view, built from the app's own
    callback map (so it follows the layout)."""
    from dashboard import ids

    [output] = [k for k in app.callback_map if f"{ids.FIGURE}.data" in k]
    declared = app.callback_map[output]
    values = _valid()

    def items(part):
        return [{"id": i["id"], "property": i["property"], "value": values[i["id"], i["property"]]}
                for i in declared[part]]

    outputs = [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True))
               for part in output.strip(".").split("...")]
    # A control changed (not the address): the state is read from the controls.
    return {"output": output, "outputs": outputs, "inputs": items("inputs"), "state": items("state"),
            "changedPropIds": [f"{ids.GEO}.value"]}


def post(client, body, raw: bool = False):
    """POST a callback body (a dict, or raw text) as the browser does."""
    return client.post(ENDPOINT, data=body if raw else json.dumps(body), content_type="application/json")


def set_value(body, key, value):
    """Set the value of the input or state ``key`` (component id, property) in a callback body."""
    for item in body["inputs"] + body["state"]:
        if (item["id"], item["property"]) == key:
            item["value"] = value
    return body


# --- colours ----------------------------------------------------------------------------------

def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- hand-written source files ------------------------------------------------------------------

CBP_HEADER = ("FY,Month (abbv),Component,Region,Land Filter,Area of Responsibility,Drug Type,"
              "Count of Event,Sum Qty (lbs)")


def cbp_csv(*rows: str, header: str = CBP_HEADER, newline: str = "\r\n") -> bytes:
    """A CBP drug-seizures file with these rows."""
    return newline.join([header, *rows, ""]).encode()


def full_window(*extra: str) -> bytes:
    """A CBP drug-seizures file with rows for every month Oct 2024 .. Dec 2025, so the release window
    has no gap."""
    rows = []
    for fy, months in ((2025, ["OCT", "NOV", "DEC", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP"]),
                       (2026, ["OCT", "NOV", "DEC"])):
        label = f"{fy} (FYTD)" if fy == 2026 else str(fy)
        for month in months:
            rows.append(f"{label},{month},U.S. Border Patrol,Southwest Border,Land Only,TUCSON SECTOR,Fentanyl,1,2.5")
    return cbp_csv(*rows, *extra)


SESNSP_MONTHS = ["Enero", "Febrero", "Marzo", "Abril", "Mayo", "Junio", "Julio", "Agosto", "Septiembre",
                 "Octubre", "Noviembre", "Diciembre"]
SESNSP_HEADER = ["Año", "Clave_Ent", "Entidad", "Bien jurídico afectado", "Tipo de delito", "Subtipo de delito",
                 "Modalidad", "Sexo", "Rango de edad", *SESNSP_MONTHS]
SESNSP_KINDS = [  # (tipo, subtipo, modalidad): what the live file has, kept and not kept
    ("Homicidio", "Homicidio doloso", "Con arma de fuego"),
    ("Homicidio", "Homicidio doloso", "Con arma blanca"),
    ("Homicidio", "Homicidio doloso", "Con otro elemento"),
    ("Homicidio", "Homicidio doloso", "No especificado"),
    ("Homicidio", "Homicidio culposo", "Con arma de fuego"),
    ("Feminicidio", "Feminicidio", "Con arma de fuego"),
    ("Feminicidio", "Feminicidio", "No especificado"),
    ("Lesiones", "Lesiones dolosas", "Con arma de fuego"),
    ("Lesiones", "Lesiones dolosas", "Con arma blanca"),
    ("Robo", "Robo de vehículo automotor", "Con violencia"),
]
SESNSP_SEXES = ["Hombre", "Mujer", "No identificado"]


def sesnsp_victims(state: int, kind: int, sex: int, month: int) -> int:
    """The victims the hand-written SESNSP file gives a state, kind, sex and month."""
    return 3 + state % 7 + kind + 2 * sex + month


def wide_file(year: int = 2025, published_months: int = 3, drop_state: str | None = None,
              modalidad: str | None = None) -> bytes:
    """A victims file in SESNSP's live shape, written by hand: cp1252, one column per month."""
    lines = [",".join(SESNSP_HEADER)]
    for s, (code, (cve, name)) in enumerate(sorted(MX_STATES.items(), key=lambda item: item[1][0])):
        if code == drop_state:
            continue
        for k, (tipo, subtipo, modo) in enumerate(SESNSP_KINDS):
            for x, sex in enumerate(SESNSP_SEXES):
                cells = [str(sesnsp_victims(s, k, x, m)) if m < published_months else "" for m in range(12)]
                lines.append(",".join([str(year), str(int(cve)), f'"{name}"', "La vida y la Integridad corporal",
                                       tipo, subtipo, modalidad or modo, sex, "Adultos (18 y más)", *cells]))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


# --- what a person sees --------------------------------------------------------------------------

def overlapping(boxes: list[dict], tolerance: float = 1.0) -> list[tuple[str, str]]:
    """The texts of the pairs of boxes (``left``, ``right``, ``top``, ``bottom``, ``text``) that
    share more than ``tolerance`` pixels each way."""
    pairs = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            width = min(a["right"], b["right"]) - max(a["left"], b["left"])
            height = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if width > tolerance and height > tolerance:
                pairs.append((a["text"], b["text"]))
    return pairs

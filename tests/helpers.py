"""Shared by the test modules (not fixtures: those are in conftest.py)."""

import json
import socket

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

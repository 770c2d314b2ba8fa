"""Shared by the test modules (not fixtures: those are in conftest.py)."""

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

"""A renderer whose browser stops answering: the export waits a bounded time, drops that renderer
(its browser closed), starts a new one and tries once more; a second silence is a clear
'unavailable' error, not a hang. The browser is a stand-in for kaleido's public ``Kaleido``."""

from __future__ import annotations

import asyncio
import time
import types

import kaleido
import plotly.graph_objects as go
import pytest

from dashboard import exports

BROWSER = "/opt/stand-in/chromium"


@pytest.fixture
def renderer(monkeypatch):
    """``kaleido.Kaleido`` replaced by a stand-in for the test; ``answers`` says, call by call,
    whether its browser answers; ``browsers`` are the stand-ins started, in order."""
    state = types.SimpleNamespace(answers=[], calls=[], browsers=[])

    class Browser:
        def __init__(self, **options) -> None:
            self.options, self.opened, self.closed = options, False, False
            state.browsers.append(self)

        async def open(self) -> None:
            self.opened = True

        async def calc_fig(self, figure, opts):
            state.calls.append(opts)
            if not state.answers.pop(0):
                await asyncio.sleep(30)  # a browser that never answers (the call is cancelled)
            return b"image"

        async def close(self) -> None:
            self.closed = True

    exports.forget_renderer()  # none started before this test is used
    monkeypatch.setattr(exports, "RENDER_TIMEOUT", 0.3)
    monkeypatch.setattr(kaleido, "Kaleido", Browser)
    monkeypatch.setattr(exports, "_browser_path", lambda: BROWSER)  # no Chromium needed
    yield state
    exports.forget_renderer()


def _closed(browser, within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while not browser.closed and time.monotonic() < deadline:
        time.sleep(0.02)
    return browser.closed


def test_one_browser_serves_every_image(renderer):
    renderer.answers = [True, True, True]
    for _ in renderer.answers[:]:
        assert exports.render(go.Figure(), "png") == b"image"
    [browser] = renderer.browsers
    assert browser.opened and not browser.closed and exports.renderer_running()
    assert browser.options["path"] == BROWSER


def test_a_hung_renderer_is_replaced_and_the_image_still_made(renderer):
    renderer.answers = [False, True]
    assert exports.render(go.Figure(), "png") == b"image"
    assert len(renderer.calls) == 2
    hung, fresh = renderer.browsers
    assert _closed(hung)  # the hung browser is closed, not left running
    assert fresh.opened and not fresh.closed


def test_a_renderer_silent_twice_is_a_clear_error(renderer):
    renderer.answers = [False, False]
    with pytest.raises(exports.ExportUnavailable, match="did not answer"):
        exports.render(go.Figure(), "png")
    assert len(renderer.calls) == 2
    assert all(_closed(browser) for browser in renderer.browsers)
    assert not exports.renderer_running()  # the next image starts a new renderer

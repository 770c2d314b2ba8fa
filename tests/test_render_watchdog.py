"""A renderer whose browser stops answering: the export waits a bounded time, starts a new
renderer and tries once more; a second silence is a clear 'unavailable' error, not a hang."""

from __future__ import annotations

import threading
import types

import kaleido
import plotly.graph_objects as go
import pytest
from kaleido import _sync_server

from dashboard import exports


@pytest.fixture
def renderer(monkeypatch):
    """kaleido's module-level server replaced by a stand-in for the test (restored after it);
    ``answers`` says, call by call, whether the renderer answers."""
    calls, release = [], threading.Event()
    state = types.SimpleNamespace(answers=[], calls=calls)

    def calc_fig_sync(figure, opts):
        calls.append(opts)
        if not state.answers.pop(0):
            release.wait(30)  # a browser that never answers (released at teardown)
        return b"image"

    monkeypatch.setattr(exports, "RENDER_TIMEOUT", 0.3)
    monkeypatch.setattr(exports, "_ensure_server", lambda: None)
    monkeypatch.setattr(kaleido, "calc_fig_sync", calc_fig_sync)
    monkeypatch.setattr(kaleido, "_global_server", types.SimpleNamespace(_initialized=True))
    monkeypatch.setattr(_sync_server.GlobalKaleidoServer, "_instance", None)
    yield state
    release.set()


def test_a_hung_renderer_is_replaced_and_the_image_still_made(renderer):
    renderer.answers = [False, True]
    hung = kaleido._global_server
    assert exports.render(go.Figure(), "png") == b"image"
    assert len(renderer.calls) == 2
    assert hung._initialized is False  # its exit hook will not wait for it
    assert kaleido._global_server is not hung  # the next image starts a fresh server


def test_a_renderer_silent_twice_is_a_clear_error(renderer):
    renderer.answers = [False, False]
    with pytest.raises(exports.ExportUnavailable, match="did not answer"):
        exports.render(go.Figure(), "png")
    assert len(renderer.calls) == 2

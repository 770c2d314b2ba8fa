"""The floor the serving benchmark compares the explorer with: a bare Dash app whose one callback
returns a figure of the explorer's size (150 points, 35 shapes) for the address it is given.

Served by the same gunicorn as the real app: ``gunicorn bench.floor_app:server``. Nothing here is
used by Verifica itself.
"""

from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

POINTS, SHAPES = 150, 35

app = dash.Dash(__name__)
app.layout = html.Div([dcc.Location(id="url"), dcc.Graph(id="chart")])
server = app.server


@app.callback(Output("chart", "figure"), Input("url", "search"))
def chart(search):
    """The same figure for every address, built as plain dicts (no plotly validation): what is
    left is Dash's own work (parse the request, serialise the answer) and the figure's size."""
    seed = len(search or "")
    x = [f"{2019 + m // 12}-{m % 12 + 1:02d}-01" for m in range(POINTS)]
    y = [1000 + ((m * 37 + seed) % 101) for m in range(POINTS)]
    shapes = [{"type": "line", "xref": "x", "yref": "paper", "x0": x[i * 4], "x1": x[i * 4], "y0": 0, "y1": 1,
               "line": {"dash": "dash", "width": 1, "color": "#555"}} for i in range(SHAPES)]
    return {"data": [{"type": "scatter", "mode": "lines", "x": x, "y": y, "name": "series"}],
            "layout": {"shapes": shapes, "title": {"text": "floor"}, "height": 480}}

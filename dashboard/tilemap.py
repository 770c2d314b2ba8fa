"""A map of states as a tile grid: one equal square per state, placed roughly where it lies.

Drawn as a plotly heatmap, so it needs no map tiles or boundary files from the network (the app
and its static exports run offline), and small states are as readable as large ones.
"""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard.i18n import t
from indicators.catalogue import geo_name
from indicators.explain import number, separators

# (row, column) from the top-left; the common newsroom layout of the 50 states and DC.
US_GRID = {
    "AK": (0, 0), "ME": (0, 11),
    "VT": (1, 10), "NH": (1, 11),
    "WA": (2, 1), "ID": (2, 2), "MT": (2, 3), "ND": (2, 4), "MN": (2, 5), "IL": (2, 6), "WI": (2, 7),
    "MI": (2, 8), "NY": (2, 9), "RI": (2, 10), "MA": (2, 11),
    "OR": (3, 1), "NV": (3, 2), "WY": (3, 3), "SD": (3, 4), "IA": (3, 5), "IN": (3, 6), "OH": (3, 7),
    "PA": (3, 8), "NJ": (3, 9), "CT": (3, 10),
    "CA": (4, 1), "UT": (4, 2), "CO": (4, 3), "NE": (4, 4), "MO": (4, 5), "KY": (4, 6), "WV": (4, 7),
    "VA": (4, 8), "MD": (4, 9), "DE": (4, 10),
    "AZ": (5, 2), "NM": (5, 3), "KS": (5, 4), "AR": (5, 5), "TN": (5, 6), "NC": (5, 7), "SC": (5, 8),
    "DC": (5, 9),
    "OK": (6, 4), "LA": (6, 5), "MS": (6, 6), "AL": (6, 7), "GA": (6, 8),
    "HI": (7, 0), "TX": (7, 4), "FL": (7, 9),
}

# The 32 Mexican states, north-west to south-east.
MX_GRID = {
    "MX-BCN": (0, 0), "MX-SON": (0, 1), "MX-CHH": (0, 2), "MX-COA": (0, 3), "MX-NLE": (0, 4),
    "MX-BCS": (1, 0), "MX-SIN": (1, 1), "MX-DUR": (1, 2), "MX-ZAC": (1, 3), "MX-TAM": (1, 4),
    "MX-NAY": (2, 1), "MX-AGU": (2, 2), "MX-SLP": (2, 3), "MX-VER": (2, 5),
    "MX-JAL": (3, 1), "MX-GUA": (3, 2), "MX-QUE": (3, 3), "MX-HID": (3, 4), "MX-PUE": (3, 5),
    "MX-COL": (4, 1), "MX-MIC": (4, 2), "MX-MEX": (4, 3), "MX-CMX": (4, 4), "MX-TLA": (4, 5),
    "MX-TAB": (4, 6), "MX-CAM": (4, 7), "MX-YUC": (4, 8),
    "MX-GRO": (5, 2), "MX-MOR": (5, 3), "MX-OAX": (5, 4), "MX-CHP": (5, 5), "MX-ROO": (5, 8),
}


def grid_for(geos: list[str]) -> dict[str, tuple[int, int]] | None:
    """The grid whose states the geographies are (at least ten of them), or None."""
    for grid in (US_GRID, MX_GRID):
        if len(set(geos) & set(grid)) >= 10:
            return grid
    return None


def tile_map(values: dict[str, float | None], *, source_id: str, lang: str, unit: str, title: str,
             selected: str | None = None) -> go.Figure:
    """Each state a square coloured by its value (grey and "no value" when it has none); the
    state abbreviation on the square, the name, value and unit on hover; ``selected`` outlined.
    Clicking a square sends its code as ``customdata``."""
    grid = grid_for(list(values)) or US_GRID
    rows = 1 + max(r for r, _ in grid.values())
    cols = 1 + max(c for _, c in grid.values())
    z = [[None] * cols for _ in range(rows)]
    text = [[""] * cols for _ in range(rows)]
    hover = [[""] * cols for _ in range(rows)]
    codes = [[""] * cols for _ in range(rows)]
    for geo, (r, c) in grid.items():
        value = values.get(geo)
        z[r][c] = value
        text[r][c] = geo.split("-")[-1]
        codes[r][c] = geo
        shown = t("map_no_value", lang) if value is None else f"{number(value, lang)} {unit}"
        hover[r][c] = f"{geo_name(geo, lang, source_id)}: {shown}"
    figure = go.Figure(go.Heatmap(
        z=z, text=text, texttemplate="%{text}", hovertext=hover, hoverinfo="text", customdata=codes,
        colorscale="Blues", xgap=3, ygap=3, colorbar={"title": {"text": unit}, "thickness": 12},
    ))
    # States with no value: a grey square under the transparent cell.
    missing = [(r, c) for geo, (r, c) in grid.items() if values.get(geo) is None]
    figure.add_trace(go.Scatter(
        x=[c for _, c in missing], y=[r for r, _ in missing], mode="markers+text",
        marker={"symbol": "square", "size": 26, "color": "#d0d7de"},
        text=[text[r][c] for r, c in missing], hovertext=[hover[r][c] for r, c in missing], hoverinfo="text",
        showlegend=False, name=t("map_no_value", lang),
    ))
    if selected in grid:
        r, c = grid[selected]
        figure.add_shape(type="rect", x0=c - 0.5, x1=c + 0.5, y0=r - 0.5, y1=r + 0.5,
                         line={"color": "#d1495b", "width": 3})
    figure.update_layout(
        title={"text": title, "x": 0.01}, template="plotly_white", height=420,
        xaxis={"visible": False, "range": [-0.6, cols - 0.4]},
        yaxis={"visible": False, "autorange": "reversed", "scaleanchor": "x"},
        margin={"l": 10, "r": 10, "t": 50, "b": 10}, separators=separators(lang),
    )
    return figure

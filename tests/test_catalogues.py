"""The interface's words are gettext catalogues (``locale/``): every key the code names has a text in
every language, none is left over, each keeps the English placeholders, the template is what
``pybabel extract`` finds in the code today, and a language is added by a catalogue alone (a
pseudo-locale made here is served without any Python change)."""

from __future__ import annotations

import os
import re
import shutil
import string
import subprocess
import sys
from pathlib import Path

import dash
import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

import catalogues
import settings
from tests.helpers import render, texts

LOCALE = settings.PROJECT_ROOT / "locale"
TEMPLATE = LOCALE / "messages.pot"


def _read(path: Path) -> Catalog:
    with open(path, "rb") as handle:
        return read_po(handle)


def _entries(catalogue: Catalog) -> dict[tuple[str | None, str], str]:
    return {(m.context, m.id): m.string for m in catalogue if m.id}


def _catalogue_files() -> dict[str, Path]:
    return {path.parent.parent.name: path for path in sorted(LOCALE.glob("*/LC_MESSAGES/messages.po"))}


def _fields(text: str) -> list[tuple[str, str]]:
    """The placeholders of a format string, with their format specs: [("n", ""), ("factor", ".2f")]."""
    return sorted((name, spec or "") for _literal, name, spec, _conv in string.Formatter().parse(text)
                  if name is not None)


def test_every_key_has_a_text_in_every_language_and_no_catalogue_has_a_stale_one():
    keys = set(_entries(_read(TEMPLATE)))
    files = _catalogue_files()
    assert keys and {"en", "es"} <= set(files)
    for lang, path in files.items():
        catalogue = _read(path)
        entries = _entries(catalogue)
        assert sorted(keys - set(entries), key=str) == [], f"{lang}: keys without a text"
        assert sorted(set(entries) - keys, key=str) == [], f"{lang}: keys no code names (stale)"
        assert [key for key, text in entries.items() if not text.strip()] == [], f"{lang}: empty texts"
        assert [m.id for m in catalogue if m.id and m.fuzzy] == [], f"{lang}: fuzzy texts"
        assert catalogue.locale is not None, f"{lang}: no Language header (the locale of its numbers)"


def test_each_translation_keeps_the_english_placeholders():
    english = _entries(_read(_catalogue_files()["en"]))
    for lang, path in _catalogue_files().items():
        mismatched = [(key, _fields(english[key]), _fields(text)) for key, text in _entries(_read(path)).items()
                      if key in english and _fields(text) != _fields(english[key])]
        assert mismatched == [], (lang, mismatched)


def test_the_template_lists_exactly_the_keys_the_code_names(tmp_path):
    """``scripts/extract-messages`` (pybabel extract) run now writes the committed template."""
    fresh = tmp_path / "messages.pot"
    done = subprocess.run(["bash", str(settings.PROJECT_ROOT / "scripts" / "extract-messages"), str(fresh)],
                          capture_output=True, text=True, env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(_entries(_read(fresh)), key=str) == sorted(_entries(_read(TEMPLATE)), key=str)
    assert fresh.read_text(encoding="utf-8") == TEMPLATE.read_text(encoding="utf-8")


def test_the_languages_are_the_catalogues_present_and_a_setting_may_keep_fewer(monkeypatch):
    present = sorted(_catalogue_files())
    try:
        catalogues.reload()
        assert sorted(catalogues.languages()) == present and catalogues.languages()[0] == "en"
        assert catalogues.locale("es") == str(_read(_catalogue_files()["es"]).locale)
        monkeypatch.setenv("VERIFICA_LANGUAGES", "en")
        catalogues.reload()
        assert catalogues.languages() == ["en"] and catalogues.normalise("es") == "en"
        monkeypatch.setenv("VERIFICA_LANGUAGES", "en,zz")
        catalogues.reload()
        with pytest.raises(settings.SettingsError, match="no catalogue for zz"):
            catalogues.languages()
    finally:
        monkeypatch.undo()
        catalogues.reload()


# --- a pseudo-locale: adding a language is adding a catalogue ------------------------------------

PSEUDO = "xx"
_ACCENTS = str.maketrans("aeiouycnsAEIOUYCNS", "áéíóúýçñšÁÉÍÓÚÝÇÑŠ")
_FIELD = re.compile(r"(\{[^{}]*\})")


def pseudo(text: str) -> str:
    """"Latest release {n}" → "⟦Láté št réléášé {n}⟧": each letter marked, placeholders kept."""
    return "⟦" + "".join(part if _FIELD.fullmatch(part) else part.translate(_ACCENTS)
                         for part in _FIELD.split(text)) + "⟧"


@pytest.fixture
def pseudo_locale(tmp_path, monkeypatch):
    """The shipped catalogues plus ``xx``: every English text made pseudo (numbers as in en_US)."""
    for lang, path in _catalogue_files().items():
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(path, tmp_path / lang / "LC_MESSAGES" / "messages.po")
    made = Catalog(locale="en_US", domain="messages")
    for (context, key), text in _entries(_read(_catalogue_files()["en"])).items():
        made.add(key, pseudo(text), context=context)
    (tmp_path / PSEUDO / "LC_MESSAGES").mkdir(parents=True)
    with open(tmp_path / PSEUDO / "LC_MESSAGES" / "messages.po", "wb") as handle:
        write_po(handle, made)
    monkeypatch.setenv("VERIFICA_LOCALE_DIR", str(tmp_path))
    catalogues.reload()
    try:
        yield tmp_path
    finally:
        monkeypatch.undo()
        catalogues.reload()


def english_words() -> set[str]:
    """The English interface texts (format fields cut at the first one), long enough to tell."""
    heads = {text.split("{")[0].strip(" :.(") for text in _entries(_read(_catalogue_files()["en"])).values()}
    return {head for head in heads if len(head) >= 6}


def curated_english() -> str:
    """The curated data texts that fall back to English in a language they lack (indicator
    definitions, the YAML files of data/: timeline, commitments, claims; source titles, the names
    of geographies): not the interface's words."""
    from etl.common import load_origin
    from etl.geography import SPECIAL_GEOS
    from etl.sources import SOURCES
    from indicators.registry import INDICATORS

    parts = [str(value) for spec in INDICATORS.values() for value in vars(spec).values()]
    parts += [path.read_text(encoding="utf-8") for path in sorted((settings.PROJECT_ROOT / "data").glob("*.yaml"))]
    parts += [str(load_origin(source)) for source in SOURCES]
    parts += [str(SPECIAL_GEOS)]
    return "\n".join(parts)


def hrefs(node) -> list[str]:
    """Every link's address but the language switch's (which leads to the other languages)."""
    if isinstance(node, list):
        return [href for item in node for href in hrefs(item)]
    if isinstance(node, dict):
        props = node.get("props", {})
        own = [props["href"]] if isinstance(props.get("href"), str) and props.get("className") != "language" else []
        return own + [href for value in props.values() for href in hrefs(value)]
    return []


def test_a_pseudo_locale_catalogue_translates_every_page_without_python(pseudo_locale, snapshot_app):
    import datetime as dt

    from babel.dates import format_date

    from indicators import explain

    assert PSEUDO in catalogues.languages()
    # Its numbers and dates in the locale of its Language header (en_US here), its words its own.
    day = dt.date(2025, 9, 3)
    assert explain.number(-1234.5, PSEUDO) == explain.number(-1234.5, "en") == "−1,234"
    assert explain.percent(0.125, PSEUDO) == pseudo(catalogues.gettext("percent_format", "en")).format(value="+12.5")
    assert explain.month_name(day, PSEUDO) == "September 2025"
    assert format_date(day, "MMM yyyy", locale=explain.date_locale(PSEUDO)) == "Sep 2025"
    snapshot_app.server.test_client().get("/")  # registers the pages' callbacks
    curated = curated_english()
    words = {word for word in english_words() if word not in curated}
    paths = sorted(page["path"] for page in dash.page_registry.values())
    assert paths
    for path in paths:
        layout, title = render(snapshot_app, path, f"?lang={PSEUDO}")
        seen = texts(layout)
        joined = " \n ".join([*seen, title])
        leaks = sorted(word for word in words if word in joined)
        assert leaks == [], (path, leaks)
        assert title.startswith("Verifica — ⟦"), (path, title)
        assert sum("⟦" in text for text in seen) >= 3, path
        unkept = sorted({href for href in hrefs(layout) if href.startswith("/") and not href.startswith("/api/")
                         and f"lang={PSEUDO}" not in href})
        assert unkept == [], (path, unkept)  # every link to a page stays in the language
    # The other languages are offered by their own names; the same check finds English on an
    # English page (it can fail).
    from dashboard.components import language_links

    offered = {link.lang: (link.children, link.href) for link in language_links(PSEUDO, "/claims", "?q=x")}
    assert offered == {other: (catalogues.gettext("language_name", other),
                               "/claims?q=x" + ("" if other == "en" else f"&lang={other}"))
                       for other in catalogues.languages() if other != PSEUDO}
    english, _title = render(snapshot_app, "/", "")
    assert any(word in " ".join(texts(english)) for word in words)


def test_curated_pairs_may_carry_a_further_language():
    """A new language's curated texts (timeline, commitments, claims, regime changes) are a YAML field
    beside en and es."""
    import jsonschema

    from etl import timeline
    from indicators import commitments, period_claims, regimes

    for schema in (timeline._BILINGUAL, commitments._BILINGUAL, period_claims._BILINGUAL,
                   regimes.SCHEMA["items"]["properties"]["label"]):
        jsonschema.validate({"en": "The meeting", "es": "La reunión", PSEUDO: pseudo("The meeting")}, schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"en": "The meeting", "es": "La reunión", "French": "La réunion"}, schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"en": "The meeting"}, schema)


def test_with_three_languages_every_language_link_follows_the_explorer_view(pseudo_locale, snapshot_app):
    """A control change writes a new address; each other language's link (two of them with a
    third catalogue) leads to that view, not only the first one's."""
    from urllib.parse import parse_qs, urlsplit

    from dashboard import ids
    from tests.helpers import explorer_request, post, set_value

    client = snapshot_app.server.test_client()
    client.get("/")  # registers the pages' callbacks
    body = set_value(explorer_request(snapshot_app), (ids.LANG, "data"), PSEUDO)
    response = post(client, body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()["response"]
    address = parse_qs(answer[ids.EXPLORER_URL]["search"].lstrip("?"))
    assert address["lang"] == [PSEUDO] and address.get("from")  # the view the controls chose
    links = answer[ids.LANGUAGE_LINKS]["children"]
    offered = sorted(link["props"]["lang"] for link in links)
    assert offered == sorted(lang for lang in catalogues.languages() if lang != PSEUDO) and len(offered) >= 2
    for link in links:
        href = urlsplit(link["props"]["href"])
        params = parse_qs(href.query)
        assert href.path == "/" and params.pop("lang", ["en"]) == [link["props"]["lang"]], link["props"]
        assert params == {key: value for key, value in address.items() if key != "lang"}, link["props"]

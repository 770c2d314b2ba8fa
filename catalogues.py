"""The interface's words, one gettext catalogue per language: ``locale/<lang>/LC_MESSAGES/messages.po``.

A message is looked up by the stable key the code names (``t("nav_explorer", lang)``,
``Message("verdict_improved")``); English is a catalogue like any other. The languages are the
catalogues present, English first (``VERIFICA_LANGUAGES`` may keep fewer): adding one is adding its
``.po``, no Python. Each catalogue's ``Language`` header (``es_MX``) is also the CLDR locale its
numbers and dates are written in.

The ``.po`` files are read with Babel once per process, when a message is first asked for: no
compiled ``.mo`` files to keep in step with them (bench/bench_catalogues.py measures the reading).
``locale/messages.pot`` lists every key; ``scripts/extract-messages`` rebuilds it from the code
with ``pybabel extract`` and :func:`extract_keys` (a test checks it is current).
"""

from __future__ import annotations

import ast
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

import settings

log = logging.getLogger(__name__)

DEFAULT = "en"  # the language of the recorded data texts, and the fallback of an unknown one
DOMAIN = "messages"


@dataclass(frozen=True)
class _Catalogues:
    languages: tuple[str, ...]
    texts: dict[str, dict[tuple[str | None, str], str]]  # lang → (context, key) → text
    locales: dict[str, str]  # lang → CLDR locale


_lock = threading.Lock()
_loaded: _Catalogues | None = None


def _read(directory: Path, wanted: tuple[str, ...]) -> _Catalogues:
    found = sorted(p.parent.parent.name for p in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if DEFAULT not in found:
        raise FileNotFoundError(f"no {DEFAULT} catalogue in {directory} (locale/{DEFAULT}/LC_MESSAGES/{DOMAIN}.po)")
    unknown = [lang for lang in wanted if lang not in found]
    if unknown:
        raise settings.SettingsError(f"VERIFICA_LANGUAGES: no catalogue for {', '.join(unknown)} in {directory}")
    languages = tuple([DEFAULT, *sorted(lang for lang in (wanted or found) if lang != DEFAULT)])
    texts, locales = {}, {}
    for lang in languages:
        with open(directory / lang / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as handle:
            catalogue = read_po(handle, domain=DOMAIN)
        texts[lang] = {(message.context, message.id): message.string for message in catalogue
                       if message.id and message.string and not message.fuzzy}
        locales[lang] = str(catalogue.locale) if catalogue.locale else "en_US"
    log.debug("catalogues read from %s: %s", directory, ", ".join(languages))
    return _Catalogues(languages, texts, locales)


def _catalogues() -> _Catalogues:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                chosen = settings.get()
                _loaded = _read(chosen.locale_dir, chosen.languages)
    return _loaded


def reload() -> None:
    """Read the catalogues again on the next look-up (after a change of ``VERIFICA_LOCALE_DIR``)."""
    global _loaded
    with _lock:
        _loaded = None


def languages() -> list[str]:
    """The interface languages, English first."""
    return list(_catalogues().languages)


def normalise(lang: str | None) -> str:
    return lang if lang in _catalogues().languages else DEFAULT


def locale(lang: str) -> str:
    """The CLDR locale numbers and dates are written in (the catalogue's ``Language`` header)."""
    return _catalogues().locales.get(lang, _catalogues().locales[DEFAULT])


def gettext(key: str, lang: str, context: str | None = None) -> str:
    """The text of ``key`` in ``lang``, else in English; a key no catalogue has is a KeyError."""
    texts = _catalogues().texts
    found = texts.get(lang, {}).get((context, key))
    if found is None:
        found = texts[DEFAULT][(context, key)]
    return found


def has(key: str, context: str | None = None) -> bool:
    return (context, key) in _catalogues().texts[DEFAULT]


def keys(context: str | None = None) -> list[str]:
    """Every key of the English catalogue (in a context, or none)."""
    return [key for ctx, key in _catalogues().texts[DEFAULT] if ctx == context]


def N_(key: str) -> str:
    """gettext's "mark for extraction, translate later": the key itself."""
    return key


def NC_(context: str, key: str) -> str:
    """``N_`` in a context (``pgettext``'s)."""
    return key


class Message(Mapping[str, str]):
    """One message as a read-only ``{lang: text}`` mapping over the languages, read from the
    catalogues when asked: for code written against ``{"en": ..., "es": ...}`` pairs."""

    __slots__ = ("context", "key")

    def __init__(self, key: str, context: str | None = None) -> None:
        self.key, self.context = key, context

    def __getitem__(self, lang: str) -> str:
        if lang not in _catalogues().languages:
            raise KeyError(lang)
        return gettext(self.key, lang, self.context)

    def __iter__(self) -> Iterator[str]:
        return iter(_catalogues().languages)

    def __len__(self) -> int:
        return len(_catalogues().languages)

    def __repr__(self) -> str:
        return f"Message({self.key!r})"

    def text(self, lang: str) -> str:
        """In ``lang``, else in English (where ``[lang]`` is a KeyError)."""
        return gettext(self.key, lang, self.context)

    def as_dict(self) -> dict[str, str]:
        """Plain ``{lang: text}`` (for JSON and caches)."""
        return dict(self.items())


# --- pybabel extract -----------------------------------------------------------------------------

def extract_keys(fileobj, keywords, comment_tags, options) -> Iterator[tuple]:
    """Babel extraction method (babel.cfg): every call of a keyword function (``t``, ``N_``,
    ``Message``, ``NC_``) whose arguments are string literals. A key built at run time
    (``t("type_" + kind, lang)``) is not one: such keys are marked with ``N_`` where the code
    lists them."""
    tree = ast.parse(fileobj.read().decode(options.get("encoding", "utf-8")))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name not in keywords or not node.args:
            continue
        values = tuple(arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
                       for arg in node.args)
        if values[0] is None:
            continue
        yield node.lineno, name, values if len(values) > 1 else values[0], []

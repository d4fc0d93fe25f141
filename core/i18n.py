"""The translation catalogues: compiled (.po -> .mo) when they change, so
that neither a developer nor a deploy can forget the step; read once per
request by the templates' _() and ngettext(); and checked against the
strings of the code (interface_strings, missing_english)."""
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_catalogues(directories: list[str]) -> None:
    for directory in directories:
        for po_path in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as handle:
                catalogue = read_po(handle)
            # Write then rename: several app servers may start at once.
            fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
            with os.fdopen(fd, "wb") as handle:
                write_mo(handle, catalogue)
            os.replace(tmp, mo_path)


def install_template_gettext(app) -> None:
    """The templates' _(), gettext() and ngettext() through the request's
    catalogue, looked up once. Flask-Babel's callables look it up again for
    every string (the context, the domain, the locale, the cache key), and
    Jinja's i18n extension reaches them through three calls (its `_` alias,
    its newstyle wrapper, the callable): ~10 µs a word, and the directory's
    fragment says a dozen. Jinja's newstyle rule is kept: the translation is
    a format string, its values escaped when the template autoescapes. A
    locale changed within the request (force_locale) is another catalogue."""
    from flask import g, has_app_context
    from flask_babel import get_locale, get_translations
    from jinja2 import pass_eval_context
    from markupsafe import Markup

    def catalogue():
        if not has_app_context():
            return get_translations()
        locale = get_locale()
        held = g.get("_catalogue")
        if held is None or held[0] is not locale:
            held = g._catalogue = (locale, get_translations())
        return held[1]

    @pass_eval_context
    def gettext(eval_ctx, string: str, /, **variables):
        text = catalogue().ugettext(string)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, /, **variables):
        variables.setdefault("num", num)
        text = catalogue().ungettext(singular, plural, num)
        return (Markup(text) if eval_ctx.autoescape else text) % variables

    app.jinja_env.install_gettext_callables(  # the p- forms, and the extension's own state
        gettext=lambda string: catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: catalogue().unpgettext(context, singular, plural, n),
        newstyle=True)
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)


ROOT = Path(__file__).resolve().parent.parent
ENGLISH_CATALOGUE = ROOT / "translations/en/LC_MESSAGES/messages.po"
# Source trees scanned for interface strings (msgids are French, the first language).
_SOURCES = ["*.py", "blueprints/**/*.py", "core/**/*.py", "demo/**/*.py", "templates/**/*.html"]


def interface_messages():
    """(message, where) for every string of the code and the templates: the
    msgid, or (singular, plural) for an ngettext; where is "path:line"."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
    for pattern in _SOURCES:
        for path in ROOT.glob(pattern):
            if ".venv" in path.parts or "tests" in path.parts:
                continue
            method = "jinja2" if path.suffix == ".html" else "python"
            for lineno, message, _comments, _context in extract_from_file(method, str(path), keywords=keywords):
                yield message, f"{path.relative_to(ROOT)}:{lineno}"


def interface_strings() -> set[str]:
    """Every msgid used by the code and the templates."""
    return {message if isinstance(message, str) else message[0] for message, _where in interface_messages()}


def english_catalogue() -> dict[str, str]:
    """msgid -> English text, from the one catalogue."""
    merged: dict[str, str] = {}
    for po_path in [ENGLISH_CATALOGUE]:
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    text = message.string if isinstance(message.string, str) else (message.string or [""])[0]
                    if text:
                        merged[key] = text
    return merged


def missing_english() -> list[str]:
    catalogue = english_catalogue()
    return sorted(msgid for msgid in interface_strings() if msgid not in catalogue)


if __name__ == "__main__":
    # python core/i18n.py -> the strings that still need an English translation
    for msgid in missing_english():
        print(msgid)

"""One apostrophe across the interface (issue 14): the typographic ’, never '.

Rewrites, in place and idempotently:
- every msgid/msgstr of the .po catalogues;
- the string literals inside gettext calls (_, _l, gettext, ngettext,
  lazy_gettext, lazy_ngettext, pgettext) of the Python code and the templates;
- with --tests, the string literals of tests/ that quote an interface string.

Run it after merging branches that add strings with ':
    .venv/bin/python scripts/typographic_apostrophes.py --tests
tests/unit/test_catalogue_typography.py fails until it has been run.
"""
from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CALLS = {"_", "_l", "gettext", "ngettext", "lazy_gettext", "lazy_ngettext", "pgettext", "npgettext"}
TYPO = "’"


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("translations/*/LC_MESSAGES/*.po"))


def sources(pattern: str) -> list[Path]:
    return sorted(p for p in ROOT.glob(pattern) if ".venv" not in p.parts)


# --- .po files -------------------------------------------------------------------------------

_PO_TEXT = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?|msgctxt)?(\s*)"(.*)"\s*$')


def fix_po(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        match = _PO_TEXT.match(line.rstrip("\n"))
        if match and not line.startswith("#"):
            line = line.replace("'", TYPO)
        out.append(line)
    return "".join(out)


# --- string literals -------------------------------------------------------------------------

def _fix_literal(literal: str) -> str:
    """A Python or Jinja string literal (quotes included), its apostrophes typographic."""
    prefix = re.match(r"^[rRbBuUfF]*", literal).group(0)
    body = literal[len(prefix):]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[0]
    inner = body[len(quote):-len(quote)]
    if quote.startswith("'"):
        inner = inner.replace("\\'", TYPO)
    else:
        inner = inner.replace("\\'", TYPO).replace("'", TYPO)
    return prefix + quote + inner + quote


def fix_python(text: str, wanted=None) -> str:
    """Literals inside a gettext call (or, with `wanted`, any literal it accepts)."""
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    depth_stack: list[bool] = []  # for each open paren: inside a gettext call?
    previous = None
    for token in tokens:
        if token.type == tokenize.OP and token.string in "([{":
            opens_call = token.string == "(" and previous is not None and previous.type == tokenize.NAME \
                and previous.string in CALLS
            depth_stack.append(opens_call or (bool(depth_stack) and depth_stack[-1]))
        elif token.type == tokenize.OP and token.string in ")]}":
            if depth_stack:
                depth_stack.pop()
        elif token.type == tokenize.STRING and "'" in token.string[1:-1]:
            inside = bool(depth_stack) and depth_stack[-1]
            if (wanted is None and inside) or (wanted is not None and wanted(token.string)):
                start = offsets[token.start[0] - 1] + token.start[1]
                end = offsets[token.end[0] - 1] + token.end[1]
                edits.append((start, end, _fix_literal(token.string)))
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
            previous = token
    for start, end, new in reversed(edits):
        text = text[:start] + new + text[end:]
    return text


_CALL = re.compile(r"(?<![\w.])(" + "|".join(sorted(CALLS, key=len, reverse=True)) + r")\(")


def fix_template(text: str) -> str:
    """Literals inside gettext calls of a Jinja template (a small scanner: strings, nested parens)."""
    out, position = [], 0
    for match in _CALL.finditer(text):
        if match.start() < position:
            continue
        out.append(text[position:match.end()])
        index, depth = match.end(), 1
        while index < len(text) and depth:
            char = text[index]
            if char in "\"'":
                end = index + 1
                while end < len(text) and text[end] != char:
                    end += 2 if text[end] == "\\" else 1
                out.append(_fix_literal(text[index:end + 1]))
                index = end + 1
                continue
            depth += char == "("
            depth -= char == ")"
            out.append(char)
            index += 1
        position = index
    out.append(text[position:])
    return "".join(out)


def interface_texts() -> list[str]:
    from babel.messages.pofile import read_po
    texts = []
    for path in catalogues():
        with path.open("rb") as handle:
            for message in read_po(handle):
                for value in (message.id, message.string):
                    texts.extend([value] if isinstance(value, str) else list(value or ()))
    return [t for t in texts if t]


def fix_tests(text: str, known: str) -> str:
    """A test's literals that quote an interface string (with ' for ’)."""
    def wanted(literal: str) -> bool:
        try:
            import ast
            value = ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            return False
        if not isinstance(value, str) or ("'" not in value and "&#39;" not in value):
            return False
        value = value.replace("&#39;", "'")  # as the HTML escaped it
        # Only apostrophes of words (l'article, customer's): never a lone quote
        # or the one that neutralises a CSV cell ('+336…, '=…).
        if not re.fullmatch(r"(?:[^']|(?<=\w)'(?=\w)|(?<=s)'(?=\s))*", value):
            return False
        candidate = value.replace("'", TYPO)
        pieces = [p for p in re.split(r"\\.|[\^$()\[\]?*+|{}]", candidate) if TYPO in p]
        return bool(pieces) and all(len(piece) > 3 and piece in known for piece in pieces)
    fixed = fix_python(text, wanted)
    # Escaped by the HTML: "n&#39;est" -> "n’est" in the literals that quote interface strings.
    def unescape(match):
        literal = match.group(0)
        return literal.replace("&#39;", TYPO) if wanted(literal) else literal
    return re.sub(r'"[^"\n]*&#39;[^"\n]*"', unescape, fixed)


def main(argv: list[str]) -> int:
    changed = []

    def write(path: Path, fixer):
        old = path.read_text(encoding="utf-8")
        new = fixer(old)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed.append(path.relative_to(ROOT))

    for path in catalogues():
        write(path, fix_po)
    for path in [*sources("*.py"), *sources("blueprints/**/*.py")]:
        write(path, fix_python)
    for path in sources("templates/**/*.html"):
        write(path, fix_template)
    if "--tests" in argv:
        known = "\n".join(interface_texts())
        for path in sources("tests/**/*.py"):
            write(path, lambda text: fix_tests(text, known))
    for path in changed:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Reading an upload: refuse what is not a usable CSV with a clear message,
detect the encoding and the delimiter, count the rows; then its rows, each
with its line number in the file."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_COLUMNS = 200


class ImportRefused(ValueError):
    """The file cannot be imported; the message says why and what to do."""


_MAGIC = {
    b"PK\x03\x04": "workbook", b"\xd0\xcf\x11\xe0": "workbook", b"%PDF": "binary", b"\x89PNG": "binary",
    b"\xff\xd8\xff": "binary", b"GIF8": "binary", b"\x1f\x8b": "binary", b"BM": None,
}


@dataclass
class UploadInfo:
    encoding: str
    delimiter: str
    headers: list[str]
    total_rows: int


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ImportRefused(_("Ce fichier n’est pas un fichier CSV (texte séparé par des virgules ou des "
                                  "points-virgules).")) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "cp1252"


def detect_delimiter(text: str) -> str:
    sample = text[:16384]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[:sample.rindex("\n")]
    header = sample.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sniffed = None
    if sniffed and counts.get(sniffed):
        return sniffed
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _refuse_binary(data: bytes) -> None:
    for magic, kind in _MAGIC.items():
        if kind and data.startswith(magic):
            if kind == "workbook":
                raise ImportRefused(_("Ce fichier est un classeur ou une archive (xlsx, xls, zip), pas un CSV. "
                                      "Dans votre tableur, enregistrez la feuille au format CSV, puis importez ce fichier."))
            raise ImportRefused(_("Ce fichier n’est pas un fichier CSV (texte séparé par des virgules ou des "
                                  "points-virgules)."))


def read_upload(data: bytes) -> tuple[str, UploadInfo]:
    """The decoded text and what was detected, or ImportRefused."""
    if len(data) > MAX_BYTES:
        raise ImportRefused(_("Le fichier dépasse %(size)s Mo. Découpez-le en plusieurs fichiers.",
                              size=MAX_BYTES // (1024 * 1024)))
    if not data.strip():
        raise ImportRefused(_("Le fichier est vide."))
    _refuse_binary(data)
    if b"\0" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(_("Ce fichier n’est pas un fichier CSV (texte séparé par des virgules ou des "
                              "points-virgules)."))
    text, encoding = decode(data)
    sample = text[:65536]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n")
    if "\0" in sample or controls > len(sample) // 100 + 1:
        raise ImportRefused(_("Ce fichier n’est pas un fichier CSV (texte séparé par des virgules ou des "
                              "points-virgules)."))
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, None)
        if headers is not None and len(headers) > MAX_COLUMNS:
            from flask_babel import format_decimal
            raise ImportRefused(_("Le fichier compte %(count)s colonnes ; un import en accepte %(max)s au plus.",
                                  count=format_decimal(len(headers)), max=MAX_COLUMNS))
        total = sum(1 for row in reader if any(cell.strip() for cell in row))
    except csv.Error:
        raise ImportRefused(_("Ce fichier CSV est illisible à la ligne %(line)s (guillemets non fermés ou "
                              "cellule démesurée).", line=reader.line_num)) from None
    if not headers or not any(h.strip() for h in headers):
        raise ImportRefused(_("Le fichier est vide."))
    if total == 0:
        raise ImportRefused(_("Le fichier ne contient que la ligne d’en-tête : aucun client à importer."))
    headers = [h.strip().lstrip("\ufeff")[:80] for h in headers]
    return text, UploadInfo(encoding, delimiter, headers, total)


def iter_rows(source, delimiter: str):
    """(line number, cells) of every non-blank data row of a text or of its
    lines, the header skipped. The line number is the file's, where the row
    starts (the header is line 1)."""
    lines = io.StringIO(source, newline="") if isinstance(source, str) else source
    reader = csv.reader(lines, delimiter=delimiter)
    next(reader, None)
    previous_end = reader.line_num
    for cells in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells

"""CSV downloads the desk takes into a spreadsheet (the queue, the planning list): one writer for all of them,
so each gets the BOM (a spreadsheet reads the names in UTF-8) and the formula escaping (CSV injection)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

# Cells a spreadsheet would read as a formula (CSV injection): shown as text by a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(header: list[str], chunks: Iterable[Iterable[Iterable[object]]]) -> Iterator[str]:
    """The BOM and the header, then each chunk of rows (escaped) as one piece of text: a stream's parts."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    buffer.write("\ufeff")  # a BOM, so a spreadsheet reads the names in UTF-8
    writer.writerow(header)
    yield flush()
    for chunk in chunks:
        for row in chunk:
            writer.writerow([csv_cell(v) for v in row])
        yield flush()


def csv_download(name: str, lines: Iterator[str]) -> Response:
    return Response(stream_with_context(lines), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "private, no-store"})

"""CSV: one row per set group, UTF-8 with a header, the dialect spreadsheets open."""

from __future__ import annotations

import csv
import io

from programgen.client.export.rows import COLUMNS, rows
from programgen.v1 import program_pb2


def csv_text(program: program_pb2.Program) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180 line ends
    writer.writerow(COLUMNS)
    writer.writerows(row.cells() for row in rows(program))
    return out.getvalue()

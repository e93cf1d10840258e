"""Importing 100,000 candidate rows from CSV and from XLSX, validation included.

Writes a sheet of N rows in the template's layout (both formats): all at nguồn but one in a
hundred under way (at "Chi bộ họp xét", with a certificate, judged by workflow/sheets/midway.py).
Imports each into a fresh SQLite database through ``workflow.importer.import_candidates`` —
read, match headers, check every row with the CLI's input models, then write everything in
one transaction — and prints the times next to a baseline measured in the same run: reading
the same file alone (csv from the standard library; python-calamine, the reader ketnap
uses for .xlsx), without checking or writing anything. openpyxl's read time is printed too,
as the reader ketnap used before.

    .venv/bin/python bench/import.py [N]
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # run from anywhere
os.environ.setdefault(
    "KETNAP_KEY", str(Path(tempfile.gettempdir()) / "ketnap-bench.khoa")
)  # PostgreSQL needs one

from models.db import database_url  # noqa: E402
from workflow.sheets.candidate_columns import FIELDS, TITLES  # noqa: E402
from workflow.sheets.candidates import import_candidates  # noqa: E402
from workflow.usecases.clock import VN_TZ, FixedClock  # noqa: E402
from workflow.usecases.context import open_context  # noqa: E402
from workflow.usecases.installation import initialise  # noqa: E402
from workflow.usecases.organizations import add_org  # noqa: E402

GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hạnh", "Khoa", "Lan", "Nam", "Phúc", "Sang", "Tú"]


def rows(n: int) -> list[list[str]]:
    return [
        [
            f"Nguyễn Văn {GIVEN[i % 12]}",
            f"{1 + i % 28:02d}/{1 + i % 12:02d}/{1990 + i % 15}",
            "Nữ" if i % 2 else "Nam",
            "Kinh",
            "Không",
            f"0{i:011d}",
            "Đại học",
            "Viên chức",
            "x" if i % 3 else "",
            "",
            "Lộc An",
            f"CB{i % 50:02d}",
            *(UNDER_WAY if i % 100 == 99 else []),
        ]
        for i in range(n)
    ]


UNDER_WAY = ["Chi bộ họp xét", "125-GCN/TTCT", "12/03/2026", "Trung tâm Chính trị huyện"]


def fresh(folder: Path, name: str) -> object:
    ctx = open_context(
        database_url(str(folder / name)),
        "bench",
        FixedClock(datetime(2026, 11, 25, 9, tzinfo=VN_TZ)),
        require_init=False,
    )
    initialise(ctx)
    add_org(ctx, {"code": "CU", "name": "Cấp ủy", "kind": "cap_uy_co_tham_quyen"})
    for k in range(50):
        add_org(
            ctx,
            {
                "code": f"CB{k:02d}",
                "name": f"Chi bộ {k}",
                "kind": "chi_bo_co_so",
                "parent_code": "CU",
            },
        )
    return ctx


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    folder = Path(tempfile.mkdtemp(prefix="ketnap-import-"))
    data = rows(n)
    header = [TITLES[f] for f in FIELDS]
    csv_path = folder / "ds.csv"
    with csv_path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(data)
    from openpyxl import Workbook, load_workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("Quần chúng")
    ws.append(header)
    for r in data:
        ws.append(r)
    xlsx_path = folder / "ds.xlsx"
    book.save(xlsx_path)

    start = time.perf_counter()
    with csv_path.open(encoding="utf-8-sig", newline="") as f:
        sum(1 for _ in csv.reader(f))
    csv_base = time.perf_counter() - start
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    CalamineWorkbook.from_path(str(xlsx_path)).get_sheet_by_index(0).to_python()
    xlsx_base = time.perf_counter() - start
    start = time.perf_counter()
    sum(
        1
        for _ in load_workbook(xlsx_path, read_only=True).worksheets[0].iter_rows(values_only=True)
    )
    print(f"openpyxl reading the XLSX alone (for comparison): {time.perf_counter() - start:.2f} s")

    for label, path, base, goal in (
        ("CSV", csv_path, csv_base, 5),
        ("XLSX", xlsx_path, xlsx_base, 20),
    ):
        ctx = fresh(folder, f"{label}.db")
        start = time.perf_counter()
        report = import_candidates(ctx, path)  # type: ignore[arg-type]
        took = time.perf_counter() - start
        assert report["new"] == n, report
        assert report["new_by_stage"].get("Chi bộ họp xét") == n // 100, report
        print(
            f"{label}: {n:,} rows imported in {took:.2f} s ({n / took:,.0f} rows/s); "
            f"reading alone {base:.2f} s; ratio {took / base:.1f}x; "
            f"goal <= {goal} s: {took <= goal}"
        )


if __name__ == "__main__":
    main()

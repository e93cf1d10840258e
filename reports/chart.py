"""Progress against target per organization, as a PNG (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workflow.usecases.outfiles import staged


def write_png(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in data["rows"] if r["depth"] == 1] or data["rows"]
    names = [r["code"] for r in rows][::-1]
    admitted = [r["admitted"] for r in rows][::-1]
    targets = [r["target"] or 0 for r in rows][::-1]
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 2), dpi=120)
    ax.barh(names, targets, color="#d9d9d9", label="Chỉ tiêu")
    ax.barh(names, admitted, color="#b22222", height=0.5, label="Đã kết nạp")
    for y, r in enumerate(rows[::-1]):
        ax.text(max(r["admitted"], r["target"] or 0) * 1.01 + 0.1, y, r["percent"], va="center")
    ax.set_title(f"Tiến độ kết nạp đảng viên — {data['period']['label']}")
    ax.set_xlabel("Số đảng viên")
    ax.legend(loc="lower right")
    ax.margins(x=0.15)
    fig.tight_layout()
    try:
        with staged(path) as temp:
            fig.savefig(temp, format="png")
    finally:
        plt.close(fig)

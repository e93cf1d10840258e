"""The state agrees with the log: every dossier replayed from its audit events and compared
with the dossier table (AUD-STATE, docs/inspection.md).

The log is what inspectors trust; the tables are what the pages show. Someone who edits
``dossier.stage`` directly (the page says "Đảng viên chính thức", the log says "Nguồn")
is caught here: for each dossier the stage and the version the events lead to, and the
dates a transition fixed (the admission decision's date, D-PARTY-AGE; the day membership
became official, D-OFFICIAL) where the event recorded them, and the organization (its code,
moved by "move" events: a transfer, a designation, a merge), against the row. One pass
over the events in id order, streamed, then one over the dossiers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, text

from workflow.domain.process import Stage
from workflow.text.vntext import fmt_date

_OPENING = {"create", "import"}
_DATES = ("party_joined_on", "official_effective_on")


@dataclass(frozen=True)
class Difference:
    dossier_id: int
    field: str
    table: str | None
    replayed: str | None

    def text(self) -> str:
        if self.field == "row":
            if self.replayed is None:
                return (
                    f"Hồ sơ #{self.dossier_id} có trong bảng hồ sơ nhưng nhật ký không có sự "
                    "kiện nào của nó."
                )
            return (
                f"Hồ sơ #{self.dossier_id} có trong nhật ký (bước {_stage(self.replayed)}) "
                "nhưng không có trong bảng hồ sơ."
            )
        return (
            f"Hồ sơ #{self.dossier_id}: {LABELS.get(self.field, self.field)} trong bảng là "
            f"{self._shown(self.table)}, theo nhật ký là {self._shown(self.replayed)}."
        )

    def _shown(self, value: str | None) -> str:
        if value is None:
            return "(không có)"
        if self.field == "stage":
            return _stage(value)
        if self.field in _DATES:
            return fmt_date(date.fromisoformat(value))
        return value

    def as_dict(self) -> dict[str, Any]:
        return {
            "dossier_id": self.dossier_id,
            "field": self.field,
            "table": self.table,
            "replayed": self.replayed,
        }


def _stage(value: str) -> str:
    """A stage as people read it, its code beside (an edited row may hold any text)."""
    if value in Stage._value2member_map_:
        return f"“{Stage(value).label}” ({value})"
    return value


LABELS = {
    "stage": "bước",
    "version": "phiên bản",
    "party_joined_on": "ngày vào Đảng",
    "official_effective_on": "ngày chính thức",
    "org": "tổ chức",
    "row": "dòng hồ sơ",
}


# The kinds of event that change a dossier's row: its opening, a transition (stage), a
# move (its organization: a transfer, a designation, a merge; and a stage where the move
# sends the dossier back, L-TRANSFER). Each but the opening adds one to the version.
STATEFUL = ("create", "import", "transition", "move")
# Kinds that may bring a date a step fixed in line without changing the version: a
# correction (đính chính) of the decision or the ceremony the date was read from.
REFIXING = ("correction",)


def replay(conn: Connection) -> tuple[dict[int, dict[str, Any]], int]:
    """Each dossier's stage, version, organization (its code) and fixed dates as its events
    leave them; and how many events were read."""
    state: dict[int, dict[str, Any]] = {}
    count = 0
    kinds = ", ".join(f"'{k}'" for k in (*STATEFUL, *REFIXING))
    result = conn.execution_options(stream_results=True).execute(
        text(
            "SELECT dossier_id, kind, to_stage, data FROM audit_event "
            f"WHERE dossier_id IS NOT NULL AND kind IN ({kinds}) ORDER BY id"
        )
    )
    for chunk in result.partitions(5000):
        for did, kind, to_stage, data in chunk:
            count += 1
            raw = data if isinstance(data, str) else json.dumps(data)
            if kind in _OPENING:
                one = state[did] = {"stage": to_stage, "version": 1}
                found = json.loads(raw)
                if found.get("org"):
                    one["org"] = found["org"]
                if found.get("signed_on"):  # a past admission: its decision (D-PARTY-AGE)
                    one["party_joined_on"] = found["signed_on"]
                if found.get("official_effective_on"):
                    one["official_effective_on"] = found["official_effective_on"]
                continue
            one = state.setdefault(did, {"stage": None, "version": 0})
            if kind in REFIXING:
                refixed = json.loads(raw).get("fixed") or {}
                for name in _DATES:
                    if name in refixed:
                        one[name] = refixed[name]
                continue
            one["version"] += 1
            if to_stage is not None:
                one["stage"] = to_stage
            if kind == "move":
                moved = (json.loads(raw).get("org") or {}).get("to")
                if moved:
                    one["org"] = moved
            elif '"fixed"' in raw:
                fixed = json.loads(raw).get("fixed") or {}
                for name in _DATES:
                    if name in fixed:  # None: cleared (an annulled admission, L-ANNUL)
                        one[name] = fixed[name]
    return state, count


def differences(
    conn: Connection, scope: set[int] | None = None
) -> tuple[list[Difference], int, int]:
    """Every difference between the dossier table and the replayed log, for the dossiers
    of the organizations in ``scope`` (None: all, and the log's dossiers with no row); the
    numbers of dossiers and of events compared."""
    state, events = replay(conn)
    found: list[Difference] = []
    seen: set[int] = set()
    rows = conn.execute(
        text(
            "SELECT d.id, d.stage, d.version, d.party_joined_on, d.official_effective_on, "
            "d.org_id, o.code FROM dossier d JOIN organization o ON o.id = d.org_id "
            "ORDER BY d.id"
        )
    )
    dossiers = 0
    for did, stage, version, joined, official, org, code in rows:
        seen.add(did)
        if scope is not None and org not in scope:
            continue
        dossiers += 1
        replayed = state.get(did)
        if replayed is None:
            found.append(Difference(did, "row", "có", None))
            continue
        if stage != replayed["stage"]:
            found.append(Difference(did, "stage", stage, replayed["stage"]))
        if int(version) != replayed["version"]:
            found.append(Difference(did, "version", str(version), str(replayed["version"])))
        if "org" in replayed and code != replayed["org"]:
            found.append(Difference(did, "org", code, replayed["org"]))
        for name, value in (("party_joined_on", joined), ("official_effective_on", official)):
            if name in replayed:
                table = str(value)[:10] if value is not None else None
                if table != replayed[name]:
                    found.append(Difference(did, name, table, replayed[name]))
    for did in sorted(state.keys() - seen) if scope is None else ():
        found.append(Difference(did, "row", None, state[did]["stage"]))
    return found, dossiers, events

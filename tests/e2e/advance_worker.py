"""One clerk's process for the concurrency test: advance random dossiers until a deadline.

    python -m tests.e2e.advance_worker URL SEED SECONDS FIRST_ID LAST_ID

Each step reads a dossier's stage and version (half the time one of twenty hot dossiers, so
that processes collide), picks an event the table allows from there
(a terminal one rarely), and advances with that version as expected: when another process
moved the dossier in between, the service refuses with a conflict and writes nothing.
Prints a JSON line of counts. The time bound is the loop's own (no sleep).
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import datetime

from models.tables import Dossier
from workflow.domain.errors import BadInput, Conflict, Refused
from workflow.domain.process import TERMINAL, Event, Stage, events_from, targets
from workflow.usecases.advancing import advance
from workflow.usecases.clock import VN_TZ, FixedClock
from workflow.usecases.context import open_context


def main() -> None:
    url, seed, seconds, first, last = sys.argv[1:6]
    rng = random.Random(int(seed))
    ctx = open_context(
        url, f"tien_trinh_{seed}", FixedClock(datetime(2026, 11, 25, 9, tzinfo=VN_TZ))
    )
    counts = {"done": 0, "conflict": 0, "refused": 0, "closed": 0}
    until = time.monotonic() + float(seconds)
    while time.monotonic() < until:
        # half the picks among twenty "hot" dossiers, so processes do collide
        hot = rng.random() < 0.5
        did = rng.randint(int(first), int(first) + 19 if hot else int(last))
        with ctx.read() as s:
            d = s.get(Dossier, did)
            assert d is not None
            stage, version = Stage(d.stage), d.version
        if stage.closed:
            counts["closed"] += 1
            continue
        events = events_from(stage)
        lasting = [e for e in events if not any(t in TERMINAL for t in targets(e, stage))]
        event = rng.choice(events if rng.random() < 0.02 or not lasting else lasting)
        back = rng.choice(targets(event, stage))
        try:
            advance(
                ctx,
                did,
                event,
                reason="Thử tải đồng thời" if event.needs_reason else None,
                back_to=back if event is Event.tra_lai else None,
                expected_version=version,
            )
            counts["done"] += 1
        except Conflict:
            counts["conflict"] += 1
        except (Refused, BadInput):
            counts["refused"] += 1
    ctx.engine.dispose()
    print(json.dumps(counts))


if __name__ == "__main__":
    main()

"""Canonical JSON: the one spelling of a value that the audit chain hashes.

Sorted keys, no spaces, UTF-8 as is. Kept apart from audit.py so the table models can use it
(the audit data column reads back as this text on every database).
"""

from __future__ import annotations

import json
from typing import Any

# One encoder, built once: json.dumps with arguments builds a new one on every call.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> str:
    return _CANONICAL.encode(value)

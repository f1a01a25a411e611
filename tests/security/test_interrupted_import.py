"""An import killed mid-way (SIGKILL, no chance to clean up) leaves nothing behind.

A real `manage.py import_incidents` process on a scratch SQLite file, killed once it has reported
progress inside its transaction; afterwards the database holds exactly what it held before.
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = 60_000
TABLES = ["incidents_incident", "incidents_city", "incidents_source", "incidents_incidentsource"]


def _write_csv(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "date", "province", "city", "killed", "injured"])
        for n in range(ROWS):
            writer.writerow([f"K{n}", f"2012-{n % 12 + 1:02d}-{n % 28 + 1:02d}", "Sindh", f"Town {n % 50}", n % 9, ""])


MAPPING = {
    "source": {"title": "Interrupted import drill", "publisher": "tests"},
    "encoding": "utf-8",
    "external_id": {"column": "ref"},
    "columns": {
        "date": {"column": "date", "formats": ["%Y-%m-%d"]},
        "province": {"column": "province"},
        "city": {"column": "city"},
        "attack_type": {"value": "unknown"},
        "killed": {"column": "killed"},
        "injured": {"column": "injured"},
    },
}


def _counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:  # opening it rolls back a hot journal, as Django would
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        names = TABLES + sorted(t for t in tables if t.startswith("incidents_importrun") or t.endswith("_history"))
        return {t: connection.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in names if t in tables}  # noqa: S608


def test_killed_import_leaves_nothing_behind(tmp_path):
    database = tmp_path / "drill.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(DATABASE_URL=f"sqlite:///{database}", PYTHONUNBUFFERED="1", DEBUG="0")
    env.pop("ALLOWED_HOSTS", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)  # noqa: S603
    subprocess.run([*manage, "load_seeds"], cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)  # noqa: S603
    data, mapping = tmp_path / "rows.csv", tmp_path / "map.json"
    _write_csv(data)
    mapping.write_text(json.dumps(MAPPING))
    before = _counts(database)

    process = subprocess.Popen(  # noqa: S603
        [*manage, "import_incidents", str(data), "--mapping", str(mapping), "--progress-every", "500"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    deadline = time.monotonic() + 120
    try:
        for line in process.stdout:
            seen.append(line)
            # Kill only once rows have been written inside the import's transaction.
            created = re.search(r"(\d+) created", line)
            if (created and int(created.group(1)) > 0) or time.monotonic() > deadline:
                break
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL, f"the import ended on its own before the kill: {''.join(seen)}"

    assert re.search(r"[1-9]\d* created", seen[-1]), seen[-3:]
    assert _counts(database) == before


@pytest.fixture(autouse=True)
def _skip_without_importer():
    if not (ROOT / "incidents" / "management" / "commands" / "import_incidents.py").exists():
        pytest.skip("import_incidents is not in this build")

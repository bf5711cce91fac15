"""Look for bytes everywhere a database and a backup could keep them: every column of
every table, the database's own files, a backup's files (a PostgreSQL dump read back as
SQL, since its custom format is compressed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, MetaData, select


def tables_holding(engine: Engine, needles: Iterable[bytes]) -> set[str]:
    """``table.column`` for every value that contains one of ``needles``."""
    wanted = list(needles)
    metadata = MetaData()
    metadata.reflect(engine)
    found: set[str] = set()
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    if any(needle in _bytes(value) for needle in wanted):
                        found.add(f"{table.name}.{column}")
    return found


def files_holding(paths: Iterable[Path], needles: Iterable[bytes]) -> set[str]:
    """The files (under folders too) whose bytes contain one of ``needles``."""
    wanted = list(needles)
    found: set[str] = set()
    for path in paths:
        for file in [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file()):
            data = _readable_dump(file) if file.suffix == ".pgdump" else file.read_bytes()
            if any(needle in data for needle in wanted):
                found.add(str(file))
    return found


def _bytes(value: object) -> bytes:
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False).encode()
    return str(value).encode()


def _readable_dump(file: Path) -> bytes:
    program = shutil.which("pg_restore")
    assert program is not None, "the PostgreSQL tests need pg_restore, as backups do"
    return subprocess.run([program, "--file=-", str(file)], check=True, capture_output=True).stdout

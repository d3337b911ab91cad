"""The data dictionary: dbt's static docs site (``cd2 docs``, ``make docs``).

``dbt docs generate --static`` writes ``<target>/static_index.html``, one self-contained HTML file
(the manifest and catalog inlined) covering the raw sources, current state, CD1 and Analytics, with
every column's description, each CD1 fact's ER diagram (an SVG picture inlined as a ``data:`` URI,
see :mod:`loader.erd_svg`) and the lineage graph.

The catalog (column types and row counts as the database has them) needs a connection: when the
profile's database answers, the site is generated with it; otherwise (or with ``offline``) from
the project alone (``dbt parse`` then ``docs generate --empty-catalog --no-compile``), and the
empty catalog is then filled with the column types the project declares (the sources' types from
the CD2 schema, the CD1 and Analytics marts' contracts; see :func:`declared_catalog`): the
descriptions, those types, the diagrams and the lineage are all there, the database's own types
for undeclared columns and its statistics not.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

SITE_FILE = "static_index.html"


class DocsError(Exception):
    """dbt failed to generate the site."""


@dataclass(frozen=True)
class Site:
    """A generated docs site.

    Attributes:
        path: the self-contained HTML file.
        with_catalog: whether the database's catalog is in it.
    """

    path: Path
    with_catalog: bool


def dbt_executable() -> str:
    """The ``dbt`` next to this Python (the project's virtualenv), else the one on ``PATH``.

    Returns:
        The command.
    """
    beside = Path(sys.executable).parent / "dbt"
    if beside.exists():
        return str(beside)
    return shutil.which("dbt") or "dbt"


def _dbt(
    project_dir: Path, target_path: Path, *args: str, target: bool = True
) -> subprocess.CompletedProcess[str]:
    command = [dbt_executable(), *args, "--project-dir", str(project_dir)]
    if target:  # `dbt debug` takes no --target-path
        command += ["--target-path", str(target_path)]
    command += ["--log-path", str(target_path / "logs")]
    logger.debug("running %s", " ".join(command))
    return subprocess.run(command, capture_output=True, text=True, check=False)


def _tail(result: subprocess.CompletedProcess[str], lines: int = 15) -> str:
    return "\n".join((result.stdout + result.stderr).strip().splitlines()[-lines:])


def database_answers(project_dir: Path, target_path: Path) -> bool:
    """Whether dbt can connect to its profile's database (``dbt debug --connection``).

    Args:
        project_dir: the dbt project.
        target_path: dbt's target directory.

    Returns:
        True when the connection test passes.
    """
    result = _dbt(project_dir, target_path, "debug", "--connection", "--quiet", target=False)
    return result.returncode == 0


def generate(project_dir: Path, target_path: Path, offline: bool = False) -> Site:
    """Generate the static docs site.

    Args:
        project_dir: the dbt project.
        target_path: where dbt writes (the site is ``<target_path>/static_index.html``).
        offline: do not connect to the database even when it answers.

    Returns:
        The site.

    Raises:
        DocsError: dbt failed (its output's tail in the message).
    """
    target_path.mkdir(parents=True, exist_ok=True)
    with_catalog = not offline and database_answers(project_dir, target_path)
    if with_catalog:
        logger.info("generating the docs site with the database's catalog")
        result = _dbt(project_dir, target_path, "docs", "generate", "--static")
        if result.returncode != 0:
            raise DocsError(f"dbt docs generate failed:\n{_tail(result)}")
    else:
        logger.info(
            "generating the docs site from the project alone (%s)",
            "offline" if offline else "the database does not answer",
        )
        result = _dbt(project_dir, target_path, "parse", "--quiet")
        if result.returncode != 0:
            raise DocsError(f"dbt parse failed:\n{_tail(result)}")
        result = _dbt(
            project_dir,
            target_path,
            "docs",
            "generate",
            "--static",
            "--empty-catalog",
            "--no-compile",
        )
        if result.returncode != 0:
            raise DocsError(f"dbt docs generate failed:\n{_tail(result)}")
        declared_catalog(target_path)
    site = target_path / SITE_FILE
    if not site.exists():
        raise DocsError(f"dbt did not write {site}")
    return Site(site, with_catalog)


def _catalog_entry(node: dict[str, Any]) -> dict[str, Any] | None:
    columns = list((node.get("columns") or {}).values())
    if not any(c.get("data_type") for c in columns):
        return None
    materialized = (node.get("config") or {}).get("materialized")
    return {
        "metadata": {
            "type": "VIEW" if materialized == "view" else "BASE TABLE",
            "schema": node.get("schema"),
            "name": node.get("alias") or node.get("identifier") or node.get("name"),
            "database": node.get("database"),
            "comment": None,
            "owner": None,
        },
        "columns": {
            c["name"]: {
                "type": c.get("data_type") or "",
                "index": i,
                "name": c["name"],
                "comment": None,
            }
            for i, c in enumerate(columns, start=1)
        },
        "stats": {},
        "unique_id": node["unique_id"],
    }


def declared_catalog(target_path: Path) -> int:
    """Fill an empty ``catalog.json`` with the column types the project declares, and inline it
    into ``static_index.html`` again (as ``dbt docs generate --static`` does).

    Only nodes and sources with at least one declared ``data_type`` get an entry (every column
    of theirs, in declared order; an undeclared type stays empty), so the site shows those types
    without a database.

    Args:
        target_path: dbt's target directory after ``docs generate --empty-catalog --static``.

    Returns:
        The number of entries written.

    Raises:
        DocsError: a file dbt should have written is missing.
    """
    try:
        manifest = json.loads((target_path / "manifest.json").read_text("utf-8"))
        catalog = json.loads((target_path / "catalog.json").read_text("utf-8"))
        template = (target_path / "index.html").read_text("utf-8")
    except FileNotFoundError as exc:
        raise DocsError(f"dbt did not write {exc.filename}") from exc
    for kind, key in (("nodes", "nodes"), ("sources", "sources")):
        entries = catalog.setdefault(key, {}) or {}
        for unique_id, node in (manifest.get(kind) or {}).items():
            if kind == "nodes" and node.get("resource_type") not in ("model", "seed", "snapshot"):
                continue
            entry = _catalog_entry(node)
            if entry is not None and unique_id not in entries:
                entries[unique_id] = entry
        catalog[key] = entries
    text = json.dumps(catalog)
    (target_path / "catalog.json").write_text(text, "utf-8")
    site = template.replace('"MANIFEST.JSON INLINE DATA"', json.dumps(manifest))
    site = site.replace('"CATALOG.JSON INLINE DATA"', text)
    (target_path / SITE_FILE).write_text(site, "utf-8")
    return len(catalog["nodes"]) + len(catalog["sources"])

"""The data dictionary: dbt's static docs site (``cd2 docs``, ``make docs``).

``dbt docs generate --static`` writes ``<target>/static_index.html``, one self-contained HTML file
(the manifest and catalog inlined) covering the raw sources, current state, CD1 and Analytics, with
every column's description, each CD1 fact's ER diagram (an SVG picture inlined as a ``data:`` URI,
see :mod:`loader.erd_svg`) and the lineage graph.

The catalog (column types and row counts as the database has them) needs a connection: when the
profile's database answers, the site is generated with it; otherwise (or with ``offline``) from
the project alone (``dbt parse`` then ``docs generate --empty-catalog --no-compile``): the
descriptions, declared types, diagrams and lineage are all there, the database's statistics not.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

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
    site = target_path / SITE_FILE
    if not site.exists():
        raise DocsError(f"dbt did not write {site}")
    return Site(site, with_catalog)

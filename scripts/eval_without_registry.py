"""Evaluate extraction as if the registry knew none of the gold's entities.

The dev corpus names many organizations that ``mappings/registry.yaml`` knows,
so ``consortia evaluate tests/gold`` flatters extraction: an article from
another outlet names organizations nobody registered. This script copies the
data folders (``ontology/``, ``shapes/``, ``mappings/``) to a temporary folder,
removes from the copy's registry every entry whose name or an alias is the name
or an alias of an entity of the gold files, and runs ``consortia evaluate`` on
the copy (``CONSORTIA_DATA``). Run from the repository root:

    python scripts/eval_without_registry.py [GOLD_DIR] [--format text|json] [--keep DIR]

The number it prints is the best estimate we have of the score on articles
from other outlets (issue 3).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from consortia.resolve import normalise

ROOT = Path(__file__).resolve().parents[1]
DATA_FOLDERS = ("ontology", "shapes", "mappings")
CLI = "import sys; from consortia.cli import main; sys.exit(main())"


def gold_names(gold_dir: Path) -> set[str]:
    """Every entity name and alias of the gold files, normalised."""
    names: set[str] = set()
    for path in sorted(gold_dir.glob("*.gold.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entity in data.get("entities") or []:
            for form in [entity.get("name"), *(entity.get("aliases") or [])]:
                if form:
                    names.add(normalise(str(form)))
    return names


def strip_registry(registry: Path, names: set[str]) -> tuple[int, int]:
    """Remove the entries that name a gold entity; (removed, kept).

    The file is rewritten line by line so that its comments and layout stay:
    each entry is one ``- {name: ...}`` line.
    """
    lines = registry.read_text(encoding="utf-8").splitlines(keepends=True)
    kept: list[str] = []
    removed = total = 0
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("- {") and stripped.endswith("}"):
            total += 1
            entry = yaml.safe_load(stripped[2:])
            forms = [entry.get("name"), *(entry.get("aliases") or [])]
            if any(form and normalise(str(form)) in names for form in forms):
                removed += 1
                continue
        kept.append(line)
    registry.write_text("".join(kept), encoding="utf-8")
    return removed, total - removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="?", default=str(ROOT / "tests" / "gold"))
    parser.add_argument("--format", default="text", choices=("text", "json"))
    parser.add_argument("--keep", help="build the stripped data folder here and keep it")
    args = parser.parse_args(argv)
    gold_dir = Path(args.gold).resolve()

    with tempfile.TemporaryDirectory(prefix="consortia-noreg-") as scratch:
        target = Path(args.keep) if args.keep else Path(scratch)
        for folder in DATA_FOLDERS:
            if (target / folder).exists():
                shutil.rmtree(target / folder)
            shutil.copytree(ROOT / folder, target / folder)
        removed, kept = strip_registry(target / "mappings" / "registry.yaml", gold_names(gold_dir))
        print(
            f"registry: {removed} entries naming gold entities removed, {kept} kept",
            file=sys.stderr,
        )
        env = dict(os.environ, CONSORTIA_DATA=str(target))
        command = [sys.executable, "-c", CLI, "evaluate", str(gold_dir)]
        if args.format != "text":
            command += ["--format", args.format]
        return subprocess.call(command, env=env)


if __name__ == "__main__":
    sys.exit(main())

"""Time extraction (``Extractor.extract``) per article.

Reads every article of ``tests/gold/*.md`` and ``seeds/``, loads the Extractor
once (timed: the mappings, the registry and the gazetteer), runs one untimed
warm-up extraction (it starts spaCy's tokenizer and sentencizer, timed apart),
then extracts every article ``--repeat`` times and prints the median
milliseconds per article, the median for the seed article, and the slowest
articles. Run from the repository root:

    python benchmarks/bench_extract.py [--repeat 7] [--each]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from consortia import __version__
from consortia.extract import Extractor
from consortia.project import data_root
from consortia.sources import Article, load_articles

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def timed(func: Callable[[], T]) -> tuple[T, float]:
    """Call ``func`` once; its result and the milliseconds it took."""
    start = time.perf_counter()
    result = func()
    return result, (time.perf_counter() - start) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per article (default 7)")
    parser.add_argument("--each", action="store_true", help="print every article's median")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    gold = sorted((ROOT / "tests" / "gold").glob("*.md"))
    seeds = sorted((ROOT / "seeds").glob("*.md"))
    if not gold and not seeds:
        print(f"no articles under {ROOT}/tests/gold or {ROOT}/seeds", file=sys.stderr)
        return 2
    # Read each file on its own: the seed also sits in tests/gold under the same id.
    articles: list[tuple[str, Article]] = []
    for path in [*gold, *seeds]:
        (article,) = load_articles([path])
        articles.append((str(path.relative_to(ROOT)), article))

    extractor, load_ms = timed(lambda: Extractor.from_directory(data_root() / "mappings"))
    _, warm_ms = timed(lambda: extractor.extract(articles[0][1]))

    runs: dict[str, list[float]] = {name: [] for name, _ in articles}
    facts: dict[str, int] = {}
    for _ in range(args.repeat):  # interleaved, so that drift affects every article alike
        for name, article in articles:
            extraction, ms = timed(partial(extractor.extract, article))
            runs[name].append(ms)
            facts[name] = len(extraction.facts)
    medians = {name: statistics.median(times) for name, times in runs.items()}

    per_article = statistics.median(medians.values())
    seed_names = [n for n in medians if n.startswith("seeds/")]
    chars = sum(len(a.body) for _, a in articles)
    total = sum(medians.values())

    print(f"consortia {__version__}, Python {platform.python_version()}, {platform.machine()}")
    print(
        f"articles: {len(articles)} ({len(gold)} gold, {len(seeds)} seed), "
        f"{chars:,} characters of body, {args.repeat} runs each"
    )
    print(f"Extractor load (mappings, registry, gazetteer): {load_ms:8.1f} ms")
    print(f"first extraction (starts spaCy), untimed below: {warm_ms:8.1f} ms")
    print(f"median per article:                             {per_article:8.1f} ms")
    for name in seed_names:
        print(f"median for the seed ({name}): {medians[name]:.1f} ms, {facts[name]} facts")
    print(
        f"all articles once (sum of medians):             {total:8.1f} ms "
        f"({len(articles) / total * 1000:.1f} articles/s, {chars / total:.0f} chars/ms)"
    )
    slowest = sorted(medians, key=medians.__getitem__, reverse=True)
    shown = slowest if args.each else slowest[:3]
    print("every article:" if args.each else "slowest:")
    for name in shown:
        print(f"  {medians[name]:7.1f} ms  {facts[name]:3d} facts  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

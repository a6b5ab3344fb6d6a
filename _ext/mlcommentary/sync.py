"""Bringing the metadata the pages need into the build, once, after reading.

Runs in the main process on ``env-updated``: loads the metadata file, fetches
what it lacks in batches (unless offline), saves, and warns once per problem,
naming the papers and the pages that need them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .domain import PaperDomain
from .fetch import ArxivFetcher, FetchReport
from .metadata import MetadataFile, MetadataFileError, PaperRecord

logger = logging.getLogger(__name__)

#: What each warning subtype means, for the message.
_MISSING = {
    "not_found": "arXiv has no such paper",
    "offline": "arxiv_offline is set, so nothing was fetched",
}


def sync_metadata(app: Sphinx, env: BuildEnvironment) -> None:
    domain: PaperDomain = env.domains["paper"]
    store = MetadataFile(Path(app.confdir) / app.config.arxiv_metadata_file)
    records: dict[str, PaperRecord] = {}
    try:
        loaded = store.load()
    except MetadataFileError as err:
        logger.warning("%s", err, type="paper", subtype="metadata_file")
        writable = False
    else:
        for problem in loaded.problems:
            logger.warning("%s: %s; left as it is", store.path, problem, type="paper",
                           subtype="metadata_file")
        records.update(loaded.records)
        writable = True
    domain.use_records(records)

    uses = domain.uses()
    if app.config.arxiv_refresh:
        wanted = set(uses) | set(records)
    else:
        wanted = set(uses) - set(records)
    if not wanted:
        return
    if app.config.arxiv_offline:
        _warn_missing(uses, {base: "offline" for base in wanted - set(records)})
        return

    fetcher = ArxivFetcher(app.config.arxiv_api_url, timeout=app.config.arxiv_timeout,
                           delay=app.config.arxiv_request_delay)
    logger.info("fetching arXiv metadata for %d papers from %s", len(wanted),
                app.config.arxiv_api_url)
    report = fetcher.fetch(wanted)
    records.update(report.records)
    if report.records and writable:
        _save(store, report.records)
    _warn_report(uses, report)


def _save(store: MetadataFile, records: dict[str, PaperRecord]) -> None:
    try:
        if store.save(records):
            logger.info("saved %d fetched records to %s", len(records), store.path)
    except MetadataFileError as err:
        logger.warning("%s", err, type="paper", subtype="metadata_file")


def _warn_report(uses: dict[str, list[tuple[str, int | None]]], report: FetchReport) -> None:
    for failure in report.failures:
        needed = [base for base in failure.ids if base in uses]
        logger.warning("could not fetch %d paper(s) from arXiv: %s. Needed by %s",
                       len(failure.ids), failure.reason, _places(uses, needed) or "no page",
                       type="paper", subtype=failure.subtype,
                       location=uses[needed[0]][0] if needed else None)
    _warn_missing(uses, {base: "not_found" for base in report.not_found if base in uses})


def _warn_missing(uses: dict[str, list[tuple[str, int | None]]], why: dict[str, str]) -> None:
    for base in sorted(why):
        logger.warning("no metadata for arXiv:%s (%s); it is shown by its ID only. Used at %s",
                       base, _MISSING[why[base]], _pages(uses[base]),
                       type="paper", subtype=why[base], location=uses[base][0])


def _places(uses: dict[str, list[tuple[str, int | None]]], bases: Iterable[str]) -> str:
    """``3012.00001 (papers/a:3, papers/b:12); ...``"""
    return "; ".join(f"{base} ({_pages(uses[base])})" for base in bases)


def _pages(places: list[tuple[str, int | None]]) -> str:
    return ", ".join(f"{docname}:{line}" for docname, line in places)

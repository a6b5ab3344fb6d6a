"""Bringing the metadata the pages need into the build, once, after reading.

Runs in the main process on ``env-updated``: loads the metadata file, fetches
what it lacks from each paper's source (unless offline, or the source could not be
reached a moment ago), saves, and warns once per problem, naming the papers and the
pages that need them.
"""

from __future__ import annotations

import logging as pylogging
import time
from collections.abc import Iterable, Iterator, Set
from contextlib import contextmanager
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from types import ModuleType

from .domain import PaperDomain
from ..data.fetch import FetchReport, Missing, Outage, outage_file
from ..data.ids import parse_paper_id, source
from ..data.metadata import MetadataFile, MetadataFileError, PaperRecord
from ..data.sentences import counted

logger = logging.getLogger(__name__)

#: In the doctree folder: the last load of the metadata file (see ``MetadataFile.load``).
RECORDS_CACHE = "arxiv-records.pickle"
#: The HTTP client's loggers, whose lines (urllib3's "Retrying ...") would
#: otherwise be printed raw into the build's output.
CLIENT_LOGGERS = ("urllib3", "arxiv", "requests")


def sync_metadata(app: Sphinx, env: BuildEnvironment) -> None:
    domain: PaperDomain = env.domains["paper"]
    store = _metadata_file(app)
    records: dict[str, PaperRecord] = {}
    owners: dict[str, str] | None = None  # stays None when the file cannot be written
    try:
        loaded = store.load(cache=_records_cache(app))
    except MetadataFileError as err:
        logger.warning("%s", err, type="paper", subtype="metadata_file")
    else:
        for problem in loaded.problems:
            logger.warning("%s: %s; left as it is", store.path, problem, type="paper",
                           subtype="metadata_file")
        records.update(loaded.records)
        owners = loaded.commentaries
    domain.use_records(records, owners)

    used = domain.used()
    if app.config.arxiv_refresh or app.config.arxiv_prune:
        _unused(store, records, used, prune=app.config.arxiv_prune and owners is not None)
    if app.config.arxiv_refresh:
        wanted = used | set(records)
    else:
        wanted = used - set(records)
    if not wanted:
        return
    # Where each paper is used, for the warnings: 90,000 places at 10,000 pages, so
    # only once something is missing.
    uses = domain.uses()
    by_source: dict[str, set[str]] = {}
    for base in wanted:
        by_source.setdefault(parse_paper_id(base).source, set()).add(base)
    for name, bases in sorted(by_source.items()):
        fetched = _fetch_from(app, source(name), bases, uses, records)
        if app.config.arxiv_refresh:
            _report_changes(records, fetched)
        records.update(fetched)
        if fetched and owners is not None:
            _save(store, fetched, cache=_records_cache(app))


def _fetch_from(app: Sphinx, paper_source: ModuleType, wanted: set[str],
                uses: dict[str, list[tuple[str, int | None]]],
                records: dict[str, PaperRecord]) -> dict[str, PaperRecord]:
    """The records of ``wanted`` that ``paper_source`` gives; warnings for the others."""
    service = paper_source.SERVICE
    if app.config.arxiv_offline:
        _warn_missing(uses, {base: Missing.OFFLINE for base in wanted - set(records)},
                      records, service)
        return {}
    api_url = app.config[paper_source.API_SETTING]
    outage_path = Path(app.doctreedir) / outage_file(paper_source.NAME)
    outage = Outage.recent(outage_path, api_url)
    if outage is not None:
        _warn_outage(uses, wanted, outage, outage_path, service)
        return {}

    fetcher = paper_source.fetcher(app.config)
    logger.info("fetching %s metadata for %s from %s", service,
                counted(len(wanted), "paper"), api_url)
    with _client_logs_verbose():
        report = fetcher.fetch(wanted)
    if failure := report.out_of_reach:
        Outage(api_url, time.time(), failure.subtype, failure.reason).save(outage_path)
    else:
        outage_path.unlink(missing_ok=True)
    _warn_report(uses, report, records, service,
                 paper_source.NOT_FOUND)
    return report.records


def _unused(store: MetadataFile, records: dict[str, PaperRecord], used: Set[str],
            prune: bool) -> None:
    """List the records no page uses; with ``prune``, remove them from the file (and
    from ``records``, so that they are not fetched again).

    Said as information, not as a warning: a record nobody uses harms no page, and
    under ``-W`` a warning would fail the refresh that reports it.
    """
    unused = sorted(records.keys() - used)
    if not unused:
        return
    if not prune:
        logger.info("%s holds %s that no page uses: %s (make refresh-metadata "
                    "PRUNE=1 removes them)", store.path, counted(len(unused), "record"),
                    ", ".join(unused))
        return
    try:
        store.remove(unused)
    except MetadataFileError as err:
        logger.warning("%s", err, type="paper", subtype="metadata_file")
        return
    for base in unused:
        del records[base]
    logger.info("removed %s that no page uses from %s: %s", counted(len(unused), "record"),
                store.path, ", ".join(unused))


def _report_changes(old: dict[str, PaperRecord], new: dict[str, PaperRecord]) -> None:
    """One line for each refreshed paper whose record says something new."""
    changed = 0
    for base in sorted(old.keys() & new.keys()):
        if news := _news(old[base], new[base]):
            changed += 1
            logger.info("%s: %s", parse_paper_id(base).label, "; ".join(news))
    logger.info("refreshed %s; %d changed as above",
                counted(len(old.keys() & new.keys()), "record"), changed)


def _news(before: PaperRecord, after: PaperRecord) -> list[str]:
    """What a refreshed record tells that the stored one did not."""
    news = []
    if after.version > before.version:
        news.append(f"new version v{after.version} of {after.updated} (was v{before.version})")
    if after.title != before.title:
        news.append(f"title changed from {before.title!r} to {after.title!r}")
    if after.doi and after.doi != before.doi:
        news.append(f"now has the DOI {after.doi}")
    if after.journal_ref and after.journal_ref != before.journal_ref:
        news.append(f"now has the journal reference {after.journal_ref!r}")
    if after.withdrawn and not before.withdrawn:
        news.append(f"withdrawn ({after.comment!r})")
    if after.decision and after.decision != before.decision:
        news.append(f"decision {after.decision!r}"
                    + (f" (was {before.decision!r})" if before.decision else ""))
    if after.venue and after.venue != before.venue:
        news.append(f"now published in {after.venue!r}")
    return news


class _VerboseHandler(pylogging.Handler):
    """Hands the HTTP client's log records to Sphinx, which shows them at ``-v``."""

    def emit(self, record: pylogging.LogRecord) -> None:
        logger.verbose("%s: %s", record.name, record.getMessage())


@contextmanager
def _client_logs_verbose() -> Iterator[None]:
    handler = _VerboseHandler(pylogging.INFO)
    saved = []
    for name in CLIENT_LOGGERS:
        client_logger = pylogging.getLogger(name)
        saved.append((client_logger, client_logger.level, client_logger.propagate))
        client_logger.addHandler(handler)
        client_logger.setLevel(pylogging.INFO)
        client_logger.propagate = False
    try:
        yield
    finally:
        for client_logger, level, propagate in saved:
            client_logger.removeHandler(handler)
            client_logger.setLevel(level)
            client_logger.propagate = propagate


def _warn_outage(uses: dict[str, list[tuple[str, int | None]]], wanted: set[str],
                 outage: Outage, outage_path: Path, service: str) -> None:
    needed = sorted(base for base in wanted if base in uses)
    if not needed:
        return
    logger.warning("did not ask %s for %s: %s. Needed by %s", service,
                   counted(len(needed), "paper"), outage.explained(outage_path),
                   _places(uses, needed),
                   type="paper", subtype=outage.subtype, location=uses[needed[0]][0])


def _save(store: MetadataFile, records: dict[str, PaperRecord],
          owners: dict[str, str] | None = None, *, cache: Path) -> None:
    try:
        if not store.save(records, owners):
            return
        if records:
            logger.info("saved %s fetched to %s", counted(len(records), "record"), store.path)
        # The next build, often an author's first edit, finds the file as this build
        # left it in the cache: it would otherwise compare every record with it.
        store.load(cache=cache)
    except MetadataFileError as err:
        logger.warning("%s", err, type="paper", subtype="metadata_file")


def _warn_report(uses: dict[str, list[tuple[str, int | None]]], report: FetchReport,
                 records: dict[str, PaperRecord], service: str, not_found: str) -> None:
    for failure in report.failures:
        needed = [base for base in failure.ids if base in uses]
        logger.warning("could not fetch %s from %s: %s. Needed by %s",
                       counted(len(failure.ids), "paper"), service, failure.reason,
                       _places(uses, needed) or "no page", type="paper",
                       subtype=failure.subtype, location=uses[needed[0]][0] if needed else None)
    _warn_missing(uses, {base: Missing.NOT_FOUND for base in report.not_found if base in uses},
                  records, service, not_found)


def _warn_missing(uses: dict[str, list[tuple[str, int | None]]], why: dict[str, Missing],
                  records: dict[str, PaperRecord], service: str,
                  not_found: str = "") -> None:
    reasons = {Missing.NOT_FOUND: not_found,
               Missing.OFFLINE: "arxiv_offline is set, so nothing was fetched"}
    for base in sorted(why):
        if base in records:  # a refresh: what the metadata file holds stays
            message = (f"{service} no longer returns %s (%s); the record the metadata "
                       "file holds is kept and shown. Used at %s")
        else:
            message = "no metadata for %s (%s); it is shown by its ID only. Used at %s"
        logger.warning(message, parse_paper_id(base).label, reasons[why[base]],
                       _pages(uses[base]), type="paper", subtype=why[base],
                       location=uses[base][0])


def _places(uses: dict[str, list[tuple[str, int | None]]], bases: Iterable[str]) -> str:
    """``3012.00001 (papers/a:3, papers/b:12); ...``"""
    return "; ".join(f"{base} ({_pages(uses[base])})" for base in bases)


def _pages(places: list[tuple[str, int | None]]) -> str:
    return ", ".join(f"{docname}:{line}" for docname, line in places)


def remember_owners(app: Sphinx, env: BuildEnvironment) -> None:
    """Write down the page that keeps each paper's commentary, once the view has it.

    A paper is newly noted only with a record: an ID arXiv does not know (a typo) is
    no paper, and noting it would keep it for this page in every later build. What
    the file notes already stays while its page keeps the paper, readable record or not.
    """
    domain: PaperDomain = env.domains["paper"]
    kept = domain.kept_owners
    if kept is None:
        return
    owners = {base: docname for base, docname in domain.owners().items()
              if domain.record(base) is not None or kept.get(base) == docname}
    if kept != owners:
        _save(_metadata_file(app), {}, owners, cache=_records_cache(app))


def _records_cache(app: Sphinx) -> Path:
    return Path(app.doctreedir) / RECORDS_CACHE


def _metadata_file(app: Sphinx) -> MetadataFile:
    return MetadataFile(Path(app.confdir) / app.config.arxiv_metadata_file)

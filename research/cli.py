"""Command line: ``research demo | brief | batch | import | collect | formats | renormalise | train-sentiment
| sentiment-sample``.

The CLI is the only place that prints or exits: it maps library calls to progress bars,
one-sentence errors on stderr and exit statuses (0 success, 1 some work failed,
2 bad input).
"""

from __future__ import annotations

import argparse
import errno
import sys
import warnings
from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from research import redact
from research.errors import ResearchError


def _say(*values: object, file: Any = None, end: str = "\n") -> None:
    """Print a line with every known secret masked and every URL without credentials (`research.redact`).

    NOTE: the one way the CLI writes: a server may echo a password in an error, a mirror's URL
    may hold one; whatever the library says reaches the terminal only through here.
    """
    print(redact.message(" ".join(map(str, values)), _SECRETS), file=file, end=end)


_SECRETS: list[str] = []  # filled by main from the environment

# Shipped in the package (research/run/demo.yaml is params/demo.yaml), so a wheel runs the demo too.
DEMO_PARAMS = Path(__file__).parent / "run" / "demo.yaml"
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def _bar(desc: str, total: int | None) -> AbstractContextManager[Any]:
    from tqdm import tqdm

    unit = "records" if desc.startswith("import") else "it"
    return tqdm(
        desc=desc,
        total=total,
        unit=unit,
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        mininterval=0.5,
        disable=None,
    )  # disable=None: no bar when stderr is not a terminal (CI logs, pipes)


def _brief(params_path: Path, args: argparse.Namespace) -> int:
    from research.params import load_params
    from research.run.pipeline import run_brief

    params = load_params(params_path)
    brief = run_brief(
        params,
        args.workspace,
        day=args.date,
        notebooks=args.notebooks,
        bar=_bar,
        gather_sources=not args.no_gather,
    )
    _say(f"brief written: {brief}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Run the whole pipeline on the bundled demo world, offline."""
    return _brief(DEMO_PARAMS, args)


def cmd_brief(args: argparse.Namespace) -> int:
    return _brief(Path(args.params), args)


def cmd_batch(args: argparse.Namespace) -> int:
    from research.run.batch import run_batch, summary_lines

    outcomes = run_batch(
        args.folder, args.workspace, workers=args.workers, dask=args.dask, day=args.date, bar=_bar
    )
    _say("\n".join(summary_lines(outcomes)))
    return 0 if all(o.ok for o in outcomes) else 1


def cmd_import(args: argparse.Namespace) -> int:
    from research.params import ImportSource
    from research.store import Store

    # The same options, checked the same way, as a params source's.
    source = _import_source(
        ImportSource,
        {
            "import": args.format,
            "path": "-",
            "timezone": args.timezone,
            "mapping": dict(_pair(m) for m in args.map) if args.map else None,
            "platform": args.platform,
            "author": args.author,
            "date_format": args.date_format,
        },
    )
    store = Store(args.workspace, args.client)
    failed = []

    def refused(path: Path, error: ResearchError) -> None:
        # Many files (a shell glob of a folder): one that cannot be read does not stop the others.
        _say(f"research: error: {error}", file=sys.stderr)
        failed.append(path)

    given = {"format": args.format, "options": source.options(), "observed_at": args.observed_at, "bar": _bar}
    if len(args.paths) == 1:
        reports = [store.import_file(args.paths[0], **given)]
    else:  # one merge for them all
        reports = store.import_files([(path, given) for path in args.paths], on_error=refused)
    for report in reports:
        _say(report.summary())
        for warning in report.warnings():
            _say(f"  warning: {warning}", file=sys.stderr)
        if report.rejected and report.raw_file:
            _say(
                f"  set-aside records with line numbers: {report.raw_file.removesuffix('.jsonl')}.rejected.jsonl"
            )
    if failed:
        _say(f"research: {len(failed)} of {len(args.paths)} files could not be imported", file=sys.stderr)
    return 2 if failed else 0


def _import_source(model: Any, given: dict[str, Any]) -> Any:
    from pydantic import ValidationError

    from research.errors import ParamsError

    try:
        return model.model_validate({k: v for k, v in given.items() if v is not None})
    except ValidationError as e:
        error = e.errors()[0]
        option = "--" + str(error["loc"][0]).replace("_", "-")
        raise ParamsError(f"{option}: {error['msg']}") from None


def cmd_collect(args: argparse.Namespace) -> int:
    """``research collect``: run one collector for the accounts and hashtags given; a line per target."""
    from research.errors import CollectorError
    from research.sources import COLLECTORS
    from research.sources.collect import Query
    from research.store import Store

    collector = COLLECTORS.get(args.source)
    if collector is None:
        raise ResearchError(
            f"--source {args.source!r} is not a known collector (known: {', '.join(sorted(COLLECTORS))})"
        )
    if collector.status() != "works":
        how = f" ({collector.setup})" if collector.setup else ""
        raise CollectorError(f"collector {args.source!r} {collector.status()}{how}")
    collector = collector.configure(quota=args.quota)
    targets = collector.make_targets(args.account or [], args.hashtag or [], args.instance)
    if not targets:
        raise ResearchError("give at least one --account or --hashtag to collect")
    query = Query.from_dates(args.since, args.until, max_posts=args.max_posts)
    store = Store(args.workspace, args.client)
    failed = 0

    def show(report: Any) -> None:
        nonlocal failed
        _say(report.summary(), file=sys.stderr if report.error else sys.stdout)
        failed += bool(report.error)

    collector.collect(store, targets, query, bar=_bar, each=show)
    return 1 if failed else 0


def cmd_schema(args: argparse.Namespace) -> int:
    _say(schema_markdown(), end="")
    return 0


def schema_markdown() -> str:
    from research.schema import ACCOUNTS, PLATFORMS, POSTS

    """The schema as Markdown tables: the source of ``docs/schema.md``."""
    lines = [
        "# Canonical schema",
        "",
        "Generated from `research/schema/columns.py` by `make docs` (`research schema > docs/schema.md`); do not edit by hand.",
        "",
        "NULL in a count means the source does not provide it; 0 means zero. Ids are strings. "
        "Timestamps are tz-aware UTC. List columns hold lists of strings.",
    ]
    for table, cols in (("posts", POSTS), ("accounts", ACCOUNTS)):
        keys = ", ".join(c.name for c in cols if c.key)
        lines += ["", f"## `{table}` (key: {keys})", "", "| column | type | meaning |", "|---|---|---|"]
        for c in cols:
            lines.append(f"| `{c.name}` | {c.kind} (`{c.dtype}`) | {c.doc} |")
    lines += ["", f"Known platforms: {', '.join(f'`{p}`' for p in PLATFORMS)}.", ""]
    return "\n".join(lines)


def cmd_formats(args: argparse.Namespace) -> int:
    from research import sources

    _say("Import formats (research import --format NAME, or auto):")
    for fmt in sorted(sources.FORMATS.values(), key=lambda f: f.name):
        _say(f"  {fmt.name:<22} {fmt.status:<8} {','.join(fmt.platforms):<28} {fmt.reads}")
    _say("Collectors (research collect --source NAME):")
    if not sources.COLLECTORS:
        _say("  (none)")
    width = max([8, *(len(c.status()) for c in sources.COLLECTORS.values())])
    for name, col in sorted(sources.COLLECTORS.items()):
        _say(f"  {name:<22} {col.status():<{width}} {col.platform:<10} {col.reads}")
        if col.status() != "works" and col.setup:
            _say(f"  {'':<22} {'':<{width}} {'':<10} to set up: {col.setup}")
    return 0


def cmd_renormalise(args: argparse.Namespace) -> int:
    from research.store import Store

    posts, accounts = Store(args.workspace, args.client).renormalise()
    _say(f"rebuilt data/processed/{args.client}: {posts} posts, {accounts} accounts")
    return 0


def cmd_train_sentiment(args: argparse.Namespace) -> int:
    """Rebuild the shipped sentiment models from the corpus, or adapt them to a client's labels."""
    if args.labels:
        from research.analyses.sentiment.labels import adapt, read_labels

        if not args.out and not args.client:
            raise ResearchError("--labels needs --client (writes data/models/<client>/) or --out DIR")
        out = args.out or args.workspace / "data" / "models" / args.client
        report = adapt(read_labels(args.labels, lang=args.lang), out, held_out=args.held_out)
        for name, entry in report.items():
            if "skipped" in entry:
                print(f"{name}: {entry['rows']} rows skipped: {entry['skipped']}")
                continue
            before, after = entry["shipped"], entry["adapted"]
            print(f"{name}: {entry['rows']} labelled rows, trained on {entry['trained_on']}, "
                  f"held out {entry['held_out']}: accuracy {before['accuracy']:.1%} shipped -> "
                  f"{after['accuracy']:.1%} adapted (macro-F1 {before['macro_f1']:.3f} -> {after['macro_f1']:.3f}); "
                  f"confusion {entry['confusion']}")  # fmt: skip
            print(f"  written: {entry['path']}")
        return 0
    from research.analyses.sentiment.model import MODELS_DIR
    from research.analyses.sentiment.train import LANGUAGES, train_all

    if not (args.corpus / "sentiment-train").is_dir():
        raise ResearchError(
            f"--corpus {args.corpus}: no sentiment-train/ folder there (the shared corpus is needed)"
        )
    languages = args.languages.split(",") if args.languages else list(LANGUAGES)
    unknown = sorted(set(languages) - set(LANGUAGES))
    if unknown:
        raise ResearchError(f"--languages: {', '.join(unknown)} not among {', '.join(LANGUAGES)}")
    out = args.out or MODELS_DIR
    paths = train_all(args.corpus, out, languages=languages,
                      progress=lambda lang: print(f"training {lang} ...", file=sys.stderr, flush=True))  # fmt: skip
    for path in paths:
        print(f"written: {path} and {path.with_suffix('.npz').name}")
    print(f"model card: {Path(out) / 'MODEL_CARD.md'}")
    return 0


def cmd_sentiment_sample(args: argparse.Namespace) -> int:
    """Write a stratified sample of the client's brand mentions to label by hand."""
    from research.analyses.competitors import brand_mentions
    from research.analyses.sentiment.labels import sample_for_labelling
    from research.analyses.text import detect_languages
    from research.brands import brand_of_author
    from research.params import load_params
    from research.store import Store

    params = load_params(Path(args.params))
    posts = Store(args.workspace, params.client).posts()
    brands = params.brands()
    audience = posts[brand_of_author(posts, brands).isna() & posts["repost_of_post_id"].isna()]
    mentions = audience[brand_mentions(audience, brands).any(axis=1)]
    if mentions.empty:
        raise ResearchError(f"no stored post of {params.client} mentions a brand; import data first")
    langs = mentions["lang"].astype("string")
    if langs.isna().any():
        langs = langs.fillna(detect_languages(mentions["text"], params.languages or ["en"]))
    sample = sample_for_labelling(mentions["text"], langs, args.n, seed=args.seed)
    out = args.out or args.workspace / "data" / "labels" / f"{params.client}-to-label.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    sample.to_csv(out, index=False)
    print(
        f"{len(sample)} mentions to label (of {len(mentions)}), stratified by language and predicted label: {out}"
    )
    print("fill the label column (positive/neutral/negative), then: "
          f"research train-sentiment --labels {out} --client {params.client}")  # fmt: skip
    return 0


def _pair(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise ResearchError(f"--map {text!r}: expected CANONICAL=FILE_COLUMN, e.g. text=content")
    key, _, value = text.partition("=")
    return key.strip(), value.strip()


def _datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no timezone; add one, e.g. {text}+00:00")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="research", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--workspace", type=Path, default=Path("."), help="folder holding data/ and reports/ (default: .)"
    )

    brief_opts = argparse.ArgumentParser(add_help=False)
    brief_opts.add_argument("--date", type=date.fromisoformat, help="report date folder (default: today)")
    brief_opts.add_argument(
        "--notebooks", type=Path, help="folder of NN_*.ipynb notebooks (default: the bundled ones)"
    )
    brief_opts.add_argument(
        "--no-gather", action="store_true", help="skip import/collect; use the data already stored"
    )

    p = sub.add_parser(
        "demo", parents=[common, brief_opts], help="whole pipeline on the bundled demo world, offline"
    )
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser(
        "brief",
        parents=[common, brief_opts],
        help="import/collect as params say, run notebooks, write the brief",
    )
    p.add_argument("params", help="params/<client>.yaml")
    p.set_defaults(func=cmd_brief)
    p = sub.add_parser("batch", parents=[common], help="one brief per params file in a folder")
    p.add_argument("folder", help="folder of params YAML files")
    p.add_argument("--workers", type=int, default=2, help="parallel local processes (default: 2)")
    p.add_argument("--dask", metavar="ADDRESS", help="run on a Dask distributed scheduler instead")
    p.add_argument("--date", type=date.fromisoformat, help="report date folder (default: today)")
    p.set_defaults(func=cmd_batch)
    p = sub.add_parser("import", parents=[common], help="import files into data/raw and data/processed")
    p.add_argument("--client", required=True, help="client slug (names the data folders)")
    p.add_argument("--format", default="auto", help="import format (see `research formats`; default: auto)")
    p.add_argument(
        "--observed-at", type=_datetime, help="when the file's counts were observed (default: file time)"
    )
    p.add_argument("--timezone", help="zone of naive timestamps in the file, if it has any")
    p.add_argument(
        "--map", action="append", metavar="CANONICAL=COLUMN", help="column mapping for generic CSV/XLSX"
    )
    p.add_argument("--platform", help="platform of the posts, when the file does not say (generic CSV/XLSX)")
    p.add_argument(
        "--author", metavar="HANDLE", help="the account of a one-account export with no author column"
    )
    p.add_argument("--date-format", help="how to read ambiguous dates, e.g. %%d/%%m/%%y (generic CSV/XLSX)")
    p.add_argument(
        "paths",
        nargs="+",
        help="files to import (several: one merge of them all; one unreadable file does not stop the others)",
    )
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("collect", parents=[common], help="fetch public posts from the network (resumable)")
    p.add_argument("--client", required=True)
    p.add_argument("--source", required=True, help="collector name (see `research formats`)")
    p.add_argument("--account", action="append", default=[], help="account handle to collect (repeatable)")
    p.add_argument("--hashtag", action="append", default=[], help="hashtag to collect (repeatable)")
    p.add_argument("--instance", help="server, e.g. mastodon.social")
    p.add_argument("--since", type=date.fromisoformat, help="oldest day to collect")
    p.add_argument("--until", type=date.fromisoformat, help="newest day to collect")
    p.add_argument("--max", type=int, dest="max_posts", help="stop after this many posts per target")
    p.add_argument(
        "--quota",
        type=int,
        help="youtube: quota units this run may spend (default 9000 of the key's 10000 a day)",
    )
    p.set_defaults(func=cmd_collect)
    p = sub.add_parser("formats", help="list import formats and collectors with their status")
    p.set_defaults(func=cmd_formats)
    p = sub.add_parser(
        "train-sentiment",
        parents=[common],
        help="rebuild the sentiment models, or adapt them to a client's labels",
    )
    p.add_argument(
        "--corpus", type=Path, default=DEFAULT_CORPUS, help=f"the shared corpus (default: {DEFAULT_CORPUS})"
    )
    p.add_argument(
        "--out", type=Path, help="folder for the models (default: the package's, or data/models/<client>/)"
    )
    p.add_argument("--languages", help="comma-separated subset of en,ru,hi,hi-Latn (default: all)")
    p.add_argument(
        "--labels", type=Path, metavar="CSV", help="client labels: columns text,label[,lang][,weight]"
    )
    p.add_argument("--client", help="client slug: adapted models go to data/models/<client>/")
    p.add_argument("--lang", help="language of label rows without a lang column (en, ru, hi, hi-Latn)")
    p.add_argument(
        "--held-out", type=float, default=0.25, help="share of the labels held out to measure (default 0.25)"
    )
    p.set_defaults(func=cmd_train_sentiment)
    p = sub.add_parser(
        "sentiment-sample", parents=[common], help="a stratified sample of brand mentions to label"
    )
    p.add_argument("params", help="params/<client>.yaml")
    p.add_argument("--n", type=int, default=300, help="rows to draw (default 300)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, help="CSV to write (default: data/labels/<client>-to-label.csv)")
    p.set_defaults(func=cmd_sentiment_sample)
    p = sub.add_parser("renormalise", parents=[common], help="rebuild processed tables from raw files")
    p.add_argument("--client", required=True)
    p.set_defaults(func=cmd_renormalise)
    p = sub.add_parser("schema", help="print the canonical schema as Markdown (docs/schema.md)")
    p.set_defaults(func=cmd_schema)
    return parser


_OS_ADVICE = {
    errno.ENOSPC: "free some space and run again",
    errno.EDQUOT: "free some space (or raise the quota) and run again",
    errno.EROFS: "give a --workspace that can be written",
    errno.EACCES: "you may not write there; give a --workspace you own",
    errno.EPERM: "you may not write there; give a --workspace you own",
}


def _os_sentence(error: OSError) -> str:
    """One sentence for an error of the system: the path, what happened, what to do."""
    where = error.filename if error.filename is not None else "a file of the workspace"
    what = (error.strerror or str(error) or type(error).__name__).rstrip(".")
    advice = _OS_ADVICE.get(error.errno or -1)
    tail = (
        "; nothing half-written counts as done: the next run finishes what this one started"
        if error.errno in (errno.ENOSPC, errno.EDQUOT)
        else ""
    )
    return f"{where}: {what[:1].lower() + what[1:]}" + (f"; {advice}" if advice else "") + tail


def main(argv: Sequence[str] | None = None) -> int:
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="snscrape")
    args = build_parser().parse_args(argv)
    _SECRETS[:] = redact.known_secrets()
    try:
        if getattr(args, "client", None) is not None:
            from research.store import check_client

            check_client(args.client)  # first: nothing is made under a client that could leave the workspace
        return args.func(args)
    except ResearchError as e:
        _say(f"research: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # the system refused: a full disk, a read-only or foreign folder
        _say(f"research: error: {_os_sentence(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _say(
            "research: interrupted; nothing half-done is kept as done: the next run on this workspace "
            "finishes or removes what this one left",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())

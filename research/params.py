"""Client params: one YAML per client, validated before anything runs.

Every error is one sentence naming the file and the key path
(``competitors[1].accounts[0].platform``) and what was expected. Unknown keys are
errors (a typo must not silently drop a competitor). Secrets never go in params:
papermill copies parameters into every executed notebook, so they come from the
environment instead.
"""

from __future__ import annotations

import re
import typing
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from research.analyses import metrics
from research.brands import Brand
from research.errors import InputError, ParamsError
from research.redact import SECRET_NAME
from research.schema import PLATFORMS, Platform
from research.store import check_client

__all__ = [
    "Params",
    "AccountRef",
    "BrandSpec",
    "Period",
    "ImportSource",
    "CollectSource",
    "GenerateSource",
    "load_params",
    "parse_params",
]

SECRET_KEY = SECRET_NAME
# A params file is a page of settings; the limits keep a hostile one (an alias "billion laughs",
# a document nested thousands deep) from costing minutes before validation can refuse it.
MAX_YAML_VALUES = 100_000  # values once aliases are expanded; a real params file has hundreds
MAX_YAML_DEPTH = 64


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# A YouTube channel id (``UC`` + 22 characters) is case-sensitive: it keeps its case.
YOUTUBE_CHANNEL_ID = re.compile(r"^UC[0-9A-Za-z_-]{22}$")


class AccountRef(_Model):
    """A brand's account: ``handle`` without '@' (or Reddit's ``u/``), lower-cased; a YouTube
    ``UC…`` channel id keeps its case."""

    platform: Platform
    handle: str

    @field_validator("handle")
    @classmethod
    def _handle(cls, v: str, info: ValidationInfo) -> str:
        v = v.strip().lstrip("@")
        platform = info.data.get("platform")
        if platform == "reddit":  # a user, as Reddit writes them: u/name
            v = re.sub(r"^/?u(ser)?/", "", v)
        if not v:
            raise ValueError("handle is empty")
        return v if platform == "youtube" and YOUTUBE_CHANNEL_ID.match(v) else v.lower()


class BrandSpec(_Model):
    name: str = Field(min_length=1)
    accounts: list[AccountRef] = Field(min_length=1)
    # Other names people write for the brand (a Latin spelling, a short name): matched as whole
    # words, like the name itself; inflected forms of either are matched without listing them.
    aliases: list[str] = Field(default_factory=list)


class Period(_Model):
    """Either ``{start, end}`` (inclusive dates) or ``{last_days: N}`` ending yesterday."""

    start: date | None = None
    end: date | None = None
    last_days: int | None = Field(default=None, ge=1, le=3660)

    @model_validator(mode="after")
    def _one_form(self) -> Period:
        if self.last_days is not None and (self.start or self.end):
            raise ValueError("give either start/end or last_days, not both")
        if self.last_days is None and not (self.start and self.end):
            raise ValueError("give start and end dates, or last_days")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        """Inclusive ``(start, end)`` dates of the analysis period."""
        if self.last_days is not None:
            end = (today or date.today()) - timedelta(days=1)
            return end - timedelta(days=self.last_days - 1), end
        return self.start, self.end  # type: ignore[return-value]


class ImportSource(_Model):
    """``{import: FORMAT|auto, path: FILE}``: a file to import (path relative to the params file)."""

    import_: str = Field(alias="import")
    path: str
    mapping: dict[str, str] | None = None  # canonical column -> file column, for generic CSV/XLSX
    timezone: str | None = None  # the zone of naive timestamps in the file, if it has any
    observed_at: datetime | None = None  # when the file's counts were observed
    platform: Platform | None = None  # what the file does not say itself: the platform of its posts
    author: str | None = None  # ... the account of a one-account export without an author column
    date_format: str | None = None  # ... how to read ambiguous dates, e.g. "%d/%m/%y"

    def options(self) -> dict[str, Any]:
        """The import options this source gives (the ones it leaves out are not passed)."""
        given = {
            "mapping": self.mapping,
            "timezone": self.timezone,
            "platform": self.platform,
            "author": self.author.strip().lstrip("@").lower() if self.author else None,
            "date_format": self.date_format,
        }
        return {k: v for k, v in given.items() if v}


class CollectSource(_Model):
    """``{collect: COLLECTOR}``: fetch from the network for the params' accounts and hashtags.

    The brands' accounts on the collector's platform are collected, and ``accounts`` besides
    (YouTube ``@handle`` or ``UC…`` id, VK screen name or owner id, Reddit ``r/NAME`` or
    ``u/NAME``). ``quota`` is the YouTube quota units a run may spend.
    """

    collect: str
    instance: str | None = None  # e.g. a Mastodon server
    max_posts: int | None = Field(default=None, ge=1)
    accounts: list[str] | None = None
    quota: int | None = Field(default=None, ge=1, le=1_000_000)

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not all(a.strip().lstrip("@") for a in v):
            raise ValueError("an account is empty")
        return v

    @model_validator(mode="after")
    def _quota_is_youtube(self) -> CollectSource:
        if self.quota is not None and self.collect != "youtube":
            raise ValueError(f"quota applies to collect: youtube only, not {self.collect!r}")
        return self


class GenerateSource(_Model):
    """``{generate: demo-world}``: the bundled, seeded demo market (offline)."""

    generate: Literal["demo-world"]
    seed: int = 20261126
    posts: int = Field(default=24_000, ge=100)


Source = ImportSource | CollectSource | GenerateSource
_SOURCE_KINDS = {"import": ImportSource, "collect": CollectSource, "generate": GenerateSource}


class Privacy(_Model):
    pseudonymize_audience: bool = False


class Params(_Model):
    client: str
    title: str = ""
    timezone: str = "UTC"
    period: Period
    brand: BrandSpec
    competitors: list[BrandSpec] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)
    sources: list[dict[str, Any]] = Field(default_factory=list)
    privacy: Privacy = Privacy()
    # Accounts the suspicion rules flag (coordinated or automated) are left out of market-level
    # analyses (share of voice, mention sentiment, hashtags, audience profile); the brief shows
    # what they change. False keeps them in, for a market where the flag is known to misfire.
    exclude_flagged_accounts: bool = True
    path: Path | None = Field(default=None, exclude=True)  # the params file, set by load_params

    @field_validator("client")
    @classmethod
    def _slug(cls, v: str) -> str:
        try:
            return check_client(v)
        except InputError as e:
            raise ValueError(str(e).removeprefix("client ")) from None

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not an IANA timezone such as Asia/Kolkata or Europe/Moscow") from None
        return v

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lstrip("#").lower() for t in v if t.strip().lstrip("#")))

    def brands(self) -> list[Brand]:
        """The client first, then competitors, as ``Brand`` objects."""

        def make(spec: BrandSpec, role: str) -> Brand:
            return Brand(spec.name, role, tuple((a.platform, a.handle) for a in spec.accounts))  # type: ignore[arg-type]

        return [make(self.brand, "client")] + [make(c, "competitor") for c in self.competitors]

    def source_specs(self) -> list[Source]:
        return [
            _SOURCE_KINDS[next(k for k in _SOURCE_KINDS if k in s)].model_validate(s) for s in self.sources
        ]

    def resolve(self, path: str | Path) -> Path:
        """A path from the params, relative to the params file's folder."""
        p = Path(path).expanduser()
        if p.is_absolute() or self.path is None:
            return p
        return self.path.parent / p

    def platforms(self) -> list[str]:
        return sorted({p for b in self.brands() for p, _ in b.accounts})

    def analysis_period(self, today: date | None = None) -> metrics.Period:
        """The analysis period as the analyses take it: dates and the client's timezone."""
        return metrics.Period(*self.period.bounds(today), self.timezone)

    def aliases(self) -> dict[str, list[str]]:
        """Other names people write for each brand, by brand name."""
        return {spec.name: list(spec.aliases) for spec in [self.brand, *self.competitors] if spec.aliases}


def load_params(path: str | Path) -> Params:
    """Read and validate a params YAML file; raise ``ParamsError`` naming the key on any problem."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError("no such params file", path=path)
    try:
        text = path.read_text(encoding="utf-8")
        _check_size(yaml.compose(text, Loader=yaml.SafeLoader), path)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ParamsError(f"not valid YAML{where}: {getattr(e, 'problem', e)}", path=path) from None
    except UnicodeDecodeError as e:
        raise ParamsError(f"not UTF-8 text ({e.reason} at byte {e.start})", path=path) from None
    except RecursionError:  # the YAML parser recurses per level
        raise ParamsError(
            f"nested more than {MAX_YAML_DEPTH} levels deep; not a params file", path=path
        ) from None
    return parse_params(data, path=path)


def _check_size(root: yaml.Node | None, path: Path) -> None:
    """Refuse a document whose values, aliases expanded, are too many or nest too deep.

    Counted on the composed nodes, where an alias is the node it names: linear in the text,
    whatever the aliases would expand to.
    """
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)] if root is not None else []
    while stack:
        node, depth, children_done = stack.pop()
        if depth > MAX_YAML_DEPTH:
            raise ParamsError(f"nested more than {MAX_YAML_DEPTH} levels deep; not a params file", path=path)
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else node.value
        )
        if not children_done:
            stack.append((node, depth, True))
            stack += [(child, depth + 1, False) for child in children if id(child) not in sizes]
            continue
        sizes[id(node)] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[id(node)] > MAX_YAML_VALUES:
            raise ParamsError(
                f"holds more than {MAX_YAML_VALUES:,} values once its aliases (*name) are expanded; "
                "not a params file",
                path=path,
            )


def parse_params(data: Any, *, path: Path | None = None) -> Params:
    """Validate params given as a mapping (``path`` is used for messages and relative paths)."""
    if not isinstance(data, dict):
        raise ParamsError("params must be a YAML mapping of keys such as client, period, brand", path=path)
    _refuse_secrets(data, "", path)
    try:
        params = Params.model_validate({**data, "path": path})
    except ValidationError as e:
        raise _as_params_error(e, Params, path) from None
    for i, source in enumerate(params.sources):
        kinds = [k for k in _SOURCE_KINDS if k in source]
        if len(kinds) != 1:
            raise ParamsError(
                "each source needs exactly one of import, collect or generate", path=path, key=f"sources[{i}]"
            )
        model = _SOURCE_KINDS[kinds[0]]
        try:
            model.model_validate(source)
        except ValidationError as e:
            raise _as_params_error(e, model, path, prefix=f"sources[{i}]") from None
        _check_source_name(source, kinds[0], path, f"sources[{i}].{kinds[0]}")
    return params


def _check_source_name(source: dict, kind: str, path: Path | None, key: str) -> None:
    from research import sources  # late: sources import the schema, not params

    if kind == "import" and source["import"] != "auto" and source["import"] not in sources.FORMATS:
        raise ParamsError(
            f"{source['import']!r} is not a known import format (known: auto, {', '.join(sorted(sources.FORMATS))})",
            path=path,
            key=key,
        )
    if kind == "collect" and source["collect"] not in sources.COLLECTORS:
        known = ", ".join(sorted(sources.COLLECTORS)) or "none installed"
        raise ParamsError(
            f"{source['collect']!r} is not a known collector (known: {known})", path=path, key=key
        )


def _refuse_secrets(data: Any, prefix: str, path: Path | None) -> None:
    if isinstance(data, dict):
        for k, v in data.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            if SECRET_KEY.search(str(k)):
                raise ParamsError(
                    "looks like a secret; secrets must not go in params (papermill copies params into every "
                    "executed notebook): set it as an environment variable or in a .env file instead",
                    path=path,
                    key=key,
                )
            _refuse_secrets(v, key, path)
    elif isinstance(data, list):
        for i, v in enumerate(data):
            _refuse_secrets(v, f"{prefix}[{i}]", path)


def _as_params_error(
    error: ValidationError, model: type[BaseModel], path: Path | None, prefix: str = ""
) -> ParamsError:
    errors = error.errors()
    # A misspelt key also makes the real key "missing": name the misspelling, the cause.
    first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = [str(x) if x != "import" else "import" for x in first["loc"]]
    key = prefix
    for part in first["loc"]:
        key += f"[{part}]" if isinstance(part, int) else (f".{part}" if key else str(part))
    kind, value = first["type"], first.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, list(first["loc"])[:-1])
        message = f"unknown key (allowed here: {', '.join(allowed)})"
    elif kind == "missing":
        message = "is required"
    elif kind == "literal_error" and loc[-1] == "platform":
        message = f"{value!r} is not a known platform (known: {', '.join(PLATFORMS)})"
    else:
        message = first["msg"].removeprefix("Value error, ")
        if value is not None and not isinstance(value, (dict, list)) and repr(value) not in message:
            message += f" (got {value!r})"
    return ParamsError(message, path=path, key=key)


def _allowed_keys(model: type[BaseModel], loc: list) -> list[str]:
    """Field names of the model found at ``loc`` (for 'unknown key' messages)."""
    for part in loc:
        if isinstance(part, int):
            continue
        annotation = model.model_fields[part].annotation
        while typing.get_origin(annotation) in (list, typing.Union, type(int | None)):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return []
        model = annotation
    return [f.alias or name for name, f in model.model_fields.items() if name != "path"]

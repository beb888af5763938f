"""``claimdesk adjudicate FILE --product coverage.json [-o out.csv|out.json] [--trace]``.

The actuary's tool (CLM-C2, SPEC section 5): price a year of claims against a product
change. Input is a JSON list of claims in the vector claim format, or a CSV or Parquet
file with one row per medical expense line, rows of one claim consecutive.

Two engines, the same figures (``--engine``, see :func:`main`): CSV/Parquet lines are
read as columns by Polars and priced by the vectorised ADJ-MED engine
(:mod:`.batch`); JSON, ``--trace`` and whatever that reader does not plainly accept go
through the streamed Decimal path below, where only the claim being read is in memory.

Output, one row per claim: claim_id, payable, reason, eligible, deductible_applied,
grade (and the trace as JSON with ``--trace``), to stdout as CSV or to a .csv/.json/.parquet file
(written to a temporary name and renamed only on success). A progress bar and a summary
line go to stderr. Bad input names the line (or JSON path) and the field; exit code 2.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, TextIO

from claimdesk.errors import ClaimdeskError
from claimdesk.rules.adjudication import (
    AdjudicationResult,
    ExpenseLine,
    MedicalClaim,
    MedicalCoverage,
    Policy,
    adjudicate,
)
from claimdesk.rules.adjudication.errors import (
    AdjudicationInputError,
    MissingField,
    invalid_choice,
)
from claimdesk.rules.adjudication.parsing import (
    amount,
    catalog,
    flag,
    local_date,
    parse_claim,
    parse_coverage,
    parse_history,
    parse_policy,
    ratio,
)
from claimdesk.rules.adjudication.types import NO_HISTORY, ClaimFacts, Coverage, History

EXIT_OK, EXIT_BAD_INPUT = 0, 2
MEDICAL_TYPES = ("medical", "accident_medical")
CSV_REQUIRED = ("claim_id", "date_of_loss", "amount")
# Columns that describe the claim, not the line: every row of a claim must agree.
CSV_CLAIM_COLUMNS = (
    "date_of_loss",
    "policy_start",
    "policy_end",
    "settled_with_social_insurance",
    "social_insurance_paid",
    "other_compensation",
    "coverage_type",
)
OUTPUT_COLUMNS = ("claim_id", "payable", "reason", "eligible", "deductible_applied", "grade")
PROGRESS_MIN_BYTES = 1_000_000


class BadInput(Exception):
    """Where the input is wrong (``line 17`` or ``claims[3]``) and the engine's error."""

    def __init__(self, where: str, error: ClaimdeskError) -> None:
        super().__init__(where)
        self.where = where
        self.error = error

    def describe(self) -> str:
        return f"{self.where}: {self.error.message('en')} / {self.error.message('zh-CN')}"


@dataclass(frozen=True, slots=True)
class Job:
    """One claim ready for the engine."""

    claim_id: str
    coverage: Coverage
    claim: ClaimFacts
    policy: Policy | None
    history: History
    lines: int


# -- the product -------------------------------------------------------------------------


def load_product(path: Path | None, version: int | None = None) -> list[Coverage]:
    """A coverage object, ``{"coverage": {...}}``, ``{"coverages": [...]}``, or a product
    file as exported by ``GET /api/v1/products/{id}/export`` (the version named, else the
    latest published one) — so an actuary prices claims against the very definition the
    insurer keeps in version control."""
    if path is None:
        return []
    where = f"{path}"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(where, _unreadable(str(error))) from None
    try:
        if isinstance(data, dict) and isinstance(data.get("versions"), list):
            data = {"coverages": _exported_coverages(data["versions"], version)}
        if isinstance(data, dict) and isinstance(data.get("coverages"), list):
            return [parse_coverage(c, f"coverages[{i}]") for i, c in enumerate(data["coverages"])]
        if isinstance(data, dict) and isinstance(data.get("coverage"), dict):
            return [parse_coverage(data["coverage"])]
        return [parse_coverage(data, "product")]
    except ClaimdeskError as error:
        raise BadInput(where, error) from None


def _exported_coverages(versions: list[Any], wanted: int | None) -> list[dict[str, Any]]:
    """The coverages of one version of an exported product, flattened to the engine's
    shape (``type`` plus the PRD-3 parameters)."""
    candidates = [v for v in versions if isinstance(v, dict)]
    if wanted is not None:
        chosen = [v for v in candidates if v.get("version") == wanted]
    else:
        published = [v for v in candidates if v.get("status") == "published"]
        chosen = sorted(published, key=lambda v: int(v.get("version") or 0))[-1:]
    if not chosen:
        raise AdjudicationInputError(
            field="version",
            zh="{field}：产品文件中没有该版本（或没有已发布版本）",
            en="{field}: the product file has no such version (or no published version)",
        )
    return [
        {"type": c.get("type"), **(c.get("parameters") or {})}
        for c in chosen[0].get("coverages") or []
        if isinstance(c, dict)
    ]


def _unreadable(detail: str) -> AdjudicationInputError:
    return AdjudicationInputError(
        field="file",
        zh=f"{{field}}：无法读取（{detail}）",
        en=f"{{field}}: cannot be read ({detail})",
    )


def _pick(coverages: list[Coverage], wanted: str | None, field: str) -> Coverage:
    if wanted is not None:
        for coverage in coverages:
            if coverage.type == wanted:
                return coverage
        raise AdjudicationInputError(
            field=field,
            zh=f"{{field}}：产品没有 {wanted} 保障",
            en=f"{{field}}: the product has no {wanted} coverage",
        )
    if len(coverages) == 1:
        return coverages[0]
    if not coverages:
        raise MissingField(field="--product")
    raise AdjudicationInputError(
        field=field,
        zh="{field}：产品有多个保障，请注明保障类型",
        en="{field}: the product has several coverages; name the coverage type",
    )


# Which coverage a JSON claim's facts belong to, when the product has several.
_FACT_TYPES = (
    ("lines", "medical"),
    ("disease", "critical_illness"),
    ("injuries", "accident_disability"),
    ("repair", "property"),
    ("total_loss", "property"),
    ("damages", "liability"),
)


def _infer_type(facts: Mapping[str, Any], coverages: list[Coverage]) -> str | None:
    types = {c.type for c in coverages}
    for key, kind in _FACT_TYPES:
        if key in facts:
            if kind == "medical" and "medical" not in types and "accident_medical" in types:
                return "accident_medical"
            return kind if kind in types else None
    return None


# -- JSON input --------------------------------------------------------------------------


def read_json(path: Path, coverages: list[Coverage]) -> Iterator[Job]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput(str(path), _unreadable(str(error))) from None
    if isinstance(data, dict) and isinstance(data.get("claims"), list):
        data = data["claims"]
    if not isinstance(data, list):
        raise BadInput(
            str(path),
            AdjudicationInputError(
                field="file", zh="{field}：应为赔案列表", en="{field}: expected a list of claims"
            ),
        )
    for index, item in enumerate(data):
        where = f"claims[{index}]"
        try:
            yield _json_job(item, where, coverages)
        except ClaimdeskError as error:
            raise BadInput(where, error) from None


def _json_job(item: Any, where: str, coverages: list[Coverage]) -> Job:
    if not isinstance(item, dict):
        raise AdjudicationInputError(
            field=where, zh="{field}：应为对象", en="{field}: expected an object"
        )
    claim_id = item.get("id", item.get("claim_id"))
    if not isinstance(claim_id, str | int) or isinstance(claim_id, bool) or claim_id == "":
        raise MissingField(field=f"{where}.id")
    facts = item["claim"] if isinstance(item.get("claim"), dict) else item
    facts_at = f"{where}.claim" if facts is not item else where
    if isinstance(item.get("coverage"), dict):
        coverage = parse_coverage(item["coverage"], f"{where}.coverage")
    else:
        wanted = item.get("coverage_type") or _infer_type(facts, coverages)
        coverage = _pick(coverages, wanted, f"{where}.coverage_type")
    claim = parse_claim(coverage.type, facts, facts_at)
    lines = len(claim.lines) if isinstance(claim, MedicalClaim) else 1
    return Job(
        str(claim_id),
        coverage,
        claim,
        parse_policy(item.get("policy"), f"{where}.policy"),
        parse_history(item.get("history"), f"{where}.history"),
        lines,
    )


# -- CSV input (streamed) ----------------------------------------------------------------


@lru_cache(maxsize=4096)
def _policy(start: str, end: str) -> Policy | None:
    # Many claims share a policy period; parse each distinct pair once.
    if not start and not end:
        return None
    if not start:
        raise MissingField(field="policy_start")
    if not end:
        raise MissingField(field="policy_end")
    first, last = local_date(start, "policy_start"), local_date(end, "policy_end")
    try:
        return Policy(first, last)
    except AdjudicationInputError as error:
        raise type(error)(field="policy_end", **error.params) from None


def _line(amount_text: str, catalog_text: str, kind: str, spr: str) -> ExpenseLine:
    return ExpenseLine(
        amount(amount_text, "amount"),
        catalog(catalog_text, "catalog"),
        kind,
        ratio(spr, "self_pay_ratio") if spr else None,
    )


def _money_or_zero(row: dict[str, str], column: str) -> Decimal:
    value = row.get(column)
    return amount(value, column) if value else Decimal("0.00")


class _CsvClaim:
    """The claim being read: its first row's claim columns and its lines so far."""

    __slots__ = ("claim_id", "first", "line_no", "lines")

    def __init__(self, claim_id: str, first: dict[str, str], line_no: int) -> None:
        self.claim_id = claim_id
        self.first = first
        self.line_no = line_no
        self.lines: list[ExpenseLine] = []


def _csv_job(current: _CsvClaim, coverages: list[Coverage]) -> Job:
    row = current.first
    wanted = row.get("coverage_type") or None
    if wanted is None:
        medical = [c for c in coverages if c.type in MEDICAL_TYPES]
        coverage = _pick(medical or coverages, None, "coverage_type")
    else:
        coverage = _pick(coverages, wanted, "coverage_type")
    if not isinstance(coverage, MedicalCoverage):
        raise AdjudicationInputError(
            field="coverage_type",
            zh="{field}：CSV 费用明细只能按医疗类保障理算",
            en="{field}: CSV expense lines can only be priced against a medical coverage",
        )
    claim = MedicalClaim(
        local_date(row["date_of_loss"], "date_of_loss"),
        tuple(current.lines),
        flag(row.get("settled_with_social_insurance") or "", "settled_with_social_insurance"),
        _money_or_zero(row, "social_insurance_paid"),
        _money_or_zero(row, "other_compensation"),
    )
    policy = _policy(row.get("policy_start") or "", row.get("policy_end") or "")
    return Job(current.claim_id, coverage, claim, policy, NO_HISTORY, len(current.lines))


def _getter(header: list[str], columns: tuple[str, ...]) -> Callable[[list[str]], tuple[str, ...]]:
    """The cells of ``columns`` (those the file has) as a tuple, fast."""
    indexes = [header.index(c) for c in columns if c in header]
    return lambda row: tuple(row[i] for i in indexes)


def read_csv(text: TextIO, coverages: list[Coverage]) -> Iterator[Job]:
    reader = csv.reader(text)
    header = [cell.strip() for cell in next(reader, [])]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        raise BadInput("line 1", MissingField(field=", ".join(missing)))
    width = len(header)
    at = {name: header.index(name) for name in header}
    id_at, amount_at = at["claim_id"], at["amount"]
    optional = [at.get(c) for c in ("catalog", "kind", "self_pay_ratio")]
    claim_cells = _getter(header, CSV_CLAIM_COLUMNS)
    done: set[str] = set()
    current: _CsvClaim | None = None
    first_cells: tuple[str, ...] = ()
    for row in reader:
        line_no = reader.line_num
        if len(row) < width:
            row += [""] * (width - len(row))
        claim_id = row[id_at].strip()
        try:
            if not claim_id:
                raise MissingField(field="claim_id")
            if current is None or claim_id != current.claim_id:
                if current is not None:
                    yield _finish(current, coverages)
                    done.add(current.claim_id)
                if claim_id in done:
                    raise AdjudicationInputError(
                        field="claim_id",
                        zh="{field}：同一赔案的明细行必须相邻",
                        en="{field}: the rows of one claim must be consecutive",
                    )
                current = _CsvClaim(claim_id, dict(zip(header, row, strict=False)), line_no)
                first_cells = claim_cells(row)
            elif claim_cells(row) != first_cells:
                _name_differing_column(current.first, dict(zip(header, row, strict=False)))
            cat, kind, spr = (row[i] if i is not None else "" for i in optional)
            current.lines.append(_line(row[amount_at], cat, kind, spr))
        except ClaimdeskError as error:
            raise BadInput(f"line {line_no}", error) from None
    if current is not None:
        yield _finish(current, coverages)


def _finish(current: _CsvClaim, coverages: list[Coverage]) -> Job:
    try:
        return _csv_job(current, coverages)
    except ClaimdeskError as error:
        raise BadInput(f"line {current.line_no}", error) from None


def _name_differing_column(first: dict[str, str], row: dict[str, str]) -> None:
    for column in CSV_CLAIM_COLUMNS:
        if (row.get(column) or "") != (first.get(column) or ""):
            raise AdjudicationInputError(
                field=column,
                zh="{field}：与本赔案第一行不一致",
                en="{field}: differs from the first row of this claim",
            )


# -- output ------------------------------------------------------------------------------


def _row(job: Job, result: AdjudicationResult, trace: bool) -> dict[str, Any]:
    row: dict[str, Any] = {"claim_id": job.claim_id, **result.figures()}
    if trace:
        row["trace"] = [step.as_dict() for step in result.trace]
    return row


class _CsvOut:
    def __init__(self, stream: IO[str], trace: bool) -> None:
        self.writer = csv.writer(stream)
        self.writer.writerow([*OUTPUT_COLUMNS, "trace"] if trace else OUTPUT_COLUMNS)

    def write(self, row: dict[str, Any]) -> None:
        values = [row.get(c) for c in OUTPUT_COLUMNS]
        cells = ["" if v is None else v for v in values]
        if "trace" in row:
            cells.append(json.dumps(row["trace"], ensure_ascii=False))
        self.writer.writerow(cells)

    def close(self) -> None:
        return None


class _JsonOut:
    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.first = True
        stream.write("[")

    def write(self, row: dict[str, Any]) -> None:
        self.stream.write("\n  " if self.first else ",\n  ")
        self.stream.write(json.dumps(row, ensure_ascii=False))
        self.first = False

    def close(self) -> None:
        self.stream.write("\n]\n")


# -- main --------------------------------------------------------------------------------


ENGINES = ("auto", "columnar", "decimal")


def main(
    *,
    file: Path,
    product: Path | None,
    output: Path | None,
    trace: bool,
    version: int | None = None,
    engine: str = "auto",
) -> int:
    """``engine``: ``auto`` prices CSV/Parquet medical lines on the columnar engine
    (:mod:`.batch`) and everything else — JSON, ``--trace``, non-medical coverages,
    input the columnar reader does not take — on the Decimal engine; ``columnar``
    refuses rather than fall back; ``decimal`` is the streamed Decimal path throughout.
    Both engines give the same figures (SPEC ADJ-MED, GEN-1)."""
    started = time.perf_counter()
    err = sys.stderr
    temporary = output.with_name(f".{output.name}.partial") if output is not None else None
    try:
        coverages = load_product(product, version)
        if engine not in ENGINES:
            raise BadInput("--engine", invalid_choice("engine", engine, ENGINES))
        if engine != "decimal":
            done = _columnar(file, coverages, output, temporary, trace, engine, started)
            if done is not None:
                return done
        with (
            contextlib.ExitStack() as scratch,
            _InputFile(_as_csv(file, scratch)) as (
                binary,
                text,
            ),
        ):
            stream: IO[str] = (
                open(temporary, "w", encoding="utf-8", newline="")  # noqa: SIM115
                if temporary is not None
                else sys.stdout
            )
            try:
                claims, lines, total = _run(file, binary, text, coverages, stream, output, trace)
            finally:
                if stream is not sys.stdout:
                    stream.close()
    except BadInput as bad:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        print(f"{file}: {bad.describe()}", file=err)
        return EXIT_BAD_INPUT
    except OSError as error:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        print(f"{file}: {error}", file=err)
        return EXIT_BAD_INPUT
    if temporary is not None and output is not None:
        if output.suffix.lower() == ".parquet":
            _csv_to_parquet(temporary)
        os.replace(temporary, output)
    _summary(claims, lines, total, started, "decimal")
    return EXIT_OK


def _summary(claims: int, lines: int, total: Decimal, started: float, engine: str) -> None:
    seconds = time.perf_counter() - started
    rate = lines / seconds if seconds > 0 else 0.0
    print(
        f"{claims} claims (赔案), {lines} lines, total payable (应赔合计) {total:.2f}, "
        f"{seconds:.2f} s ({rate:,.0f} lines/s), engine {engine}",
        file=sys.stderr,
    )


# -- the columnar path (issue 14 item 4) -------------------------------------------------


def _columnar(
    file: Path,
    coverages: list[Coverage],
    output: Path | None,
    temporary: Path | None,
    trace: bool,
    engine: str,
    started: float,
) -> int | None:
    """Price ``file`` on the columnar engine; None when the Decimal path must do it."""
    from claimdesk.conformance.batch import NotColumnar, price  # polars (~2 s): only here

    try:
        if trace or file.suffix.lower() == ".json":
            raise NotColumnar("the trace and JSON input are the Decimal engine's")
        outcome = price(file, coverages, _pick)
    except NotColumnar as why:
        if engine == "columnar":
            raise BadInput(
                str(file),
                AdjudicationInputError(
                    field="--engine",
                    zh=f"{{field}}：该输入需要逐行十进制引擎（{why}）",
                    en=f"{{field}}: this input needs the Decimal engine ({why})",
                ),
            ) from None
        return None
    _write_table(outcome.table, output, temporary)
    if temporary is not None and output is not None:
        os.replace(temporary, output)
    total = Decimal(outcome.total_fen).scaleb(-2)
    _summary(outcome.claims, outcome.lines, total, started, "columnar")
    return EXIT_OK


def _write_table(table: Any, output: Path | None, temporary: Path | None) -> None:
    """The same columns and text as the Decimal path's writers (CSV with CRLF, as
    csv.writer writes; JSON one object per claim); Parquet as text columns."""
    if output is None or temporary is None:
        sys.stdout.write(table.write_csv(line_terminator="\r\n"))
        return
    suffix = output.suffix.lower()
    if suffix == ".parquet":
        table.write_parquet(temporary)
        return
    with open(temporary, "w", encoding="utf-8", newline="") as stream:
        if suffix != ".json":
            stream.write(table.write_csv(line_terminator="\r\n"))
            return
        out = _JsonOut(stream)
        for row in table.drop("grade").iter_rows(named=True):
            out.write(row)
        out.close()


def _as_csv(file: Path, scratch: contextlib.ExitStack) -> Path:
    """For the Decimal path, a Parquet input is first written out as the equivalent CSV
    in a scratch folder (so its errors name ``line N``: the header is line 1, the first
    row line 2)."""
    if file.suffix.lower() != ".parquet":
        return file
    from claimdesk.conformance.batch import read_table  # polars (~2 s): only for Parquet

    try:
        table = read_table(file)
    except Exception as error:  # whatever the Parquet reader raises: cannot be read
        raise BadInput(str(file), _unreadable(str(error))) from None
    folder = Path(scratch.enter_context(tempfile.TemporaryDirectory(prefix="claimdesk_")))
    target = folder / f"{file.stem}.csv"
    table.write_csv(target)
    return target


def _csv_to_parquet(path: Path) -> None:
    import polars as pl  # heavy (~2 s): only for Parquet

    table = pl.read_csv(path, infer_schema=False)
    table.write_parquet(path)


class _InputFile:
    """The input as bytes (for progress) and text (for parsing); UTF-8, BOM allowed."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> tuple[IO[bytes], TextIO]:
        try:
            self.binary: IO[bytes] = open(self.path, "rb")
        except OSError as error:
            raise BadInput(str(self.path), _unreadable(error.strerror or str(error))) from None
        self.text = io.TextIOWrapper(self.binary, encoding="utf-8-sig", newline="")
        return self.binary, self.text

    def __exit__(self, *exc: object) -> None:
        self.text.close()


def _run(
    file: Path,
    binary: IO[bytes],
    text: TextIO,
    coverages: list[Coverage],
    stream: IO[str],
    output: Path | None,
    trace: bool,
) -> tuple[int, int, Decimal]:
    out: _CsvOut | _JsonOut
    out = (
        _JsonOut(stream)
        if output is not None and output.suffix.lower() == ".json"
        else _CsvOut(stream, trace)
    )
    size = os.fstat(binary.fileno()).st_size
    progress = _Progress(binary, size) if size >= PROGRESS_MIN_BYTES else None
    is_json = file.suffix.lower() == ".json"
    claims = lines = 0
    total = Decimal("0.00")
    try:
        jobs = read_json(file, coverages) if is_json else read_csv(text, coverages)
        for job in jobs:
            try:
                result = adjudicate(job.coverage, job.claim, policy=job.policy, history=job.history)
            except ClaimdeskError as error:
                raise BadInput(f"claim {job.claim_id}", error) from None
            out.write(_row(job, result, trace))
            claims += 1
            lines += job.lines
            total += result.payable
            if progress is not None and claims % 1000 == 0:
                progress.update()
    except (UnicodeDecodeError, csv.Error) as error:
        raise BadInput(f"claim {claims + 1}", _unreadable(str(error))) from None
    finally:
        if progress is not None:
            progress.stop()
    out.close()
    return claims, lines, total


class _Progress:
    """A rich progress bar on stderr, by bytes read."""

    def __init__(self, binary: IO[bytes], size: int) -> None:
        # rich's progress bar only when a terminal shows it.
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TimeRemainingColumn, TransferSpeedColumn

        self.binary = binary
        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            "[progress.percentage]{task.percentage:>3.0f}%",
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self.task = self.bar.add_task("adjudicating", total=size)
        self.bar.start()

    def update(self) -> None:
        self.bar.update(self.task, completed=self.binary.tell())

    def stop(self) -> None:
        self.bar.stop()

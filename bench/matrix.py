"""The whole benchmark matrix: SQLite and PostgreSQL, 2,000 and 20,000 programmes, each with and without Redis and
through nginx (bench/run.py once per database and size), printed as one table per database and size.

    .venv/bin/python bench/matrix.py [--databases sqlite,postgresql] [--sizes 2000,20000] [-- run.py options]

The inbox and referral pages are measured at the first size of each database only; Lighthouse in the first run
only. PostgreSQL runs use a fresh database per size (PG_URL, default postgresql://postgres@127.0.0.1:5432;
databases <pg-prefix>_<size>, default portal_bench_<size>, dropped and created again). `--resume results.json`
keeps the runs in it and runs the rest; `--add run.json` takes in a run of bench/run.py (`--databases ""` runs
nothing). Writes bench/results.json and exits 1 when a target is missed, also when a page sends more SQL statements
at the larger size."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import report  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def growing_statements(runs: dict[str, dict]) -> list[str]:
    """Pages whose SQL statement count differs between data sizes of the same database."""
    missed = []
    by_database: dict[str, list[dict]] = {}
    for run in runs.values():
        by_database.setdefault(run["database"], []).append(run)
    for database, same in by_database.items():
        same.sort(key=lambda run: run["data"]["programmes"])
        for page in report.page_names(same[0]):
            counts = [run.get("uncached", {}).get(page, {}).get("statements") for run in same]
            if len(set(counts)) > 1:
                sizes = ", ".join(f"{r['data']['programmes']}: {c}" for r, c in zip(same, counts, strict=True))
                missed.append(f"{database} {page}: SQL statements grow with the data ({sizes})")
    return missed


def matrix_text(runs: dict[str, dict]) -> str:
    """Every run's tables, one after the other, each under its title."""
    parts = []
    for run in runs.values():
        parts += [f"### {report.title(run)}", "", report.run_table(run), "", report.signed_in_table(run), ""]
    return "\n".join(parts)


def _database_url(database: str, size: int, pg_url: str, prefix: str) -> str:
    if database == "sqlite":
        return ""
    name = f"{prefix}_{size}"
    connection = ["-h", "127.0.0.1", "-U", "postgres"]
    subprocess.run(["dropdb", *connection, "--if-exists", name], check=True)
    subprocess.run(["createdb", *connection, name], check=True)
    return f"{pg_url.rstrip('/')}/{name}"


def _write(path: Path, runs: dict, seconds: dict, failures: list[str]) -> str:
    text = matrix_text(runs)
    path.write_text(json.dumps({"runs": runs, "seconds": seconds, "tables": text, "failures": failures}, indent=2))
    return text


def main() -> int:
    """Run the matrix, print the tables, write bench/results.json; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--pg-url", default=os.environ.get("PG_URL", "postgresql://postgres@127.0.0.1:5432"))
    parser.add_argument("--pg-prefix", default="portal_bench", help="PostgreSQL databases <prefix>_<size>")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--resume", type=Path, help="keep the runs of this earlier results file; run the others")
    parser.add_argument("--add", type=Path, action="append", default=[], help="a bench/run.py results file to include")
    parser.add_argument("run_args", nargs="*", help="options passed to bench/run.py (after --)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wijkportaal-matrix-"))
    runs, seconds, failures = {}, {}, []
    if args.resume:
        earlier = json.loads(args.resume.read_text())
        runs, seconds = earlier["runs"], earlier["seconds"]
        failures = [line for line in earlier["failures"] if line.split(":")[0] in runs]
    for path in args.add:
        run = json.loads(path.read_text())
        key = f"{run['database']}-{run['data']['programmes']}"
        runs[key], seconds[key] = run, run["seconds"].get("total")
        failures += [f"{key}: {line}" for line in run["failures"]]
    for database in filter(None, args.databases.split(",")):
        for number, size in enumerate(int(s) for s in args.sizes.split(",")):
            key = f"{database}-{size}"
            if key in runs:
                continue
            output = work / f"{key}.json"
            command = [sys.executable, str(ROOT / "bench" / "run.py"), "--programmes", str(size),
                       "--output", str(output), *args.run_args]  # fmt: skip
            if runs and "--no-lighthouse" not in command:
                command.append("--no-lighthouse")  # once is enough: the pages do not change with the database
            if number:  # the inbox and referral pages do not depend on the number of programmes: once per database
                command += ["--no-messaging", "--no-referrals"]
            env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
            url = _database_url(database, size, args.pg_url, args.pg_prefix)
            if url:
                env["DATABASE_URL"] = url
            print(f"== {key}", flush=True)
            started = time.perf_counter()
            subprocess.run(command, env=env, check=False)
            seconds[key] = round(time.perf_counter() - started, 1)
            if not output.exists():
                failures.append(f"{key}: the run wrote no results")
                continue
            runs[key] = json.loads(output.read_text())
            failures += [f"{key}: {line}" for line in runs[key]["failures"]]
            _write(args.output, runs, seconds, failures)  # what is measured so far, should a later run be stopped
    failures += growing_statements(runs)
    text = _write(args.output, runs, seconds, failures)
    print("\n" + text)
    print("seconds per run: " + ", ".join(f"{k} {v}" for k, v in seconds.items()))
    print("\n" + ("all targets met" if not failures else "targets missed:\n  " + "\n  ".join(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

"""The ``armmatch`` command line: checks and calculators around the Snakemake workflow.

Subcommands are registered in :data:`COMMANDS`; each takes parsed arguments and returns an exit
code. Known input errors print one line (``armmatch: <file, line, patient: problem>``) and exit 1.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from armmatch import __version__
from armmatch.config import load_config_file, validate_config
from armmatch.errors import ArmmatchError
from armmatch.followup.simon import format_designs, simon_designs
from armmatch.io import write_text_atomic
from armmatch.knowledge.build.updater import Policy, update_resources
from armmatch.knowledge.manifest import (
    check_custom_files,
    knowledge_record,
    load_manifest,
    render_manifest,
    resource_files,
    updated_entries,
)
from armmatch.paths import BUNDLE_ROOT, RESOURCE_DIR, SNAKEFILE
from armmatch.run.pipeline import rule_set
from armmatch.run.preflight import Problem, Report, preflight, problem_from_error


def _validate(args: argparse.Namespace) -> int:
    """Preflight a batch as the workflow does before the first patient job, reporting every
    problem at once (:mod:`armmatch.run.preflight`): the config, the sample sheet (all rows), every
    file it names (kind and genome build), the rule table and the knowledge resources."""

    problems: list[Problem] = []
    try:
        config = (
            load_config_file(args.config)
            if args.config
            else validate_config({"samples": args.samples})
        )
    except ArmmatchError as err:
        report = Report(str(args.config or args.samples), 0, (problem_from_error(err),))
        return _print_report(report, args.json)
    if args.samples:
        config["samples"] = args.samples
    report = preflight(config)
    rules_line = knowledge_line = ""
    try:
        rules = rule_set(config["rules"])
        rules_line = (f"rule set {rules.version} ({rules.sha256[:12]}), "
                      f"{len(rules.arms)} arms")  # fmt: skip
        manifest = load_manifest(RESOURCE_DIR / "manifest.tsv")
        custom = config["resources"]
        record = knowledge_record(manifest, custom, present=resource_files(manifest.folder))
        check_custom_files(custom)
        n_custom = sum(1 for r in record["resources"] if r["origin"] == "custom")
        knowledge_line = (f"knowledge resources: manifest {manifest.version}, "
                          f"{len(record['resources'])} resources checked ({n_custom} custom)")  # fmt: skip
    except ArmmatchError as err:
        problems.append(problem_from_error(err))
    report = Report(report.sheet, report.patients, (*report.problems, *problems))
    code = _print_report(report, args.json)
    if not args.json and not report.errors:
        print(f"{report.sheet}: {report.patients} patients valid; {rules_line}")
        print(knowledge_line)
    return code


def _print_report(report: Report, as_json: bool) -> int:
    """Print every problem (or the JSON report); 1 when any is an error."""

    if as_json:
        print(json.dumps(report.to_dict(), indent=1, sort_keys=True))
    else:
        for p in report.problems:
            print(p.text(), file=sys.stderr if p.severity == "error" else sys.stdout)
        if report.errors:
            print(f"armmatch: {len(report.errors)} problem(s) found in {report.sheet}; nothing "
                  "was run", file=sys.stderr)  # fmt: skip
    return 1 if report.errors else 0


COMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {}


def _add_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", help="config YAML (default: only --samples with defaults)")
    p.add_argument("--samples", help="sample sheet (overrides the config's samples)")
    p.add_argument("--json", action="store_true", help="print every problem as JSON")


COMMANDS["validate"] = ("check a config, sample sheet and rule table", _add_validate, _validate)


def _add_simon(p: argparse.ArgumentParser) -> None:
    p.add_argument("--p0", type=float, required=True, help="response rate not worth pursuing")
    p.add_argument("--p1", type=float, required=True, help="response rate worth pursuing")
    p.add_argument("--alpha", type=float, default=0.05, help="type I error (default 0.05)")
    p.add_argument("--power", type=float, default=0.8, help="power (default 0.8)")
    p.add_argument("--max-n", type=int, default=100, help="largest total n searched (default 100)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _simon(args: argparse.Namespace) -> int:
    """Print the optimal and minimax Simon two-stage designs."""

    result = simon_designs(args.p0, args.p1, alpha=args.alpha, power=args.power, max_n=args.max_n)
    if args.json:
        print(json.dumps(result.to_dict(), indent=1, sort_keys=True))
    else:
        print(format_designs(result), end="")
    return 0 if result.minimax else 1


COMMANDS["simon"] = ("Simon two-stage designs (optimal and minimax)", _add_simon, _simon)


def _add_manifest(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--manifest",
        help="the manifest (default: the bundled resources/manifest.tsv)",
    )
    p.add_argument(
        "--update",
        nargs="+",
        metavar="NAME",
        help="record the current sha256 of these resources (after an intended edit)",
    )


def _manifest(args: argparse.Namespace) -> int:
    """Check every bundled resource against the manifest, or record intended edits."""

    manifest = load_manifest(args.manifest or RESOURCE_DIR / "manifest.tsv")
    if args.update:
        manifest = updated_entries(manifest, args.update)
        write_text_atomic(manifest.path, render_manifest(manifest))
        print(f"{manifest.path}: recorded the sha256 of {', '.join(args.update)}")
    record = knowledge_record(manifest, {}, present=resource_files(manifest.folder))
    for r in record["resources"]:
        print(f"{r['name']}\t{r['version']}\t{r['date']}\t{r['sha256'][:12]}\tok")
    return 0


COMMANDS["manifest"] = (
    "check the knowledge resources against resources/manifest.tsv (or record an edit)",
    _add_manifest,
    _manifest,
)


def _add_update(p: argparse.ArgumentParser) -> None:
    p.add_argument("--resources", help="resources folder to update (default: the bundled one)")
    p.add_argument(
        "--work-dir",
        help="downloads, resumable partial files and the report (default: <resources>/.update)",
    )
    p.add_argument("--base-url", help="fetch <base-url>/<mirror_path> instead of the public URLs")
    p.add_argument("--only", nargs="+", metavar="SOURCE", help="only these sources")
    p.add_argument("--timeout", type=float, default=60.0, help="read timeout in seconds")
    p.add_argument("--retries", type=int, default=4, help="retries per file (default 4)")


def _update(args: argparse.Namespace) -> int:
    """Download newer public sources and rebuild the resources they feed (opt-in, online)."""
    resources = Path(args.resources) if args.resources else RESOURCE_DIR
    work = Path(args.work_dir) if args.work_dir else resources / ".update"
    result = update_resources(
        resources,
        work,
        base_url=args.base_url,
        policy=Policy(read_timeout=args.timeout, retries=args.retries),
        only=args.only,
    )
    print(result.report, end="")
    return 0


COMMANDS["update-resources"] = (
    "download newer public sources and rebuild the knowledge resources (network; opt-in)",
    _add_update,
    _update,
)


def _add_example(p: argparse.ArgumentParser) -> None:
    p.add_argument("folder", help="folder to write (created; must not hold a samples.tsv yet)")


def _example(args: argparse.Namespace) -> int:
    """Copy the bundled example batch (14 patients) into a folder, with its sample sheet."""
    folder = Path(args.folder)
    sheet = folder / "samples.tsv"
    if sheet.exists():
        raise ArmmatchError(f"{sheet}: already exists; choose an empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(BUNDLE_ROOT / "example", folder / "example", dirs_exist_ok=True)
    text = (BUNDLE_ROOT / "config" / "samples.tsv").read_text(encoding="utf-8")
    write_text_atomic(sheet, text.replace("\t../example/", "\texample/"))
    print(f"{sheet}: the example batch (files in {folder / 'example'}); run it with:")
    print(f"  cd {folder} && armmatch run --samples samples.tsv --cores 2")
    return 0


COMMANDS["example"] = ("copy the bundled example batch into a folder", _add_example, _example)


def snakemake_command(args: argparse.Namespace, extra: Sequence[str]) -> list[str]:
    """The Snakemake command line that runs the bundled workflow in the working directory."""
    cmd = [sys.executable, "-m", "snakemake", "--snakefile", str(SNAKEFILE),
           "--directory", os.getcwd(), "--cores", str(args.cores)]  # fmt: skip
    if args.profile:
        cmd += ["--profile", args.profile]
    if args.configfile:
        cmd += ["--configfile", args.configfile]
    settings = [f"samples={args.samples}", f"outdir={args.outdir}"]
    if args.genome_build:
        settings.append(f"genome_build={args.genome_build}")
    return [*cmd, *extra, "--config", *settings]


def _add_run(p: argparse.ArgumentParser) -> None:
    p.add_argument("--samples", required=True, help="the batch's sample sheet")
    p.add_argument("--outdir", default="results", help="output folder (default: results)")
    p.add_argument("--cores", default="all", help="Snakemake --cores (default: all)")
    p.add_argument("--genome-build", choices=["GRCh37", "GRCh38"], help="default build")
    p.add_argument("--configfile", help="your config YAML (keys override the bundled config)")
    p.add_argument("--profile", help="a Snakemake profile folder (e.g. for SLURM)")
    p.add_argument("snakemake_args", nargs="*", metavar="-- SNAKEMAKE_ARG",
                   help="anything after -- goes to snakemake as it is (e.g. -- -n)")  # fmt: skip


def _run(args: argparse.Namespace) -> int:
    """Run the bundled Snakemake workflow on a batch in the working directory."""
    return subprocess.run(snakemake_command(args, args.snakemake_args), check=False).returncode


COMMANDS["run"] = (
    "run the bundled workflow on a batch (snakemake in the working directory)",
    _add_run,
    _run,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="armmatch", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("--version", action="version", version=f"armmatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_args, _) in COMMANDS.items():
        add_args(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command][2](args)
    except ArmmatchError as err:
        print(f"armmatch: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())

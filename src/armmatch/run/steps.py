"""The boundary between Snakemake and the package.

The patient rule's script runs :func:`run_block_job` for a block of patients (:mod:`armmatch.
blocks`): one Python start-up per block, not per patient (the dominant cost at batch scale; see
``bench/``), each patient with its own outputs and log (:func:`job_log` routes a patient's log
records to its file, also when jobs run in threads of the Snakemake process).

Scripts in ``scripts/`` call :func:`run_step` with a function of their own: errors the package
raises on purpose become one clear line in the log and a failed job, and nothing half-written is
left in the outputs (the writers are atomic).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from armmatch.config import Settings, settings_from_config
from armmatch.errors import ArmmatchError, ConfigError, InputError
from armmatch.followup.monitoring import monitoring_rows, resistance_rows
from armmatch.followup.resistance import arm_plan, classify_all
from armmatch.followup.simon import simon_designs
from armmatch.io import (
    atomic_write,
    read_tsv_rows,
    remembered_digests,
    sha256_file,
    write_text_atomic,
)
from armmatch.knowledge.build.updater import Policy, update_resources
from armmatch.knowledge.manifest import (
    check_brca_custom,
    check_custom_files,
    knowledge_record,
    load_manifest,
    resource_files,
)
from armmatch.knowledge.rule_table import load_rules
from armmatch.patient import Patient
from armmatch.readers.bgzf import job_threads
from armmatch.readers.responses import read_responses
from armmatch.readers.review import read_reviews
from armmatch.report.cbioportal import studies
from armmatch.report.fhir import dumps_bundle
from armmatch.report.matchminer import clinical_document, ctml_trial, genomic_documents
from armmatch.report.multiqc import dumps_custom_content
from armmatch.report.record import AssignmentRecord, load_records
from armmatch.report.summary import summary_html
from armmatch.report.tables import assignments_tsv, jsonl_line, needs_attention
from armmatch.run.blocks import (
    BlockError,
    MemberResult,
    block_assignments,
    block_failures,
    code_digest,
    fingerprint,
    manifest_tsv,
    patient_paths,
    remove_patient_outputs,
    remove_stale_temporaries,
    reusable,
    sync_block,
    write_patient,
)
from armmatch.run.pipeline import assess_patient, rule_set
from armmatch.run.preflight import file_problems

log = logging.getLogger(__name__)


def run_step(log_path: str | None, step: Callable[[], None]) -> None:
    """Run ``step`` with logging to ``log_path``; exit 1 with the message on a known error."""
    if log_path:
        # Everything written to stderr, including htslib's own warnings from C code, goes
        # to the rule's log; Snakemake shows that log when the job fails.
        sys.stderr.flush()
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)
        os.close(fd)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(message)s", handlers=handlers, force=True
    )
    try:
        step()
    except ArmmatchError as err:
        logging.error("armmatch: %s", err)
        sys.exit(1)
    except OSError as err:  # disk full, quota, permissions: one line, no traceback
        where = f" ({err.filename})" if err.filename else ""
        logging.error("armmatch: cannot read or write a file%s: %s", where, err.strerror or err)
        sys.exit(1)


def settings(config: Mapping[str, Any]) -> Settings:
    """Typed settings from the Snakemake config."""
    return settings_from_config(config)


class _ThreadLogs(logging.Handler):
    """Routes ``armmatch.*`` log records to the log file of the job running in that thread."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        self.streams: dict[int, TextIO] = {}
        self.lock_streams = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        stream = self.streams.get(record.thread or 0, sys.stderr)
        try:
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:  # pragma: no cover - logging must never fail the job
            self.handleError(record)


_THREAD_LOGS = _ThreadLogs()


@contextmanager
def job_log(path: str) -> Iterator[TextIO]:
    """Send this thread's ``armmatch`` log records to ``path`` while the block runs."""
    package_log = logging.getLogger("armmatch")
    with _THREAD_LOGS.lock_streams:
        if _THREAD_LOGS not in package_log.handlers:
            package_log.addHandler(_THREAD_LOGS)
            package_log.setLevel(logging.INFO)
            package_log.propagate = False
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    ident = threading.get_ident()
    with open(path, "w", encoding="utf-8") as stream:
        _THREAD_LOGS.streams[ident] = stream
        try:
            yield stream
        finally:
            del _THREAD_LOGS.streams[ident]


def run_block_job(
    *,
    block: str,
    members: Sequence[Mapping[str, Any]],
    builds: Mapping[str, str],
    sheet: str,
    config: Mapping[str, Any],
    rules_path: str,
    table1_path: str,
    drugs_path: str,
    outdir: str,
    manifest_path: str,
    reports_dir: str,
    knowledge_path: str | None = None,
    threads: int = 1,
) -> None:
    """Assess a block of patients (:mod:`armmatch.run.blocks`): per patient, reuse its outputs when
    its fingerprint is unchanged, else compute and write them (all outputs of a patient only
    after every step succeeded) with the patient's own log ``<outdir>/logs/patients/<id>.log``.

    A patient whose input is wrong gets no outputs (old ones are removed), its error is logged
    and recorded in the manifest as ``failed``, and the other patients of the block are still
    done. The manifest is always written and every assessed member's report linked into
    ``reports_dir`` (for ``snakemake --report``); :func:`check_batch` fails the run afterwards.
    ``threads``: what the job may use (Snakemake's ``threads``; a second one decompresses a
    streamed bgzip VCF beside the reading: :func:`armmatch.readers.bgzf.job_threads`).
    """

    quiet_htslib()
    typed = settings(config)
    review_path = config.get("review")
    reviews = read_reviews(review_path) if review_path else {}
    rules = rule_set(rules_path)
    knowledge = read_knowledge(knowledge_path) if knowledge_path else None
    # keyed by role, not path: the same resources fingerprint alike in any output folder
    named = {"rules": rules_path, "table1": table1_path, "drug_classes": drugs_path}
    if knowledge_path:
        named["knowledge"] = knowledge_path
    if typed.brca_custom:  # the lab's BRCA1/2 list: an edit recomputes the patients
        named["brca_custom"] = typed.brca_custom
    resources = {name: sha256_file(path) for name, path in named.items()}
    parameters = typed.to_dict()
    code = code_digest()
    results: list[MemberResult] = []
    # the fingerprint and the readers' provenance hash the same inputs: once each
    with remembered_digests(), job_threads(threads):
        for index, params in enumerate(members, 1):
            patient = Patient.from_params(params)
            pid = patient.patient_id
            log.info("patient %d of %d in block %s: %s", index, len(members), block, pid)
            paths = patient_paths(outdir, pid)
            remove_stale_temporaries(paths)
            build = builds[pid]
            inputs = [
                p for p in (patient.vcf, patient.germline_vcf, patient.cnv, patient.fusions) if p
            ]
            try:
                row = patient.sheet_row()
                if pid in reviews:  # the board's sign-off is part of what the report shows
                    row["__review__"] = json.dumps(dataclasses.asdict(reviews[pid]), sort_keys=True)
                stamp = fingerprint(
                    row=row, build=build, settings=parameters, inputs=inputs,
                    resources=resources, code=code,
                )  # fmt: skip
            except OSError as exc:
                remove_patient_outputs(paths)
                message = f"patient {pid}: cannot read an input ({exc})"
                results.append(MemberResult(pid, "failed", "", {}, message))
                continue
            outputs = reusable(paths, stamp)
            if outputs is not None:
                log.info("%s: reused (fingerprint %s unchanged)", pid, stamp["fingerprint"][:12])
                name = recorded_link_name(paths["assignment"], pid)
                results.append(MemberResult(pid, "reused", stamp["fingerprint"], outputs,
                                            report_name=name))  # fmt: skip
                continue
            with job_log(os.path.join(outdir, "logs", "patients", f"{pid}.log")) as log_file:
                log_file.write(
                    f"INFO patient {pid} (block {block}, build {build}, sheet {sheet} line "
                    f"{patient.line}, fingerprint {stamp['fingerprint']})\n"
                )
                try:
                    # the preflight's file checks first: every problem of the patient's files
                    found = [x for x in file_problems(patient, build) if x.severity == "error"]
                    if len(found) == 1:
                        raise InputError(found[0].problem, path=found[0].path,
                                         line=found[0].line, patient=pid)  # fmt: skip
                    if found:
                        raise InputError(
                            f"{len(found)} problems with this patient's files: "
                            + " | ".join(x.text() for x in found),
                            patient=pid,
                        )
                    assessed = assess_patient(
                        patient,
                        build=build,
                        rules=rules,
                        settings=typed,
                        sheet=sheet,
                        table1_path=table1_path,
                        drugs_path=drugs_path,
                        knowledge=knowledge,
                        review=reviews.get(pid),
                        review_source=review_path or "",
                    )
                except ArmmatchError as err:
                    log_file.write(f"ERROR armmatch: {err}\n")
                    remove_patient_outputs(paths)
                    results.append(MemberResult(pid, "failed", "", {}, str(err)))
                    continue
                try:
                    digests = write_patient(paths, assessed.texts, stamp)
                except OSError as exc:  # disk full, quota, permissions: complete or absent
                    remove_patient_outputs(paths)
                    message = (f"patient {pid}: cannot write its outputs under {outdir} "
                               f"({exc.strerror or exc}); nothing of this patient was kept")  # fmt: skip
                    log_file.write(f"ERROR armmatch: {message}\n")
                    results.append(MemberResult(pid, "failed", "", {}, message))
                    continue
                log_file.write(f"INFO wrote {', '.join(paths.values())}\n")
            log.info("%s: computed (fingerprint %s)", pid, stamp["fingerprint"][:12])
            name = report_link_name(pid, assessed.status, assessed.arm)
            results.append(MemberResult(pid, "computed", stamp["fingerprint"], digests,
                                        report_name=name))  # fmt: skip
    # a failed patient is recorded in the manifest, not raised: the block's other patients and
    # the batch summary are still written; rule check_batch then fails the run, naming it
    for failed in (r for r in results if r.action == "failed"):
        log.error("armmatch: %s", failed.error)
    link_reports([r for r in results if r.action != "failed"], outdir, reports_dir)
    sync_block()  # the patients' files reach the disk before the manifest that vouches for them
    write_text_atomic(manifest_path, manifest_tsv(block, results))


def batch_line(assignments_tsv: str, failed: int = 0) -> str:
    """The end-of-run line, e.g. ``1,000 patients: 212 targeted, 540 immunotherapy, 31
    excluded, 17 ineligible; 200 need attention (180 incomplete, 20 failed)``.

    Needing attention: incomplete, provisional, overridden or with an indeterminate event (as
    the summary's "Needs attention"), and every failed patient.
    """
    rows = read_tsv_rows(assignments_tsv)
    header, body = rows[0][1], [fields for _, fields in rows[1:]]
    col = {name: i for i, name in enumerate(header)}
    counts: dict[str, int] = {}
    attention = incomplete = 0
    for fields in body:
        status = fields[col["status"]]
        counts[status] = counts.get(status, 0) + 1
        incomplete += status == "incomplete"
        attention += needs_attention(status, fields[col["provisional"]], fields[col["override"]],
                                     fields[col["indeterminate_events"]])  # fmt: skip
    shown = [f"{counts[s]:,} {s}" for s in ("targeted", "immunotherapy", "excluded", "ineligible")
             if counts.get(s)]  # fmt: skip
    why = [w for w in (f"{incomplete:,} incomplete" if incomplete else "",
                       f"{failed:,} failed" if failed else "") if w]  # fmt: skip
    line = f"{len(body) + failed:,} patients: " + (", ".join(shown) or "none assigned")
    line += f"; {attention + failed:,} need attention"
    return line + (f" ({', '.join(why)})" if why else "")


def check_batch(manifests: Sequence[str], done_path: str, assignments_tsv: str) -> None:
    """Print the end-of-run line (:func:`batch_line`); fail the run when a patient failed
    (after its block and the summary were written), otherwise write ``done_path`` with it.

    Raises
    ------
    BlockError
        One line per failed patient: file, line or patient, and the problem.
    """

    failed = block_failures(manifests)
    line = batch_line(assignments_tsv, len(failed))
    print(f"armmatch: {line}", flush=True)
    log.info("%s", line)
    if failed:
        raise BlockError(
            f"{len(failed)} patient(s) failed and have no assignment (every other patient and "
            "the batch summary were written; the summary lists them under Needs attention). "
            "Fix each and rerun; a fix that changed no input file needs "
            "--forcerun assess_block:\n" + "\n".join(error for _, error in failed)
        )
    write_text_atomic(done_path, f"{line}\n")


def write_fhir(records: Sequence[AssignmentRecord], folder: str) -> None:
    """``folder/<patient>.json``: each record's FHIR bundle."""
    os.makedirs(folder, exist_ok=True)
    for record in records:
        write_text_atomic(os.path.join(folder, f"{record.patient_id}.json"), dumps_bundle(record),
                          durable=False)  # fmt: skip


def write_matchminer(records: Sequence[AssignmentRecord], folder: str, trial: Any) -> None:
    """``folder/platform.ctml.json`` (the rule table as a CTML trial) and MatchMiner's
    ``clinical/<patient>.json`` and ``genomic/<patient>_<event>.json`` documents (one document
    per file, as ``matchengine load`` reads a folder)."""
    os.makedirs(os.path.join(folder, "clinical"), exist_ok=True)
    os.makedirs(os.path.join(folder, "genomic"), exist_ok=True)
    write_text_atomic(os.path.join(folder, "platform.ctml.json"), _json(trial), durable=False)
    for record in records:
        write_text_atomic(os.path.join(folder, "clinical", f"{record.patient_id}.json"),
                          _json(clinical_document(record)), durable=False)  # fmt: skip
        for name, doc in genomic_documents(record):
            write_text_atomic(os.path.join(folder, "genomic", f"{name}.json"), _json(doc),
                              durable=False)  # fmt: skip


def write_cbioportal(
    records: Sequence[AssignmentRecord], folder: str, cnv_genes: Sequence[str]
) -> None:
    """One cBioPortal study per genome build under ``folder/<build>/`` (the folder empty when
    no patient has a record: every patient failed)."""
    os.makedirs(folder, exist_ok=True)
    for build, files in studies(records, cnv_genes).items():
        os.makedirs(os.path.join(folder, build), exist_ok=True)
        for name, text in files.items():
            write_text_atomic(os.path.join(folder, build, name), text, durable=False)


def export_formats(
    manifests: Sequence[str],
    outdir: str,
    outputs: Mapping[str, str],
    *,
    rules_path: str,
    min_age: int,
) -> int:
    """Every exchange format named in ``outputs`` (``fhir``, ``matchminer``, ``cbioportal``:
    folders; ``multiqc``: the ``*_mqc.yaml`` file) from the assessed patients' records, read
    once for all of them; one sync at the end. The patient count."""
    records = load_records(block_assignments(manifests, outdir))
    rules = rule_set(rules_path)
    if "fhir" in outputs:
        write_fhir(records, outputs["fhir"])
    if "matchminer" in outputs:
        write_matchminer(records, outputs["matchminer"], ctml_trial(rules, min_age=min_age))
    if "cbioportal" in outputs:
        write_cbioportal(records, outputs["cbioportal"], rules.genes("cnv"))
    if "multiqc" in outputs:
        write_text_atomic(outputs["multiqc"], dumps_custom_content(records), durable=False)
    os.sync()  # the files reach the disk before Snakemake records the outputs as done
    return len(records)


def batch_summary(
    manifests: Sequence[str],
    outdir: str,
    outputs: Mapping[str, str],
    *,
    rules_path: str,
    responses: Sequence[str],
    monitoring: Mapping[str, Any],
    knowledge_path: str,
) -> int:
    """The batch tables and dashboard from the assessed patients' records: ``outputs["tsv"]``
    (``assignments.tsv``), ``outputs["jsonl"]`` (each ``assignment.json`` on one line, streamed:
    10,000 patients are about 500 MB) and ``outputs["html"]`` (``summary.html``, with every
    failed patient of the manifests). With a responses table (at most one), each patient's
    resistance classification and next step, and every arm's Simon two-stage monitoring
    (``monitoring``: config ``monitoring``). The patient count."""
    paths = block_assignments(manifests, outdir)  # ordered by patient
    records = load_records(paths)
    plan = arm_plan(load_rules(rules_path))
    outcomes = []
    for path in responses:
        outcomes = classify_all(read_responses(path, arms=plan.arm_types), plan)
    m = monitoring
    design = simon_designs(m["p0"], m["p1"], alpha=m["alpha"], power=m["power"], max_n=m["max_n"])
    if design.minimax is None:
        raise ConfigError(
            f"monitoring: no Simon design with n <= {m['max_n']} for {dict(m)}", path="config"
        )
    with open(knowledge_path, encoding="utf-8") as fh:
        knowledge = json.load(fh)
    write_text_atomic(outputs["tsv"], assignments_tsv(records))
    with atomic_write(outputs["jsonl"]) as out:
        for p in paths:
            out.write(jsonl_line(Path(p).read_text(encoding="utf-8")))
    page = summary_html(
        records,
        monitoring=monitoring_rows([r.arm for r in records], outcomes, design.minimax),
        resistance=resistance_rows(outcomes) if responses else None,
        knowledge=knowledge,
        failed=block_failures(manifests),
    )
    write_text_atomic(outputs["html"], page)
    return len(records)


def _json(doc: Any) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def report_link_name(patient: str, status: str, arm: str | None) -> str:
    """``<patient>~<status>~<arm>.html``: the name ``snakemake --report`` lists the report by
    (``~`` is in no patient id, status or arm id)."""
    return f"{patient}~{status}~{arm or 'none'}.html"


def recorded_link_name(assignment_json: str, patient: str) -> str:
    """:func:`report_link_name` of a patient's written ``assignment.json`` (a reused patient)."""
    with open(assignment_json, encoding="utf-8") as fh:
        doc = json.load(fh)
    return report_link_name(patient, doc["status"], doc["arm"])


def link_reports(results: Sequence[MemberResult], outdir: str, reports_dir: str) -> None:
    """Hard-link (copy where links are impossible) each member's report into ``reports_dir``."""
    os.makedirs(reports_dir, exist_ok=True)
    for r in results:
        paths = patient_paths(outdir, r.patient)
        source = paths["report"]
        target = os.path.join(reports_dir, r.report_name)
        if os.path.lexists(target):
            os.unlink(target)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def read_knowledge(path: str) -> dict[str, Any]:
    """The checked resource record written by :func:`run_resources_job`."""
    with open(path, encoding="utf-8") as fh:
        record: dict[str, Any] = json.load(fh)
    return record


def run_resources_job(
    *,
    manifest_path: str,
    custom: Mapping[str, str | None],
    output: str,
    log_path: str,
    brca_custom: str | None = None,
) -> None:
    """Check every bundled resource against the manifest (custom files are hashed) and write
    the resource record; a modified or unlisted bundled file fails the job with the remedy.
    The lab's BRCA1/2 list (``brca_classification.custom``) is read too: a malformed one stops
    the run here, naming its line."""

    with job_log(log_path) as log_file:
        try:
            manifest = load_manifest(manifest_path)
            record = knowledge_record(manifest, custom, present=resource_files(manifest.folder))
            check_custom_files(custom)
            if brca_custom:
                check_brca_custom(brca_custom)
        except ArmmatchError as err:
            log_file.write(f"ERROR armmatch: {err}\n")
            raise
        write_text_atomic(output, json.dumps(record, indent=1, sort_keys=True) + "\n")
        log_file.write(
            f"INFO {len(record['resources'])} resources checked against {manifest_path} "
            f"(version {record['manifest']['version']})\n"
        )


def run_update_job(
    *, resources_dir: str, work_dir: str, update: Mapping[str, Any], log_path: str
) -> None:
    """The opt-in ``update_resources`` target: download, rebuild, replace (all or nothing)."""

    with job_log(log_path) as log_file:
        try:
            result = update_resources(
                Path(resources_dir),
                Path(work_dir),
                base_url=update.get("base_url"),
                only=update.get("sources"),
                policy=Policy(
                    read_timeout=float(update.get("timeout", 60)),
                    retries=int(update.get("retries", 4)),
                ),
            )
        except ArmmatchError as err:
            log_file.write(f"ERROR armmatch: {err}\n")
            raise
        log_file.write(result.report)


def quiet_htslib() -> None:
    """Keep htslib's own warnings (e.g. contigs missing from a VCF header) off the terminal.

    In-process jobs share one stderr; armmatch checks contigs itself and names the file and
    line, so htslib's unattributed warnings would only be noise. Errors still show.
    """
    import cyvcf2

    cyvcf2.cyvcf2.set_htslib_log_level(1)


LOCK_FILE = ".armmatch.lock"
"""In the output folder while a run writes there: the holder's pid and host (JSON)."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def acquire_outdir_lock(outdir: str) -> str:
    """Take the output folder's lock for this process, or stop when another run holds it.

    A lock left by a run that died on this host (its pid is gone) is taken over. Returns the
    lock's path.

    Raises
    ------
    InputError
        Another live run (this host, or any run on another host) holds the folder.
    """
    import socket

    path = os.path.join(outdir, LOCK_FILE)
    try:
        os.makedirs(outdir, exist_ok=True)
        probe = os.path.join(outdir, f".armmatch.write-test.{os.getpid()}")
        with open(probe, "w", encoding="utf-8") as fh:
            fh.write("x")
        os.unlink(probe)
    except OSError as exc:
        raise InputError(
            f"the output folder cannot be written ({exc.strerror or exc}): it is on a read-only "
            "file system, the disk is full, or it belongs to another user; choose another outdir "
            "(--config outdir=...) or fix the folder, then run again",
            path=outdir,
        ) from None
    import datetime

    since = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": since}
    for _ in range(3):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(path, encoding="utf-8") as fh:
                    holder = json.load(fh)
            except (OSError, ValueError):
                holder = {}
            pid, host = holder.get("pid"), holder.get("host")
            if host == me["host"] and isinstance(pid, int) and not _alive(pid):
                with suppress(FileNotFoundError):
                    os.unlink(path)  # a dead run's lock on this host
                continue
            raise InputError(
                f"the output folder is in use by the armmatch run with pid {pid} on host {host} "
                f"since {holder.get('since') or 'an unrecorded time'}; wait for it to end, or, if "
                f"that run is no longer active (killed, or its host restarted), remove {path} and "
                "start again",
                path=outdir,
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh)
        return path
    raise InputError(f"cannot take the output folder's lock {path}", path=outdir)


def release_outdir_lock(outdir: str) -> None:
    """Remove the output folder's lock if this process holds it."""
    path = os.path.join(outdir, LOCK_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            holder = json.load(fh)
    except (OSError, ValueError):
        return
    if holder.get("pid") == os.getpid():
        with suppress(FileNotFoundError):
            os.unlink(path)

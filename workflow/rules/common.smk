# Helpers only (no rules): config and sample-sheet validation before the first job, wildcard
# constraints and input functions. Parse time reads only the config, the sample sheet and the
# rule table, so it stays cheap on clusters where every job re-parses the workflow.
import os

from snakemake.exceptions import WorkflowError

from armmatch.config import validate_config
from armmatch.errors import ArmmatchError
from armmatch.pipeline import rule_set
from armmatch.samples import read_sample_sheet
from armmatch.steps import run_patient_job

# Bundled resources are found relative to this file, so `--directory elsewhere` still works.
RESOURCES = os.path.normpath(os.path.join(workflow.basedir, "resources"))

try:
    _validated = validate_config(config, source="config (config/config.yaml + --config)")
    config.clear()
    config.update(_validated)
    RULES_PATH = config["rules"] or os.path.join(RESOURCES, "actionable_targets.tsv")
    RULES = rule_set(RULES_PATH)
    # Inputs must lie inside input_roots (default: the sheet's folder and the working directory)
    INPUT_ROOTS = config["input_roots"] or [
        os.path.dirname(os.path.abspath(config["samples"])),
        os.getcwd(),
    ]
    PATIENTS = {
        p.patient_id: p for p in read_sample_sheet(config["samples"], input_roots=INPUT_ROOTS)
    }
    _arms = {a.arm_id for a in RULES.arms}
    for _p in PATIENTS.values():
        if _p.arm_override and _p.arm_override not in _arms:
            raise WorkflowError(
                f"{config['samples']}, line {_p.line} (patient {_p.patient_id}): arm_override "
                f"{_p.arm_override!r} is not an arm of {RULES_PATH} (arms: {', '.join(sorted(_arms))})"
            )
except ArmmatchError as _err:
    raise WorkflowError(f"armmatch: {_err}") from None

OUTDIR = config["outdir"]


wildcard_constraints:
    patient=r"[A-Za-z0-9._-]+",


def get_patient(wildcards):
    return PATIENTS[wildcards.patient]


def get_patient_params(wildcards):
    """The patient's sheet row (paths resolved) as plain strings: deterministic params."""
    return PATIENTS[wildcards.patient].to_params()


def get_build(wildcards):
    return PATIENTS[wildcards.patient].genome_build or config["genome_build"]


def get_patient_inputs(wildcards):
    """The patient's input files by name: the VCF always; the germline VCF, copy-number file
    and fusion calls when the sheet gives them (a missing one is recorded as not assessed)."""
    p = PATIENTS[wildcards.patient]
    named = {"vcf": p.vcf, "germline": p.germline_vcf, "cnv": p.cnv, "fusions": p.fusions}
    return {name: path for name, path in named.items() if path}


def get_assignments(wildcards):
    return expand(f"{OUTDIR}/patients/{{patient}}/assignment.json", patient=sorted(PATIENTS))


def get_responses(wildcards):
    """The optional responses table (config `responses`), or nothing when not configured."""
    path = config.get("responses")
    return [path] if path else []


def get_final_output(wildcards):
    return [
        *expand(
            f"{OUTDIR}/patients/{{patient}}/{{name}}",
            patient=sorted(PATIENTS),
            name=["assignment.json", "events.tsv", "report.html"],
        ),
        f"{OUTDIR}/batch/assignments.tsv",
        f"{OUTDIR}/batch/assignments.jsonl",
        f"{OUTDIR}/batch/summary.html",
    ]

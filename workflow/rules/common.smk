# Helpers only (no rules): config and sample-sheet validation before the first job, wildcard
# constraints and input functions. Parse time reads only the config, the sample sheet and the
# rule table, so it stays cheap on clusters where every job re-parses the workflow.
import os

from snakemake.exceptions import WorkflowError

from armmatch.run.blocks import block_size, blocks_of, outdir_problem
from armmatch.config import settings_from_config, validate_config
from armmatch.errors import ArmmatchError
from armmatch.run.pipeline import rule_set
from armmatch.run.preflight import sheet_problems
from armmatch.readers.review import read_reviews
from armmatch.calling.small_variants import uses_worker_threads
from armmatch.readers.sample_sheet import read_sample_sheet

# Bundled resources are found relative to this file, so `--directory elsewhere` still works.
RESOURCES = os.path.normpath(os.path.join(workflow.basedir, "resources"))

try:
    _validated = validate_config(config, source="config (config/config.yaml + --config)")
    config.clear()
    config.update(_validated)
    RULES_PATH = config["rules"] or os.path.join(RESOURCES, "actionable_targets.tsv")
    RULES = rule_set(RULES_PATH)
    INDEX_MIN_BYTES = settings_from_config(config).small_variants.index_min_bytes
    # Inputs must lie inside input_roots (default: the sheet's folder and the working directory)
    INPUT_ROOTS = config["input_roots"] or [
        os.path.dirname(os.path.abspath(config["samples"])),
        os.getcwd(),
    ]
    try:
        PATIENTS = {
            p.patient_id: p for p in read_sample_sheet(config["samples"], input_roots=INPUT_ROOTS)
        }
    except ArmmatchError as _err:
        # every problem of the sheet at once (the same preflight as `armmatch validate`)
        _problems, _ = sheet_problems(
            config["samples"], rules=RULES, input_roots=INPUT_ROOTS
        )
        _errors = [p.text() for p in _problems if p.severity == "error"] or [str(_err)]
        if len(_errors) == 1:
            raise WorkflowError(f"armmatch: {_errors[0]}") from None
        raise WorkflowError(
            f"armmatch: {len(_errors)} problems in the sample sheet:\n" + "\n".join(_errors)
        ) from None
    # the review file before the first job: its own format, known patients and arm ids
    for _r in (read_reviews(config["review"]) if config.get("review") else {}).values():
        _problem = None if _r.patient_id in PATIENTS else f"patient {_r.patient_id} is not in {config['samples']}"
        if _problem is None and _r.arm:
            _problem = RULES.override_problem(_r.arm)
        if _problem:
            raise WorkflowError(f"armmatch: {config['review']}, line {_r.line}: review: {_problem}")
    for _p in PATIENTS.values():
        _problem = RULES.override_problem(_p.arm_override) if _p.arm_override else None
        if _problem:  # an exclusion group is no arm to assign
            raise WorkflowError(
                f"{config['samples']}, line {_p.line} (patient {_p.patient_id}): {_problem}"
            )
except ArmmatchError as _err:
    raise WorkflowError(f"armmatch: {_err}") from None

OUTDIR = config["outdir"]
# an output folder that cannot be written stops here, in one line (not Snakemake's traceback)
if (_problem := outdir_problem(OUTDIR)) is not None:
    raise WorkflowError(f"armmatch: {OUTDIR}: {_problem}")


# Patients run in blocks of `patients_per_job` consecutive sheet rows (armmatch.run.blocks).
BLOCKS = blocks_of(list(PATIENTS), block_size(len(PATIENTS), config["patients_per_job"]))


wildcard_constraints:
    block=r"[0-9]{5}",


def get_block_members(wildcards):
    """Each member's sheet row (paths resolved) as plain strings: deterministic params."""
    return [PATIENTS[pid].to_params() for pid in BLOCKS[wildcards.block]]


def get_block_stamps(wildcards):
    """Each member input's identity as the file system keeps it (size, mtime, ctime, inode;
    nothing is read): the block's trigger for changed inputs (Snakemake's params trigger). The
    inputs are not the rule's inputs: 30,000 input files at 10,000 patients cost Snakemake
    about 2 s of DAG building, and the sheet reader already checked that every file exists. A
    file rewritten with an older mtime (a backup restored, `cp -p`, rsync) still gets a new
    ctime, so the block reruns and its fingerprints find the changed patient. A harmless change
    (chmod, a copy) only reruns the block, whose unchanged patients are reused."""
    stamps = {}
    for pid in BLOCKS[wildcards.block]:
        p = PATIENTS[pid]
        for path in (p.vcf, p.germline_vcf, p.cnv, p.fusions):
            if path:
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                stamps[path] = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
    return stamps


def get_block_threads(wildcards):
    """2 when a member's VCF is a large bgzip file that will be streamed (its blocks inflated
    beside the text checks: armmatch.calling.small_variants.uses_worker_threads), else 1."""
    for pid in BLOCKS[wildcards.block]:
        p = PATIENTS[pid]
        if any(v and uses_worker_threads(v, INDEX_MIN_BYTES) for v in (p.vcf, p.germline_vcf)):
            return 2
    return 1


def get_block_builds(wildcards):
    """Each member's genome build: the sheet's genome_build column, else the config's."""
    return {
        pid: PATIENTS[pid].genome_build or config["genome_build"] for pid in BLOCKS[wildcards.block]
    }


def get_block_manifests(wildcards):
    return expand(f"{OUTDIR}/blocks/{{block}}.tsv", block=list(BLOCKS))


def get_review(wildcards):
    """The tumour board's review file (config `review`), or nothing when not configured."""
    return [config["review"]] if config.get("review") else []


def get_responses(wildcards):
    """The optional responses table (config `responses`), or nothing when not configured."""
    path = config.get("responses")
    return [path] if path else []


# The exchange formats the config asks for (config exports), by format: rule exchange_formats.
EXPORTS = {
    name: output
    for name, output in {
        "fhir": directory(f"{OUTDIR}/batch/fhir"),
        "matchminer": directory(f"{OUTDIR}/batch/matchminer"),
        "cbioportal": directory(f"{OUTDIR}/batch/cbioportal"),
        "multiqc": f"{OUTDIR}/batch/armmatch_mqc.yaml",
    }.items()
    if config["exports"][name]
}


def get_final_output(wildcards):
    return [
        *get_block_manifests(wildcards),
        f"{OUTDIR}/batch/assignments.tsv",
        f"{OUTDIR}/batch/assignments.jsonl",
        f"{OUTDIR}/batch/summary.html",
        f"{OUTDIR}/batch/complete.txt",
        *EXPORTS.values(),
    ]


def get_resource_inputs(wildcards):
    """The manifest, every bundled file under resources/ (listed, never read here) and the
    config's custom resource files: rule check_resources hashes them in its job."""
    bundled = []
    for root, dirs, files in os.walk(RESOURCES):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        bundled += [os.path.join(root, f) for f in files if not f.startswith(".")]
    return sorted(bundled) + [p for p in config["resources"].values() if p]

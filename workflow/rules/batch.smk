# Batch outputs: one row per patient and the summary page.


# Exchange formats (config exports), written by one job that reads every assignment once: a
# FHIR R4 Genomics Reporting bundle per patient, MatchMiner's CTML trial and patient documents,
# a cBioPortal study per genome build, MultiQC custom content.
if EXPORTS:

    rule exchange_formats:
        input:
            blocks=get_block_manifests,
        params:
            rules=RULES_PATH,
            min_age=config["clinical"]["min_age"],
        output:
            **EXPORTS,
        log:
            f"{OUTDIR}/logs/batch_summary/exports.log",
        script:
            "../../scripts/export_formats.py"


rule batch_summary:
    input:
        blocks=get_block_manifests,
        responses=get_responses,
        knowledge=f"{OUTDIR}/resources.json",
    params:
        rules=RULES_PATH,
        monitoring=config["monitoring"],
    output:
        tsv=f"{OUTDIR}/batch/assignments.tsv",
        jsonl=f"{OUTDIR}/batch/assignments.jsonl",
        html=report(
            f"{OUTDIR}/batch/summary.html",
            caption="../report/batch_summary.rst",
            category="Batch",
        ),
    log:
        f"{OUTDIR}/logs/batch_summary/batch.log",
    script:
        "../../scripts/batch_summary.py"


# The run's verdict, after every block and the summary are written: a patient whose input was
# wrong is listed in the summary (Needs attention) and makes this rule, and so the run, fail.
rule check_batch:
    input:
        blocks=get_block_manifests,
        summary=f"{OUTDIR}/batch/summary.html",
        tsv=f"{OUTDIR}/batch/assignments.tsv",
    output:
        f"{OUTDIR}/batch/complete.txt",
    log:
        f"{OUTDIR}/logs/batch_summary/check.log",
    script:
        "../../scripts/check_batch.py"

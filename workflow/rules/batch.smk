# Batch outputs: one row per patient and the summary page.


# Exchange formats (config exports): one FHIR R4 Genomics Reporting bundle per patient.
rule fhir_bundles:
    input:
        blocks=get_block_manifests,
    output:
        directory(f"{OUTDIR}/batch/fhir"),
    log:
        f"{OUTDIR}/logs/batch_summary/fhir.log",
    script:
        "../../scripts/export_fhir.py"


# MatchMiner: the rule table as a CTML trial and each patient as MatchMiner documents.
rule matchminer_export:
    input:
        blocks=get_block_manifests,
    params:
        rules=RULES_PATH,
        min_age=config["clinical"]["min_age"],
    output:
        directory(f"{OUTDIR}/batch/matchminer"),
    log:
        f"{OUTDIR}/logs/batch_summary/matchminer.log",
    script:
        "../../scripts/export_matchminer.py"


# cBioPortal: one study per genome build (MAF, discrete CNA, structural variants).
rule cbioportal_study:
    input:
        blocks=get_block_manifests,
    params:
        rules=RULES_PATH,
    output:
        directory(f"{OUTDIR}/batch/cbioportal"),
    log:
        f"{OUTDIR}/logs/batch_summary/cbioportal.log",
    script:
        "../../scripts/export_cbioportal.py"


# MultiQC custom content: the batch as a table section of a sequencing core's MultiQC report.
rule multiqc_table:
    input:
        blocks=get_block_manifests,
    output:
        f"{OUTDIR}/batch/armmatch_mqc.yaml",
    log:
        f"{OUTDIR}/logs/batch_summary/multiqc.log",
    script:
        "../../scripts/export_multiqc.py"


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

# Batch outputs: one row per patient and the summary page.


rule batch_summary:
    input:
        assignments=get_assignments,
        responses=get_responses,
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

# Patients in blocks of `patients_per_job` consecutive sheet rows (armmatch.run.blocks): one job per
# block, one Python start-up per block. Per patient: small variants, copy number and fusions read
# (a missing CNV or fusion file gives "not assessed"), the arm decision (assignment.json, with
# every event, assessment and input checksum; events.tsv), the HTML report and its own log. A patient whose fingerprint
# (sheet row, inputs, settings, resources, code) is unchanged is reused, so adding a patient to a
# sheet computes only that patient. The block manifest lists what was computed and reused.


rule assess_block:
    input:
        rules=RULES_PATH,
        table1=config["resources"]["table1"] or os.path.join(RESOURCES, "table1_rare_tumours.tsv"),
        drugs=config["resources"]["drug_classes"] or os.path.join(RESOURCES, "drug_classes.tsv"),
        knowledge=f"{OUTDIR}/resources.json",
        review=get_review,
    output:
        manifest=f"{OUTDIR}/blocks/{{block}}.tsv",
        reports=report(
            directory(f"{OUTDIR}/reports/{{block}}"),
            # each report is linked as <patient>~<status>~<arm>.html (armmatch.run.steps), so
            # the report's patient list shows the status and arm beside the id
            patterns=["{patient}~{status}~{arm}.html"],
            caption="../report/patient_report.rst",
            category="Patients",
            labels={"patient": "{patient}", "status": "{status}", "arm": "{arm}"},
        ),
    params:
        members=get_block_members,
        builds=get_block_builds,
        sheet=config["samples"],
        # content changes that keep or lower the mtime still rerun the block (see common.smk)
        stamps=get_block_stamps,
    # two for a block with a bgzip VCF of 8 MB or more that is streamed (no index, or below
    # small_variants.index_min_mb): its blocks are inflated beside the text checks; else one
    threads: get_block_threads
    log:
        f"{OUTDIR}/logs/blocks/{{block}}.log",
    script:
        "../../scripts/assess_block.py"

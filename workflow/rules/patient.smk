# One job per patient: small variants, copy number and fusions read into evidence JSON (events
# plus what was assessed; a missing CNV or fusion file gives "not assessed"), then the arm
# decision (assignment.json, events.tsv) and the HTML report a tumour board reads.
#
# The job runs in-process (`run:`): with the workflow profile's `force-use-threads` there is no
# Python start-up per patient, which dominated at batch scale (README, "Scale"). On a cluster,
# `group-components` in profiles/slurm bundles many patients into one submitted job.


rule assess_patient:
    input:
        unpack(get_patient_inputs),
        rules=RULES_PATH,
        table1=os.path.join(RESOURCES, "table1_rare_tumours.tsv"),
        drugs=os.path.join(RESOURCES, "drug_classes.tsv"),
    output:
        mutation=f"{OUTDIR}/patients/{{patient}}/evidence/mutation.json",
        cnv=f"{OUTDIR}/patients/{{patient}}/evidence/cnv.json",
        fusion=f"{OUTDIR}/patients/{{patient}}/evidence/fusion.json",
        assignment=f"{OUTDIR}/patients/{{patient}}/assignment.json",
        events=f"{OUTDIR}/patients/{{patient}}/events.tsv",
        report=report(
            f"{OUTDIR}/patients/{{patient}}/report.html",
            caption="../report/patient_report.rst",
            category="Patients",
            labels={"patient": "{patient}"},
        ),
    params:
        patient=get_patient_params,
        build=get_build,
        sheet=config["samples"],
    log:
        f"{OUTDIR}/logs/patients/{{patient}}.log",
    run:
        run_patient_job(
            params.patient,
            sheet=params.sheet,
            build=params.build,
            config=config,
            rules_path=input.rules,
            table1_path=input.table1,
            drugs_path=input.drugs,
            outputs=dict(output.items()),
            log_path=log[0],
        )

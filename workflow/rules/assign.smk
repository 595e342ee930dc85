# The arm decision per patient: evidence + clinical fields + rule table -> assignment.json and
# events.tsv.


rule assign_arm:
    input:
        evidence=[
            f"{OUTDIR}/patients/{{patient}}/evidence/mutation.json",
            f"{OUTDIR}/patients/{{patient}}/evidence/cnv.json",
            f"{OUTDIR}/patients/{{patient}}/evidence/fusion.json",
        ],
        rules=RULES_PATH,
        table1=os.path.join(RESOURCES, "table1_rare_tumours.tsv"),
        drugs=os.path.join(RESOURCES, "drug_classes.tsv"),
    output:
        assignment=f"{OUTDIR}/patients/{{patient}}/assignment.json",
        events=f"{OUTDIR}/patients/{{patient}}/events.tsv",
    params:
        patient=get_patient_params,
        build=get_build,
        sheet=config["samples"],
    log:
        f"{OUTDIR}/logs/assign_arm/{{patient}}.log",
    script:
        "../../scripts/assign_arm.py"

# The per-patient HTML report a tumour board reads.


rule patient_report:
    input:
        f"{OUTDIR}/patients/{{patient}}/assignment.json",
    output:
        report(
            f"{OUTDIR}/patients/{{patient}}/report.html",
            caption="../report/patient_report.rst",
            category="Patients",
            labels={"patient": "{patient}"},
        ),
    log:
        f"{OUTDIR}/logs/patient_report/{{patient}}.log",
    script:
        "../../scripts/patient_report.py"

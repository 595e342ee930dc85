# One rule per input type: each reads one patient's file into evidence JSON (events plus what
# was assessed). A patient without a CNV or fusion file still gets a file saying "not assessed".


rule detect_small_variants:
    input:
        vcf=get_vcf,
        germline=get_germline_vcf,
        rules=RULES_PATH,
    output:
        f"{OUTDIR}/patients/{{patient}}/evidence/mutation.json",
    params:
        patient=get_patient_params,
        build=get_build,
        sheet=config["samples"],
    log:
        f"{OUTDIR}/logs/detect_small_variants/{{patient}}.log",
    script:
        "../../scripts/detect_small_variants.py"


rule detect_copy_number:
    input:
        cnv=get_cnv,
        rules=RULES_PATH,
    output:
        f"{OUTDIR}/patients/{{patient}}/evidence/cnv.json",
    params:
        patient=get_patient_params,
        build=get_build,
        sheet=config["samples"],
    log:
        f"{OUTDIR}/logs/detect_copy_number/{{patient}}.log",
    script:
        "../../scripts/detect_copy_number.py"


rule detect_fusions:
    input:
        fusions=get_fusions,
        rules=RULES_PATH,
    output:
        f"{OUTDIR}/patients/{{patient}}/evidence/fusion.json",
    params:
        patient=get_patient_params,
        build=get_build,
        sheet=config["samples"],
    log:
        f"{OUTDIR}/logs/detect_fusions/{{patient}}.log",
    script:
        "../../scripts/detect_fusions.py"

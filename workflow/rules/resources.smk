# Knowledge resources: every bundled file under resources/ is checked against resources/manifest.tsv
# (sha256) before the first patient job; files the config names under `resources:` are hashed and
# reported as custom. The record ({outdir}/resources.json) is stamped into every assignment and report.
# Inputs are only paths (no file is read at parse time); the hashing happens in the job.
from armmatch.run.steps import run_resources_job, run_update_job


localrules:
    check_resources,
    update_resources,


rule check_resources:
    input:
        get_resource_inputs,
    params:
        manifest=os.path.join(RESOURCES, "manifest.tsv"),
        custom=config["resources"],
        brca_custom=config["brca_classification"]["custom"],
    output:
        f"{OUTDIR}/resources.json",
    log:
        f"{OUTDIR}/logs/check_resources.log",
    run:
        run_resources_job(
            manifest_path=params.manifest,
            custom=params.custom,
            brca_custom=params.brca_custom,
            output=output[0],
            log_path=log[0],
        )


# Opt-in, online: `snakemake update_resources --cores 1 --forcerun update_resources` (add
# --config 'update={base_url: https://mirror}' for a mirror). No other rule depends on it, so a
# batch never runs it. All-or-nothing: resources/ changes only when every download and rebuild
# succeeded; the report lists what changed.
rule update_resources:
    params:
        resources=RESOURCES,
        settings=config["update"],
    output:
        report=f"{OUTDIR}/update/update-report.md",
    log:
        f"{OUTDIR}/logs/update_resources.log",
    run:
        run_update_job(
            resources_dir=params.resources,
            work_dir=os.path.join(OUTDIR, "update"),
            update=params.settings,
            log_path=log[0],
        )

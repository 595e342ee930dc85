"""Run: the pipeline per patient, blocks of patients, the Snakemake boundary and the CLI."""

# armmatch: trial-arm assignment for the PLATFORM study (NCT04423185).
# Run from the repository root:  snakemake --cores 8
# Any batch:  snakemake --cores 8 --config samples=PATH outdir=DIR genome_build=GRCh37
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/detect.smk"
include: "workflow/rules/assign.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/batch.smk"


rule all:
    input:
        get_final_output,

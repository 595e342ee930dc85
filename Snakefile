# armmatch: trial-arm assignment for the PLATFORM study (NCT04423185).
# Run from the repository root:  snakemake --cores 8
# Any batch:  snakemake --cores 8 --config samples=PATH outdir=DIR genome_build=GRCh37
import os
import signal

from snakemake.logging import logger
from snakemake.utils import min_version

from armmatch.run.steps import acquire_outdir_lock, release_outdir_lock

min_version("9.0")


# The bundled config is found next to this Snakefile, so `--directory elsewhere` works; keys
# given with --config or --configfile override it.
configfile: os.path.join(workflow.basedir, "config", "config.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/resources.smk"
include: "workflow/rules/patient.smk"
include: "workflow/rules/batch.smk"


onstart:
    # SIGTERM (`kill`, or SLURM at a time limit) stops the run as Ctrl-C does. Snakemake's own
    # SIGTERM handler takes the scheduler's lock, and deadlocks when the signal arrives while
    # the main thread holds that lock (likely with in-process patient jobs).
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    # one run at a time per output folder (from any working folder): a second run stops here
    try:
        acquire_outdir_lock(OUTDIR)
    except ArmmatchError as err:
        raise WorkflowError(f"armmatch: {err}") from None


onsuccess:
    release_outdir_lock(OUTDIR)
    # the end-of-run line (armmatch.run.steps.batch_line) also at the end of the Snakemake log
    _done = os.path.join(OUTDIR, "batch", "complete.txt")
    if os.path.exists(_done):
        with open(_done, encoding="utf-8") as _fh:
            logger.info(f"armmatch: {_fh.read().strip()}")


onerror:
    release_outdir_lock(OUTDIR)


rule all:
    input:
        get_final_output,

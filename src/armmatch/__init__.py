"""armmatch: trial-arm assignment for the PLATFORM study of rare solid tumours (NCT04423185).

All logic lives in this package as small, typed, pure functions; the Snakemake rules and the
scripts in ``scripts/`` only adapt file paths and parameters to these functions.
"""

__version__ = "0.1.0"

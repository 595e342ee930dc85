# armmatch: two commands on a fresh machine (Python 3.11 + pip).
#   make run    create .venv, install armmatch with pinned dependencies, run the example batch
#   make test   install the test extras and run the whole test suite
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
CORES ?= 8
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test matrix lint dryrun report install clean constraints chromium screenshots bench bench-tools slurm slurm-run slurm-stop

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/snakemake --cores $(CORES)

dryrun: $(STAMP)
	$(BIN)/snakemake -n

report: run
	$(BIN)/snakemake --report results/report.html

# Debian's chromium for the browser tests (the test tools never download a browser themselves)
# and poppler-utils (pdftotext, pdfinfo) to read the printed reports back.
chromium:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium and poppler-utils for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium poppler-utils >/dev/null; }

test: $(TEST_STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadscope

# The Python matrix (noxfile.py): unit suite + one end-to-end run on 3.12 and 3.13, each from a
# freshly built wheel. Interpreters: python3.12/python3.13 on PATH, or pyenv's (added here).
PYENV_BINS := $(foreach v,3.12 3.13,$(shell pyenv prefix $(v) 2>/dev/null)/bin)
matrix: $(TEST_STAMP) chromium
	PATH="$(subst $(eval) ,:,$(strip $(PYENV_BINS))):$$PATH" $(BIN)/nox --envdir .nox

# Screenshots of a patient report and the batch summary (docs/screenshots/), from the example batch.
screenshots: run chromium
	$(BIN)/python scripts/screenshots.py results docs/screenshots

# Benchmarks (README, "Scale"): every figure is printed as a ratio to a baseline run in the same
# process. Generated inputs are cached in bench/.cache.
# bcftools and bgzip (Debian's bcftools and tabix): the second baselines of bench/bench_wgs.py.
bench-tools:
	@{ command -v bcftools && command -v bgzip; } >/dev/null 2>&1 || { \
	  echo "installing Debian's bcftools and tabix for the benchmarks"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq bcftools tabix >/dev/null; }

# Every benchmark runs and prints its figures; the target fails at the end if any missed one.
bench: $(TEST_STAMP) chromium bench-tools
	@status=0; for b in bench_block bench_scaling bench_wgs bench_batch bench_summary; do \
	  echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || status=1; done; exit $$status

# A real single-node SLURM cluster on this machine: Debian's slurmctld/slurmd/munge, configured
# for localhost and started by hand (no systemd); needs root or passwordless sudo.
#   make slurm        start it (installs the Debian packages if missing)
#   make slurm-run    run the example batch on it through profiles/slurm
#   make slurm-stop   stop the daemons
slurm:
	bash scripts/slurm_cluster.sh start

slurm-run: $(TEST_STAMP) slurm
	$(BIN)/snakemake --profile profiles/slurm --config outdir=results/slurm

slurm-stop:
	bash scripts/slurm_cluster.sh stop

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests scripts bench setup.py
	$(BIN)/ruff format --check src tests scripts bench setup.py
	$(BIN)/mypy
	$(BIN)/python scripts/lint_workflow.py

constraints: $(TEST_STAMP)
	{ echo "# Exact versions of every installed package, used by 'make' as pip constraints."; \
	  echo "# Regenerate with: make constraints"; \
	  $(BIN)/python -m pip freeze --exclude-editable; } > constraints.txt

clean:
	rm -rf results .snakemake

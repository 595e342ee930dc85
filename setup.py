"""Build hook: the wheel carries the workflow, resources, config and example as package data.

They live at the repository root (where ``snakemake`` run from a clone finds them); building a
wheel copies them into ``armmatch/_bundled/``, which :mod:`armmatch.paths` prefers when present.
An editable install copies nothing and uses the repository's own files.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ("Snakefile", "config", "example", "profiles", "resources", "workflow")
WORKFLOW_SCRIPTS = (
    "assess_block.py", "batch_summary.py", "check_batch.py", "export_formats.py",
)  # fmt: skip


class BuildWithBundle(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "armmatch" / "_bundled"
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".update", ".snakemake")
        for name in BUNDLED:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=ignore, dirs_exist_ok=True)
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
        (target / "scripts").mkdir(exist_ok=True)
        for name in WORKFLOW_SCRIPTS:
            shutil.copy2(root / "scripts" / name, target / "scripts" / name)


setup(cmdclass={"build_py": BuildWithBundle})

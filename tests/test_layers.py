"""The package's stages form layers: checked with import-linter's contracts.

The contracts live in ``pyproject.toml`` ([tool.importlinter]): each stage
imports only the stages before it (io → structure → text → themes → stats →
pipeline/plot → report → cli), no stage has an import cycle among its
modules, and private modules are imported only inside their own stage.  A
broken contract fails here with import-linter's own explanation.
"""

from __future__ import annotations

from pathlib import Path

from importlinter import configuration
from importlinter.application.use_cases import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept(capsys):
    configuration.configure()
    kept = lint_imports(config_filename=str(ROOT / "pyproject.toml"), cache_dir=None, no_logo=True)
    output = capsys.readouterr().out
    assert kept, output
    assert output.count("KEPT") == 3, output

# Two commands matter: `make demo` and `make test`.  Both create the virtual
# environment on first use and reuse it afterwards (re-installing only when
# pyproject.toml changes).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    ?= out/notebooks

.PHONY: demo test lint format lab notebooks clean venv

venv: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,notebook,cluster]'
	touch $@

demo: $(STAMP)
	$(BIN)/compare demo

test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json

# Open the notebooks' .py files as notebooks on double-click (jupytext); the
# setting lives inside .venv, never in the user's own Jupyter settings.
$(LAB_SETTINGS): | $(STAMP)
	mkdir -p $(dir $@)
	echo '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"python": "Jupytext Notebook"}}}' > $@

# Extra JupyterLab options, e.g. LAB_ARGS="--port=8890 --no-browser --allow-root
# --IdentityProvider.token=SECRET" (a server in a container or on a remote machine).
LAB_ARGS ?=

lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab notebooks/ $(LAB_ARGS)

# Run the whole notebook suite on a corpus: executed .ipynb, HTML copies and an
# index page under OUT, e.g. make notebooks CATALOG=my-corpus/catalog.csv OUT=out/mine
# (without CATALOG: the bundled corpus).
CATALOG ?=

notebooks: $(STAMP)
	$(BIN)/compare notebooks $(if $(CATALOG),--catalog "$(CATALOG)") --out "$(OUT)"

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache

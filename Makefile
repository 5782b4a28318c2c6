# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# System packages come from apt-get (with sudo when not root); Python ones into .venv.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := graphviz fonts-morisawa-bizud-gothic fonts-noto-cjk chromium poppler-utils libreoffice-calc

.PHONY: setup system python js demo test lint bench notebook backtest fit fuzz clean

setup: system python js

# Graphviz and Japanese fonts for the diagrams; chromium prints reports to PDF and runs the
# browser tests; poppler-utils (pdftoppm) turns PDF pages into images to look at;
# LibreOffice recomputes the exported workbooks in the tests.
# Installed only when missing.
system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

python: $(VENV)/.installed

# Validators and renderers the tests run through node, for tests only: bpmn-moddle, bpmn-js
# and mermaid-cli (its own browser download is skipped: it uses the system chromium).
JS := tests/js
$(JS)/node_modules/.installed: $(JS)/package.json $(JS)/package-lock.json
	cd $(JS) && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

js: $(JS)/node_modules/.installed

demo: setup
	$(BIN)/bprkit check processes/
	$(BIN)/bprkit analyze processes/
	$(BIN)/bprkit portfolio processes/ --roadmap processes/roadmap.toml
	@mkdir -p out
	@for f in processes/*.bpr; do $(BIN)/bprkit render "$$f" -o "out/$$(basename "$$f" .bpr).svg" || exit 1; done
	$(BIN)/bprkit render processes/tenshutsu.bpr --compare processes/tenshutsu_tobe.bpr -o out/tenshutsu_compare.svg
	$(BIN)/bprkit fit processes/inu_toroku.bpr --log processes/logs/inu_toroku_2025.csv -o out/inu_toroku_fitted.bpr
	$(BIN)/bprkit report processes/ --roadmap processes/roadmap.toml -o out/portfolio.html --pdf

test: setup
	$(BIN)/python -m ruff check bprkit tests benchmarks
	$(BIN)/python -m tests.typecheck
	$(BIN)/bprkit fmt --check processes/
	$(BIN)/python -m pytest -q

# Levers against published before/after figures (docs/backtest.md); exit 1 when the targets miss.
backtest: setup
	$(BIN)/bprkit backtest

# Lever ranges fitted to the published cases (docs/backtest.md, "The fit"): rewrites the
# shipped bprkit/assumptions/fitted.toml; tests/test_backtest.py fails when it is stale.
fit: setup
	$(BIN)/bprkit backtest --fit -o bprkit/assumptions/fitted.toml

# Generated and mutated .bpr files through every command for FUZZ_MINUTES (docs/reliability.md).
FUZZ_MINUTES ?= 30
fuzz: setup
	$(BIN)/python -m tests.fuzz --minutes $(FUZZ_MINUTES)

notebook: setup
	$(BIN)/python -m pip install -q -e '.[notebook]'
	$(BIN)/jupyter notebook notebooks/time_savings.ipynb

# Every benchmark; what each prints goes to benchmarks/results.md (the docs quote it).
# PlantUML, for bench_plantuml.py's comparison only, is installed here when missing.
bench: setup
	@dpkg -s plantuml >/dev/null 2>&1 || { echo "installing: plantuml"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends plantuml; }
	$(BIN)/python benchmarks/all.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis

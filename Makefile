# Two commands for a fresh clone (see README):
#   make        builds the default briefing -> build/report.pdf (creates .venv on first run)
#   make test   runs every test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: all test bench lint system-deps clean FORCE

all: build/report.pdf

build/report.pdf: FORCE $(VENV)/.installed
	$(BIN)/python build.py report --root . -o $@

test: $(VENV)/.installed
	$(BIN)/ruff check briefing tests bench tools build.py
	$(BIN)/mypy briefing
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff check briefing tests bench tools build.py
	$(BIN)/mypy briefing

bench: $(VENV)/.installed
	$(BIN)/python bench/stages.py

$(VENV)/.installed: pyproject.toml
	@$(MAKE) --no-print-directory system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Optional system packages: HarfBuzz's subsetter halves WeasyPrint's PDF writing time,
# poppler-utils gives pdftoppm for looking at pages. Installed when we are root on a
# Debian-like system; everything works without them.
system-deps:
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  pkgs="libharfbuzz-subset0 poppler-utils"; \
	  if ! dpkg -s $$pkgs >/dev/null 2>&1; then \
	    (apt-get install -y -qq $$pkgs >/dev/null 2>&1 || \
	     (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $$pkgs >/dev/null 2>&1)) \
	    || echo "note: could not install $$pkgs (optional; builds still work)"; \
	  fi; \
	else \
	  echo "note: not root; skipping optional libharfbuzz-subset0 and poppler-utils"; \
	fi

clean:
	rm -rf build $(VENV)

FORCE:

# Two commands for a fresh clone (see README):
#   make        builds the default briefing -> build/report.pdf (creates .venv on first run;
#               as root it first installs two optional apt packages: make NO_SYSTEM=1 skips)
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
# poppler-utils gives pdftoppm for looking at pages. Everything works without them. As root on a
# Debian-like system they are installed with apt-get, and make says so first; NO_SYSTEM=1 (or
# not being root) skips them.
SYSTEM_PKGS := libharfbuzz-subset0 poppler-utils
system-deps:
	@if [ -n "$(NO_SYSTEM)" ]; then \
	  echo "make: NO_SYSTEM=1: not installing the optional system packages $(SYSTEM_PKGS)"; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make: not root with apt-get; skipping the optional $(SYSTEM_PKGS)"; \
	elif dpkg -s $(SYSTEM_PKGS) >/dev/null 2>&1; then \
	  echo "make: optional system packages already installed: $(SYSTEM_PKGS)"; \
	else \
	  echo "make: running as root, so installing the optional system packages" \
	       "$(SYSTEM_PKGS) with apt-get (a few MB: faster PDF writing, pdftoppm;" \
	       "make NO_SYSTEM=1 skips this)"; \
	  (apt-get install -y -qq $(SYSTEM_PKGS) >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && \
	    apt-get install -y -qq $(SYSTEM_PKGS) >/dev/null 2>&1)) \
	  && echo "make: installed $(SYSTEM_PKGS)" \
	  || echo "make: could not install $(SYSTEM_PKGS) (optional; builds still work)"; \
	fi

clean:
	rm -rf build $(VENV)

FORCE:

# Two commands for a fresh clone (see README):
#   make        builds the default briefing -> build/report.pdf (creates .venv on first run;
#               as root it first installs three optional apt packages: make NO_SYSTEM=1 skips)
#   make test   runs every test (as root it first installs Chromium and LibreOffice for the
#               web and Word editions' tests, and axe-core from npm)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: all test bench lint system-deps test-system-deps clean FORCE

all: build/report.pdf

build/report.pdf: FORCE $(VENV)/.installed
	$(BIN)/python build.py report --root . -o $@

test: $(VENV)/.installed $(VENV)/.test-tools
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
# poppler-utils gives pdftoppm for looking at pages, librsvg2-bin lets the Word edition carry a
# PNG of each SVG figure (LibreOffice and Word before 2016 show no SVG). Everything works
# without them. As root on a Debian-like system they are installed with apt-get, and make says
# so first; NO_SYSTEM=1 (or not being root) skips them.
SYSTEM_PKGS := libharfbuzz-subset0 poppler-utils librsvg2-bin
# What the tests drive (make test installs them the same way): Debian's Chromium for the web
# edition's browser tests, LibreOffice Writer (no GUI) for the Word edition's. About 600 MB;
# without them those tests are skipped with the reason (in CI they fail: CI must run them).
TEST_PKGS := chromium chromium-driver libreoffice-writer-nogui
# axe-core, the accessibility engine the browser tests run, from the npm registry (not vendored)
AXE := axe-core@4.14.1

# $(call apt,PACKAGES,WHAT THEY ARE FOR)
define apt
	@if [ -n "$(NO_SYSTEM)" ]; then \
	  echo "make: NO_SYSTEM=1: not installing the optional system packages $(1)"; \
	elif [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then \
	  echo "make: not root with apt-get; skipping the optional $(1)"; \
	elif dpkg -s $(1) >/dev/null 2>&1; then \
	  echo "make: optional system packages already installed: $(1)"; \
	else \
	  echo "make: running as root, so installing the optional system packages" \
	       "$(1) with apt-get ($(2); make NO_SYSTEM=1 skips this)"; \
	  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null 2>&1 || \
	   (apt-get update -qq >/dev/null 2>&1 && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null 2>&1)) \
	  && echo "make: installed $(1)" \
	  || echo "make: could not install $(1) (optional; builds still work)"; \
	fi
endef

system-deps:
	$(call apt,$(SYSTEM_PKGS),a few MB: faster PDF writing; pdftoppm; SVG figures in Word)

test-system-deps:
	$(call apt,$(TEST_PKGS),about 600 MB: the browser and LibreOffice the tests drive)

$(VENV)/.test-tools: $(VENV)/.installed
	@$(MAKE) --no-print-directory test-system-deps
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --prefix $(VENV)/npm --no-audit --no-fund $(AXE) \
	  && echo "make: installed $(AXE) into $(VENV)/npm for the accessibility test"; \
	else echo "make: no npm, so no axe-core: the accessibility test will be skipped"; fi
	@touch $@

clean:
	rm -rf build $(VENV)

FORCE:

# Set-up and everyday commands. `make run` and `make test` create .venv/ on first use.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser tests drive Debian's Chromium; `playwright install` cannot download one here.
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint index clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# the CPU build of torch; an unpinned torch would pull gigabytes of CUDA packages
	$(BIN)/python -m pip install --quiet torch==2.13.0
	# llama-cpp-python (a test dependency) compiles llama.cpp; a native build crashes on some CPUs
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "Chromium is missing: install Debian's package (sudo apt-get install chromium); the browser tests need it" >&2; \
		exit 1; \
	fi

run: $(STAMP)
	$(BIN)/interviewer web

test: $(STAMP) $(CHROMIUM)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check interviewer tests

index: $(STAMP)
	$(BIN)/interviewer index

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

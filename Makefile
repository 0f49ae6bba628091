# Set-up and everyday commands. `make run` and `make test` create .venv/ on first use.
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
# The browser tests drive Debian's Chromium; `playwright install` cannot download one here.
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint index clean

# What running needs: `make run` never builds llama.cpp.
$(RUN_STAMP): pyproject.toml setup.py
	python3 -m venv $(VENV)
	# the CPU build of torch; an unpinned torch would pull gigabytes of CUDA packages
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# What the tests add: llama-cpp-python compiles llama.cpp (about 6 minutes); a native build crashes on
# some CPUs.
$(TEST_STAMP): $(RUN_STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "Chromium is missing: install Debian's package (sudo apt-get install chromium); the browser tests need it" >&2; \
		exit 1; \
	fi

run: $(RUN_STAMP)
	$(BIN)/interviewer web

test: $(TEST_STAMP) $(CHROMIUM)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

lint: $(TEST_STAMP)
	$(BIN)/ruff check interviewer tests

index: $(RUN_STAMP)
	$(BIN)/interviewer index

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

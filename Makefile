# Set-up and everyday commands. `make run` and `make test` create .venv/ on first use.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint index clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	# the CPU build of torch; an unpinned torch would pull gigabytes of CUDA packages
	$(BIN)/python -m pip install --quiet torch==2.13.0
	# llama-cpp-python (a test dependency) compiles llama.cpp; a native build crashes on some CPUs
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/interviewer ask --topic optimizers

test: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check interviewer tests

index: $(STAMP)
	$(BIN)/interviewer index

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

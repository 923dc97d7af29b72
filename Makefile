# innspill: make demo | make test | make bench | make fuzz | make lint | make wheel-check
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-import fuzz lint wheel-check eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/innspill analyze examples/kantine-nb.txt -o out/analysis.json

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# import rate and peak memory on a generated ~100 MB WordPress export (part of make bench)
bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench.py --import-only

# the import properties with many examples (not in CI); FUZZ_EXAMPLES=N for another count
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
	  --hypothesis-show-statistics tests/test_import_props.py

eval: $(STAMP)
	@for g in examples/*.gold.json tests/data/seed.gold.json; do \
	  case $$g in tests/*) src=../shared/seed/thread.txt;; *) src=$${g%.gold.json}.txt;; esac; \
	  echo "== $$src"; \
	  $(BIN)/innspill analyze $$src -o out/eval-$$(basename $$src .txt).json --quiet && \
	  $(BIN)/innspill eval $$g out/eval-$$(basename $$src .txt).json; \
	done

wheel-check: $(STAMP)
	rm -rf dist /tmp/innspill-wheel-venv
	$(BIN)/python -m build --wheel --outdir dist . >/dev/null
	$(PYTHON) -m venv /tmp/innspill-wheel-venv
	/tmp/innspill-wheel-venv/bin/pip install --quiet dist/*.whl
	/tmp/innspill-wheel-venv/bin/innspill --help >/dev/null && echo "wheel installs and runs: ok"

clean:
	rm -rf $(VENV) out dist build

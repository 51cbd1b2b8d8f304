# The two commands a newcomer needs: `make run` and `make test`. `make lock` after editing a
# requirements*.txt file (README, "Dependencies").
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The embedded default: DEBUG on, SQLite file, tasks in-process.
RUN_ENV := DEBUG=true

# Each lock is compiled from its inputs: every transitive dependency pinned, with hashes.
RUN_LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
EMB_LOCK := requirements-embeddings.lock
RUN_INPUTS := requirements.txt
DEV_INPUTS := requirements.txt requirements-dev.txt
EMB_INPUTS := requirements.txt requirements-embeddings.txt
# A lock is stale when its inputs' checksum differs from the one recorded in it at compile time.
# (Content, not modification time: a fresh clone writes files in any order, so a lock can look
# "older" than an input it was made from.)
inputs_sum = $$(cat $(1) | sha256sum | cut -c1-64)
define check_lock
	@grep -qx "# inputs-sha256: $(call inputs_sum,$(2))" $(1) || { \
	  echo "make: $(1) is stale: $(2) changed since it was compiled." >&2; \
	  echo "make: run 'make lock' to regenerate it (and commit the result)." >&2; exit 1; }
endef
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes \
	--allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
# --require-hashes: pip refuses any file whose hash the lock does not list.
PIP_SYNC := $(BIN)/pip install --quiet --require-hashes

.PHONY: run test lint format lock check-locks

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

check-locks:
	$(call check_lock,$(RUN_LOCK),$(RUN_INPUTS))
	$(call check_lock,$(DEV_LOCK),$(DEV_INPUTS))
	$(call check_lock,$(EMB_LOCK),$(EMB_INPUTS))

$(VENV)/.run-deps: $(RUN_LOCK) | $(BIN)/python
	$(call check_lock,$(RUN_LOCK),$(RUN_INPUTS))
	$(PIP_SYNC) -r $(RUN_LOCK)
	touch $@

$(VENV)/.dev-deps: $(RUN_LOCK) $(DEV_LOCK) | $(BIN)/python
	$(call check_lock,$(DEV_LOCK),$(DEV_INPUTS))
	$(PIP_SYNC) -r $(DEV_LOCK)
	touch $@ $(VENV)/.run-deps

# The optional sentence-embeddings extra (README, "Sentence embeddings").
$(VENV)/.embeddings-deps: $(EMB_LOCK) | $(BIN)/python
	$(call check_lock,$(EMB_LOCK),$(EMB_INPUTS))
	$(PIP_SYNC) -r $(EMB_LOCK)
	touch $@

run: check-locks $(VENV)/.run-deps
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: check-locks $(VENV)/.dev-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-deps
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Regenerate the three locks from their inputs. Versions already in a lock are kept unless an
# input asks for another (pip-compile prefers the existing pins; `make lock UPGRADE=1` lets
# every unpinned transitive dependency move to its newest release). The dev and embeddings
# locks are constrained by the runtime lock, so a package has one version in all three.
# The embeddings lock needs torch 2.13.0's CPU build where pip can find it (this machine's pip
# finds it on local disk; elsewhere set PIP_FIND_LINKS to PyTorch's CPU wheel index).
lock: | $(BIN)/python
	$(BIN)/pip install --quiet "$$(grep -oE '^pip-tools==[^ ]+' requirements-dev.txt)"
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) -o $(RUN_LOCK) $(RUN_INPUTS)
	echo "# inputs-sha256: $(call inputs_sum,$(RUN_INPUTS))" >> $(RUN_LOCK)
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) -c $(RUN_LOCK) -o $(DEV_LOCK) requirements-dev.txt
	echo "# inputs-sha256: $(call inputs_sum,$(DEV_INPUTS))" >> $(DEV_LOCK)
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) -c $(RUN_LOCK) -o $(EMB_LOCK) requirements-embeddings.txt
	echo "# inputs-sha256: $(call inputs_sum,$(EMB_INPUTS))" >> $(EMB_LOCK)

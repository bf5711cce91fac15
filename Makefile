# Two commands a new user needs: `make run` and `make test`. Both install what they use.
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
BIN := $(VENV)/bin
# System programs the tests use: speech to make media for the audio fingerprint tests,
# Debian's Chromium for the browser tests (Playwright drives it; it never downloads one), and
# pg_dump for the backups of PostgreSQL. COMMAND:PACKAGE where the package is named otherwise.
TEST_SYSTEM_PACKAGES := espeak-ng chromium pg_dump:postgresql-client

.PHONY: run test install install-dev system-deps lint typecheck unit lock bench bench-peers test-media fuzz clean

run: install
	$(BIN)/accord serve

# bench-peers: the tests check accord's Stable Diffusion watermark reader against the
# reference implementation, invisible-watermark (installed without its PyTorch).
test: install-dev system-deps lint typecheck bench-peers test-media
	$(BIN)/pytest -n auto --dist loadgroup

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

# Voice likeness reads the speaker encoder weights shipped in Resemblyzer's wheel (pinned by
# hash). --no-deps: accord runs the model in numpy; Resemblyzer's PyTorch is never installed.
VOICE_MODEL = VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --no-deps --require-hashes \
	  -r requirements/voice.lock

# Installed packages are compiled to bytecode once, at install: a command's first run would
# otherwise compile them (seconds for SQLAlchemy, Alembic and httpx), and every run does
# where PYTHONDONTWRITEBYTECODE is set.
export UV_COMPILE_BYTECODE := 1

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# One venv for both: `make run` adds what it lacks and removes nothing, so it keeps the
# dev tools that `make test` installed (dev.lock holds everything run.lock does).
$(VENV)/.installed-run: requirements/run.lock requirements/voice.lock pyproject.toml | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --require-hashes -r requirements/run.lock
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --no-deps -e .
	$(VOICE_MODEL)
	$(BIN)/python -m compileall -q src
	touch $@

$(VENV)/.installed-dev: requirements/dev.lock requirements/voice.lock pyproject.toml | $(UV)
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(VENV)
	VIRTUAL_ENV=$(VENV) $(UV) pip sync --quiet --require-hashes requirements/dev.lock
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --no-deps -e .
	$(VOICE_MODEL)
	$(BIN)/python -m compileall -q src
	touch $@

system-deps:
	@missing=""; for pkg in $(TEST_SYSTEM_PACKAGES); do \
	  command -v $${pkg%%:*} >/dev/null 2>&1 || missing="$$missing $${pkg#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

lint: install-dev
	$(BIN)/ruff check src tests benchmarks fuzz
	$(BIN)/ruff format --check src tests benchmarks fuzz
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

# Coverage-guided fuzzing of every media parser (fuzz/): FUZZ_SECONDS each, growing the
# corpus kept in .cache/fuzz/; `make test` runs each target briefly (tests/unit/test_fuzz.py).
FUZZ_SECONDS ?= 60
fuzz: install-dev
	$(BIN)/python -m fuzz --seconds $(FUZZ_SECONDS)

# Regenerate the locks after changing dependencies in pyproject.toml.
lock: | $(UV)
	$(UV) pip compile --quiet --python-version 3.11 --generate-hashes pyproject.toml --extra server --extra likeness --extra speech --extra cluster -o requirements/run.lock
	$(UV) pip compile --quiet --python-version 3.11 --generate-hashes pyproject.toml --all-extras --group dev --group bench -o requirements/dev.lock

# Photos of faces for the likeness tests: the test pictures of face_recognition 1.3.0
# (MIT), two people in several photos, taken from its source package on PyPI once.
FACES := .cache/test-media/faces
test-media: $(FACES)/obama.jpg

$(FACES)/obama.jpg: | $(UV)
	rm -rf $(FACES) .cache/test-media/download && mkdir -p $(FACES)
	$(TOOLS)/bin/pip download --quiet --no-deps --no-binary :all: face_recognition==1.3.0 \
	  -d .cache/test-media/download
	tar -xzf .cache/test-media/download/face_recognition-1.3.0.tar.gz -C $(FACES) \
	  --strip-components=3 --wildcards 'face_recognition-1.3.0/tests/test_images/*.jpg'
	rm -rf .cache/test-media/download

# invisible-watermark (the watermark benchmark's peer, and the reference for the Stable
# Diffusion watermark tests) without the CUDA PyTorch it asks for: only its rivaGan
# method needs it; dwtDct and dwtDctSvd are numpy, OpenCV and PyWavelets.
bench-peers: install-dev
	VIRTUAL_ENV=$(VENV) $(UV) pip install --quiet --no-deps --require-hashes -r requirements/peers.lock

bench: install-dev bench-peers test-media
	@command -v wrk >/dev/null 2>&1 && command -v hey >/dev/null 2>&1 || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk hey; }
	$(BIN)/python benchmarks/hash_throughput.py
	$(BIN)/python benchmarks/match.py
	$(BIN)/python benchmarks/match_http.py --query file --upload raw
	$(BIN)/python benchmarks/match_http.py --query file --upload multipart
	$(BIN)/python benchmarks/watermark.py
	$(BIN)/python benchmarks/match_http.py --query signals
	$(BIN)/python benchmarks/second_stage.py
	$(BIN)/python benchmarks/video_mirror.py
	$(BIN)/python benchmarks/transparency.py

clean:
	rm -rf $(VENV) $(TOOLS) .cache .pytest_cache .mypy_cache .ruff_cache

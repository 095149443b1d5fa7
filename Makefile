# kerasctl — the README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/kerasctl
APT_PACKAGES := libyaml-dev libopenblas-dev zlib1g-dev libhdf5-dev pkg-config dataset-fashion-mnist
FASHION := /usr/share/datasets/fashion-mnist
EPOCHS ?= 20

.PHONY: deps build demo test fuzz bench clean

# Installs the system packages (Debian). Skipped when everything is present.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product kerasctl

# Trains the seed model (the Keras MLP example) on Fashion-MNIST, then predicts a few test images.
demo: build
	$(BIN) summary specs/fashion_mlp.yaml
	$(BIN) train specs/fashion_mlp.yaml -o runs/mlp --metrics-out runs/mlp.jsonl
	$(BIN) predict runs/mlp --input $(FASHION)/t10k-images-idx3-ubyte.gz --top-k 1 | head -5

# The whole test suite: unit tests, Keras reference fixtures, gradient checks, CLI tests,
# and the Examples/ executables (built here, run by the tests).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product CustomLayerExample
	$(SWIFT) build -c release --product kerasctl
	KERASCTL_BIN=$(CURDIR)/$(BIN) KERAS_REQUIRE_EXAMPLES=1 $(SWIFT) test --skip-build

# libFuzzer campaigns (Fuzz/): each harness replays its regression inputs, then fuzzes for
# FUZZ_SECONDS from its committed seed corpus. `make fuzz FUZZ_SECONDS=1200` is a full
# campaign; FUZZ_HARNESSES picks some (spec keras_json idx csv zip weights modeldir).
FUZZ_SECONDS ?= 60
FUZZ_HARNESSES ?=
fuzz: deps
	bash Fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# Epoch time, GFLOP/s and peak memory of kerasctl beside real Keras (TensorFlow and JAX backends)
# on the same machine in the same run. Needs `pip install tensorflow-cpu jax` for the Keras side.
bench: build
	bash bench/run.sh $(EPOCHS)

clean:
	rm -rf .build runs

# kerasctl — the README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/kerasctl
APT_PACKAGES := libyaml-dev libopenblas-dev zlib1g-dev libhdf5-dev pkg-config dataset-fashion-mnist
FASHION := /usr/share/datasets/fashion-mnist
# EPOCHS: `make demo EPOCHS=1` shortens the demo's training (CI does); `make bench` runs 20 unless given.
EPOCHS ?=

.PHONY: deps build demo test bench clean

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

# Trains the seed model (the Keras MLP example) on Fashion-MNIST, then predicts the test images
# (all 10,000 into runs/mlp-predictions.csv; the first five shown).
demo: build
	$(BIN) summary specs/fashion_mlp.yaml
	$(BIN) train specs/fashion_mlp.yaml -o runs/mlp --metrics-out runs/mlp.jsonl $(if $(EPOCHS),--epochs $(EPOCHS))
	$(BIN) predict runs/mlp --input $(FASHION)/t10k-images-idx3-ubyte.gz --top-k 1 > runs/mlp-predictions.csv
	head -5 runs/mlp-predictions.csv

# The whole test suite: unit tests, Keras reference fixtures, gradient checks, CLI tests,
# and the Examples/ executables (built here, run by the tests).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product CustomLayerExample
	$(SWIFT) build -c release --product kerasctl
	KERASCTL_BIN=$(CURDIR)/$(BIN) KERAS_REQUIRE_EXAMPLES=1 $(SWIFT) test --skip-build

# Epoch time, GFLOP/s and peak memory of kerasctl beside real Keras (TensorFlow and JAX backends)
# on the same machine in the same run. Needs `pip install tensorflow-cpu jax` for the Keras side.
bench: build
	bash bench/run.sh $(or $(EPOCHS),20)

clean:
	rm -rf .build runs

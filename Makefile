# kerasctl — the README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/kerasctl
APT_PACKAGES := libyaml-dev libopenblas-dev libdnnl-dev zlib1g-dev libhdf5-dev libfarmhash-dev pkg-config dataset-fashion-mnist openmpi-bin libopenmpi-dev libcairo2-dev libgraphviz-dev
FASHION := /usr/share/datasets/fashion-mnist
# EPOCHS: `make demo EPOCHS=1` shortens the demo's training (CI does); `make bench` runs 20 unless given.
EPOCHS ?=

# What `make deb` and `make test-deb` add: Debian's packaging tools and debootstrap.
DEB_APT_PACKAGES := dpkg-dev lintian debootstrap
VERSION = $(shell dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
DEB = kerasctl_$(VERSION)_$(shell dpkg --print-architecture)
PREFIX ?= /usr/local

.PHONY: deps build demo test fuzz bench bench-kernels clean deb test-deb install applications transfer keras-venv test-mpi-hosts export-check

# Installs Debian packages that are missing: $(call apt,PACKAGES).
apt = @missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# Installs the system packages (Debian). Skipped when everything is present.
deps:
	$(call apt,$(APT_PACKAGES))

build: deps
	$(SWIFT) build -c release --product kerasctl

# Trains the seed model (the Keras MLP example) on Fashion-MNIST, then predicts the test images
# (all 10,000 into runs/mlp-predictions.csv; the first five shown) and draws the training
# curves, the layer graph and the test set's confusion matrix (runs/*.png: the README's
# pictures in docs/images are these, from the 20-epoch run).
demo: build
	$(BIN) summary specs/fashion_mlp.yaml
	$(BIN) train specs/fashion_mlp.yaml -o runs/mlp --metrics-out runs/mlp.jsonl $(if $(EPOCHS),--epochs $(EPOCHS))
	$(BIN) predict runs/mlp --input $(FASHION)/t10k-images-idx3-ubyte.gz --top-k 1 > runs/mlp-predictions.csv
	head -5 runs/mlp-predictions.csv
	$(BIN) plot runs/mlp -o runs/curves.png
	$(BIN) plot-model specs/fashion_mlp.yaml -o runs/model.png --dpi 72
	$(BIN) evaluate runs/mlp --confusion-matrix -o runs/confusion.png

# The whole test suite: unit tests, Keras reference fixtures, gradient checks, CLI tests,
# and the Examples/ executables (built here, run by the tests).
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) build --product CustomLayerExample
	$(SWIFT) build -c release --product kerasctl
	KERASCTL_BIN=$(CURDIR)/$(BIN) KERAS_REQUIRE_EXAMPLES=1 $(SWIFT) test --skip-build

# Data-parallel training across a real network: two network namespaces joined by a veth
# pair, one MPI rank in each, must train as one process (docs/DISTRIBUTED.md). Needs root.
test-mpi-hosts: build
	bash mpi/two-hosts.sh $(BIN)

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
	KERAS_PYTHON=$(KERAS_PYTHON) bash bench/run.sh $(or $(EPOCHS),20)
	$(KERAS_PYTHON) bench/applications.py speed

# The kernel evaluation behind adopting oneDNN: single convolutions (oneDNN vs im2col +
# OpenBLAS), the MLP's GEMMs (oneDNN vs OpenBLAS), the reference CNN's convolutions and max
# pooling alone (what an epoch of nothing else would take), and the seed MLP's step in plain C
# with its GEMMs alone and with RMSprop, each against the sgemm ceiling, in one run.
bench-kernels: build
	mkdir -p .build/bench
	cc -O2 bench/onednn_conv.c -o .build/bench/onednn_conv -ldnnl -lopenblas
	cc -O2 bench/onednn_gemm.c -o .build/bench/onednn_gemm -ldnnl -lopenblas -lgomp -lpthread
	cc -O2 bench/onednn_cnn.c -o .build/bench/onednn_cnn -ldnnl
	cc -O2 bench/onednn_matmul.c -o .build/bench/onednn_matmul -ldnnl
	cc -O3 -march=native -fno-math-errno -fopenmp -ISources/KerasKernels/include bench/mlp_step.c \
	   .build/release/KerasKernels.build/KerasKernels.c.o -o .build/bench/mlp_step -ldnnl -lm
	OMP_WAIT_POLICY=passive .build/bench/onednn_conv
	OMP_WAIT_POLICY=passive .build/bench/onednn_gemm
	OMP_WAIT_POLICY=passive .build/bench/onednn_cnn
	OMP_WAIT_POLICY=active .build/bench/onednn_matmul
	OMP_WAIT_POLICY=passive .build/bench/onednn_matmul
	OMP_WAIT_POLICY=active .build/bench/mlp_step

# Every keras.applications architecture, saved by real Keras, checked in kerasctl: summary's
# parameter count, predictions from .keras/.h5/JSON+weights against Keras's, and kerasctl's
# export read back by Keras. APPS picks some architectures (CI checks a few). Needs Keras:
# `make keras-venv` installs it into .venv-keras (KERAS_PYTHON names another interpreter).
KERAS_VENV := .venv-keras
KERAS_PYTHON ?= $(if $(wildcard $(KERAS_VENV)/bin/python),$(KERAS_VENV)/bin/python,python3)
applications: build
	$(KERAS_PYTHON) bench/applications.py check $(APPS)

# `kerasctl export` of feature_space models read back by real Keras: each table spec is trained
# briefly, exported, and Keras's load_model(...).predict on raw rows (a dict of columns,
# strings and NaNs included) must match `kerasctl predict` within 1e-4. Needs Keras (keras-venv).
EXPORT_SPECS ?= specs/penguins.yaml specs/penguins_mass.yaml specs/negation_text.yaml \
	Tests/kerasctlTests/Fixtures/fs_export/mixed.yaml Tests/kerasctlTests/Fixtures/fs_export/text_dict.yaml \
	Tests/kerasctlTests/Fixtures/fs_export/more_types.yaml
export-check: build
	KERASCTL_BIN=$(BIN) $(KERAS_PYTHON) bench/keras_export_tables.py --epochs 2 $(EXPORT_SPECS)

# A virtual environment with real Keras (TensorFlow and JAX backends) and TensorBoard for the
# side-by-side checks, benchmarks and the TensorBoard callback's read-back test.
keras-venv:
	$(call apt,python3-venv)
	[ -x $(KERAS_VENV)/bin/python ] || python3 -m venv $(KERAS_VENV)
	$(KERAS_VENV)/bin/pip install -q tensorflow-cpu jax keras tensorboard pyyaml

# Transfer learning (specs/transfer_*.yaml): a backbone learns five Fashion-MNIST classes,
# then a new head on the frozen backbone learns the other five from 200 images, beside the
# same network trained from scratch on them.
transfer: build
	python3 datasets/make_fashion_split.py runs/fashion_split
	$(BIN) train specs/transfer_backbone.yaml -o runs/transfer_backbone --metrics-out runs/transfer_backbone.jsonl
	$(BIN) train specs/transfer_head.yaml -o runs/transfer_head --metrics-out runs/transfer_head.jsonl
	$(BIN) train specs/transfer_scratch.yaml -o runs/transfer_scratch --metrics-out runs/transfer_scratch.jsonl

# The Debian package, $(DEB).deb: static Swift runtime, Depends from dpkg-shlibdeps; lintian
# reports on it (errors fail the build).
deb: deps
	$(call apt,$(DEB_APT_PACKAGES))
	bash packaging/build-deb.sh
	lintian --fail-on error $(DEB).deb

# Installs the package into a fresh Debian 12 root (debootstrap, cached) with no Swift in it
# and runs it there: --version, summary, one training epoch, predict from stdin. Needs root.
test-deb: deb
	bash packaging/test-deb.sh $(DEB).deb

# The release binary and its shell completions under PREFIX (DESTDIR for staging).
install: build
	install -Dm 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/kerasctl
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/kerasctl
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_kerasctl

clean:
	rm -rf .build .build-static .build-deb runs kerasctl_*.deb

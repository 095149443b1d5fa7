# kerasctl — the README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
SWIFT ?= swift
BIN := .build/release/kerasctl
APT_PACKAGES := libyaml-dev libopenblas-dev zlib1g-dev libhdf5-dev libfarmhash-dev pkg-config dataset-fashion-mnist
FASHION := /usr/share/datasets/fashion-mnist
# EPOCHS: `make demo EPOCHS=1` shortens the demo's training (CI does); `make bench` runs 20 unless given.
EPOCHS ?=

# What `make deb` and `make test-deb` add: Debian's packaging tools and debootstrap.
DEB_APT_PACKAGES := dpkg-dev lintian debootstrap
VERSION = $(shell dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
DEB = kerasctl_$(VERSION)_$(shell dpkg --print-architecture)
PREFIX ?= /usr/local

.PHONY: deps build demo test fuzz bench clean deb test-deb install

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
	bash bench/run.sh $(or $(EPOCHS),20)

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

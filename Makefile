# cabin: the few commands that do everything.  The build itself is meson +
# ninja in build/; this file installs what is missing and strings steps
# together.  Run as root on Debian 12.

BUILD      ?= build
PREFIX     ?= /usr/local
DESTDIR    ?=
MESON_OPTS ?=

# Debian packages the build and the tests need (checked with dpkg, installed
# with apt-get only when missing).
DEPS_BUILD := meson ninja-build pkg-config gcc libjansson-dev libcap-dev libseccomp-dev \
              libarchive-dev libssl-dev libcurl4-openssl-dev libisal-dev
DEPS_TEST  := libcmocka-dev bats jq busybox-static iproute2 util-linux procps \
              umoci skopeo docker-registry apache2-utils python3 python3-jwt \
              python3-cryptography openssl gnuplot-nox
# Terminals (script is util-linux's / bsdutils') and the real clients
# (tests/integration/{podman,containerd,dockerd}.bats).
DEPS_TEST  += tmux bsdutils podman conmon containernetworking-plugins containerd docker.io
DEPS_BENCH := runc crun time podman gnuplot-nox
DEPS_FUZZ  := clang libclang-rt-14-dev

.PHONY: all build build-asan build-fuzz deps deps-bench deps-fuzz demo demo-runtime check check-asan check-unit check-integration bench fuzz install clean

all: build

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

deps:
	@missing=""; for p in $(DEPS_BUILD) $(DEPS_TEST) $(EXTRA_DEPS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	        || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

deps-bench:
	@$(MAKE) --no-print-directory deps EXTRA_DEPS="$(DEPS_BENCH)"

deps-fuzz:
	@$(MAKE) --no-print-directory deps EXTRA_DEPS="$(DEPS_FUZZ)"

# The engine: a busybox image imported and run with cabin.
demo: deps build
	@sh tests/helpers/demo-cabin.sh $(BUILD)

# The runtime alone: a bundle run with cabin-runtime, showing its isolation.
demo-runtime: deps build
	@sh tests/helpers/demo.sh $(BUILD)/cabin-runtime

# The sanitizer build (ASan + UBSan, LeakSanitizer on the CLI paths):
# dynamic, since the sanitizers do not work in a static binary.
ASAN_BUILD ?= build-asan

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Dbuildtype=debug \
	    -Dstatic_runtime=false -Dstatic_deps=false

build-asan: $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

check: deps build build-asan
	@ASAN_BUILD=$(ASAN_BUILD) sh tests/run-all.sh $(BUILD)

check-asan: deps build-asan
	@ONLY_ASAN=1 ASAN_BUILD=$(ASAN_BUILD) sh tests/run-all.sh $(BUILD)

check-unit: deps build
	meson test -C $(BUILD) --print-errorlogs

check-integration: deps build
	CABIN_RUNTIME=$(CURDIR)/$(BUILD)/cabin-runtime bats tests/integration

bench: deps-bench build
	@bash bench/run.sh

# Fuzzing (tests/fuzz/README.md): the harnesses linked with libFuzzer by
# clang, with ASan and UBSan (every report fatal), each run FUZZ_SECONDS.
# `make check` replays the corpora without this build.
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 180

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true -Dwerror=false \
	    -Db_sanitize=address,undefined -Dbuildtype=debugoptimized \
	    -Dstatic_runtime=false -Dstatic_deps=false \
	    -Dc_args='-fsanitize=fuzzer-no-link -fno-sanitize-recover=all' \
	    -Dc_link_args='-fno-sanitize-recover=all'

build-fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

fuzz: deps-fuzz build-fuzz
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_HARNESSES)

install: build
	DESTDIR=$(DESTDIR) meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)

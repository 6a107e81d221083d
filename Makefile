# octo-git — build, test, demo, install, bench. See README.md.
SWIFT     ?= swift
PREFIX    ?= /usr/local
BINDIR    ?= $(DESTDIR)$(PREFIX)/bin
# The release binary carries the Swift runtime, so hooks run it without the toolchain on PATH.
RELEASE_FLAGS ?= -c release --static-swift-stdlib --product octo-git
RELEASE_BIN    = .build/release/octo-git

.PHONY: all deps build release test demo install uninstall bench fuzz fuzz-build clean

all: build

## deps: install the Debian packages the build needs when any is missing, and point the linker at
## their static archives (scripts/static-link.sh)
deps:
	@sh scripts/install-deps.sh
	@sh scripts/static-link.sh

## build: debug build
build: deps
	$(SWIFT) build

## release: optimised, self-contained binary in .build/release/octo-git
release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

## test: install what is missing (Chromium too, for the HTML report's test), build, run every test, replay
## the fuzz seeds and fuzz each parser for a few seconds
test:
	@sh scripts/install-deps.sh test
	@sh scripts/static-link.sh
	$(SWIFT) build --build-tests
	@pgdir=$$(mktemp -d "$${TMPDIR:-/tmp}/octo-test-postgres.XXXXXX") || exit 1; \
	 trap 'sh scripts/test-postgres.sh stop "$$pgdir"' EXIT INT TERM; \
	 url=$$(sh scripts/test-postgres.sh start "$$pgdir") || exit 1; \
	 OCTO_TEST_POSTGRES_URL="$$url" $(SWIFT) test --skip-build
	@for target in $(FUZZ_TARGETS); do .build/debug/octo-fuzz $$target Tests/Fuzz/$$target || exit 1; done
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

FUZZ_TARGETS = note-line json claude-line codex-rollout archive snapshot-state folder-cache hook-input template
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3

## fuzz-build: octo-fuzz with libFuzzer, the core library instrumented (in .build-fuzz)
fuzz-build: deps
	OCTO_FUZZ=1 $(SWIFT) build --product octo-fuzz --scratch-path .build-fuzz

## fuzz: every parser of outside bytes under libFuzzer for FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600)
fuzz: fuzz-build
	@sh scripts/fuzz.sh .build-fuzz/debug/octo-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## demo: build a release binary and run the end-to-end scenario on a scratch repository
demo: release
	@sh scripts/demo.sh "$(CURDIR)/$(RELEASE_BIN)"

## install: octo-git into $(PREFIX)/bin, with a git-octo link so `git octo ...` works
install: release
	install -d "$(BINDIR)"
	install -m 0755 "$(RELEASE_BIN)" "$(BINDIR)/octo-git"
	ln -sf octo-git "$(BINDIR)/git-octo"

uninstall:
	rm -f "$(BINDIR)/octo-git" "$(BINDIR)/git-octo"

## bench: side-by-side timings against the peers (see bench/README.md)
bench: release
	@sh bench/run.sh "$(CURDIR)/$(RELEASE_BIN)"

clean:
	rm -rf .build .build-static .build-fuzz

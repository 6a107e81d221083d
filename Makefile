# octo-git — build, test, demo, install, bench. See README.md.
SWIFT     ?= swift
PREFIX    ?= /usr/local
BINDIR    ?= $(DESTDIR)$(PREFIX)/bin
# The release binary carries the Swift runtime, so hooks run it without the toolchain on PATH.
RELEASE_FLAGS ?= -c release --static-swift-stdlib
RELEASE_BIN    = .build/release/octo-git

.PHONY: all deps build release test demo install uninstall bench clean

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

## test: install what is missing (Chromium too, for the HTML report's test), build, run every test
test:
	@sh scripts/install-deps.sh test
	@sh scripts/static-link.sh
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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
	rm -rf .build .build-static

# octo-git — build, test, demo, install, bench. See README.md.
SWIFT     ?= swift
PREFIX    ?= /usr/local
BINDIR    ?= $(DESTDIR)$(PREFIX)/bin
MANDIR    ?= $(DESTDIR)$(PREFIX)/share/man/man1
BASHCOMPDIR ?= $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
FISHCONFDIR ?= $(DESTDIR)$(PREFIX)/share/fish/vendor_conf.d
STRIP     ?= strip
# The release binary carries the Swift runtime, so hooks run it without the toolchain on PATH.
RELEASE_FLAGS ?= -c release --static-swift-stdlib --product octo-git
RELEASE_BIN    = .build/release/octo-git

.PHONY: all deps build release test lint demo share install uninstall bench fuzz fuzz-build clean

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
	@$(MAKE) --no-print-directory lint
	@sh scripts/static-link.sh
	$(SWIFT) build --build-tests
	@pgdir=$$(mktemp -d "$${TMPDIR:-/tmp}/octo-test-postgres.XXXXXX") || exit 1; \
	 trap 'sh scripts/test-postgres.sh stop "$$pgdir"' EXIT INT TERM; \
	 url=$$(sh scripts/test-postgres.sh start "$$pgdir") || exit 1; \
	 OCTO_TEST_POSTGRES_URL="$$url" $(SWIFT) test --skip-build --disable-xctest
	@sh scripts/lint-workflow.sh .build/debug/octo-git
	@for target in $(FUZZ_TARGETS); do .build/debug/octo-fuzz $$target Tests/Fuzz/$$target || exit 1; done
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

FUZZ_TARGETS = note-line json claude-line codex-rollout archive snapshot-state folder-cache hook-input template \
  gemini-chat copilot-events opencode-message cline-messages cline-session qwen-chat json-select actions-event \
  github-link github-api copy-row import-offsets agent-import-state fsmonitor-response
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3

## lint: swift format's checks with the project's .swift-format (line length 120, two-space indents); `swift
## format --in-place --recursive Sources Tests Plugins` fixes what it reports. Then the folder layering of
## Sources/OctoGit (docs/ARCHITECTURE.md), known exceptions in scripts/layers-allowed.txt
lint:
	$(SWIFT) format lint --strict --recursive --parallel Sources Tests Plugins
	python3 scripts/check-layers.py

## fuzz-build: octo-fuzz with libFuzzer, the core library instrumented (in .build-fuzz)
fuzz-build: deps
	OCTO_FUZZ=1 $(SWIFT) build --product octo-fuzz --scratch-path .build-fuzz

## fuzz: every parser of outside bytes under libFuzzer for FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600)
fuzz: fuzz-build
	@sh scripts/fuzz.sh .build-fuzz/debug/octo-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## demo: build a release binary and run the end-to-end scenario on a scratch repository
demo: release
	@sh scripts/demo.sh "$(CURDIR)/$(RELEASE_BIN)"

## share: man pages and shell completions in .build/share, generated from the argument parser (what
## make install installs). The man pages come from swift-argument-parser's generate-manual, the tool its
## GenerateManual plugin runs, built on its own from the checked-out package: the plugin would first rebuild
## every product in release mode without --static-swift-stdlib. One page per command (octo-git.1,
## octo-git.usage.import.1, ...), and git-octo.1 pointing at octo-git.1 for `git octo --help`.
SHARE_OUT    = .build/share
MANUAL_TOOL ?= .build/generate-manual/release/generate-manual
MANUAL_DATE  = $$(git log -1 --format=%cs 2>/dev/null || date +%Y-%m-%d)

$(MANUAL_TOOL): | release
	$(SWIFT) build -c release --package-path .build/checkouts/swift-argument-parser \
	  --scratch-path .build/generate-manual --product generate-manual

share: release $(MANUAL_TOOL)
	@rm -rf $(SHARE_OUT) && mkdir -p $(SHARE_OUT)/man1 $(SHARE_OUT)/bash $(SHARE_OUT)/zsh $(SHARE_OUT)/fish
	"$(MANUAL_TOOL)" "$(RELEASE_BIN)" --multi-page --date "$(MANUAL_DATE)" --output-directory $(SHARE_OUT)/man1
	@printf '.so man1/octo-git.1\n' > $(SHARE_OUT)/man1/git-octo.1
	@"$(RELEASE_BIN)" --generate-completion-script bash > $(SHARE_OUT)/bash/octo-git
	@"$(RELEASE_BIN)" --generate-completion-script zsh > $(SHARE_OUT)/zsh/_octo-git
	@"$(RELEASE_BIN)" --generate-completion-script fish > $(SHARE_OUT)/fish/octo-git.fish
	@printf '%s\n' "$$GIT_OCTO_BASH" > $(SHARE_OUT)/bash/git-octo
	@printf '%s\n' "$$GIT_OCTO_ZSH" > $(SHARE_OUT)/zsh/_git-octo
	@printf '%s\n' "$$GIT_OCTO_FISH" > $(SHARE_OUT)/fish/git-octo.fish
	@printf '%s\n' "$$GIT_OCTO_FISH_CONF" > $(SHARE_OUT)/fish/conf-git-octo.fish
	@echo "man pages and completions in $(SHARE_OUT)"

# `git octo <TAB>`: git's bash completion loads completions/git-octo through bash-completion and calls
# _git_octo; zsh's _git calls _git-octo; fish's git completion completes git-octo (fish before 3.7 needs the
# vendor_conf.d line for that). Each hands the words after `octo` to octo-git's own completion.
define GIT_OCTO_BASH
# bash completion of `git octo ...` (git's completion calls _git_octo) and `git-octo ...`, installed by
# octo-git's make install: octo-git's own completion, in the same folder, does the work.
declare -F _octo-git >/dev/null || . "$${BASH_SOURCE[0]%/*}/octo-git"
_git_octo() {
    local -i i=1
    while ((i < COMP_CWORD)) && [[ $${COMP_WORDS[i]} != octo ]]; do ((i++)); done
    local rest="$${COMP_LINE#*[[:space:]]octo[[:space:]]}"
    local -a COMP_WORDS=(octo-git "$${COMP_WORDS[@]:i+1}")
    local -i COMP_CWORD=$$((COMP_CWORD - i))
    local -i COMP_POINT=$$((COMP_POINT - $${#COMP_LINE} + $${#rest} + 9))
    local COMP_LINE="octo-git $$rest"
    compopt +o nospace 2>/dev/null
    _octo-git octo-git "$${COMP_WORDS[COMP_CWORD]}" "$${COMP_WORDS[COMP_CWORD - 1]}"
}
complete -o filenames -F _octo-git git-octo
endef
export GIT_OCTO_BASH

define GIT_OCTO_ZSH
#compdef git-octo
# zsh completion of `git octo ...` (zsh's _git calls _git-octo) and `git-octo ...`, installed by octo-git's
# make install: octo-git's own completion (_octo-git) does the work, asking octo-git.
words[1]=octo-git
_octo-git "$$@"
endef
export GIT_OCTO_ZSH

define GIT_OCTO_FISH
# fish completion of `git-octo ...`, and so of `git octo ...` (fish's git completion completes the git-*
# commands it finds), installed by octo-git's make install: octo-git's own completion does the work.
functions -q __octo-git_parse_tokens; or source (status dirname)/octo-git.fish
complete -c git-octo -w octo-git
endef
export GIT_OCTO_FISH

define GIT_OCTO_FISH_CONF
# `git octo <TAB>` in fish: fish's git completion before 3.7 does not reach git-* commands' own completions.
complete -c git -f -n '__fish_git_using_command octo' -a '(__fish_git_complete_custom_command octo)'
endef
export GIT_OCTO_FISH_CONF

## install: the stripped binary into $(PREFIX)/bin with a git-octo link (so `git octo ...` works), a man page
## per command (and git-octo(1), so `git octo --help` works) and completions for bash, zsh and fish (for
## `git octo` too); DESTDIR stages it for a package
install: release share
	install -d "$(BINDIR)" "$(MANDIR)" "$(BASHCOMPDIR)" "$(ZSHCOMPDIR)" "$(FISHCOMPDIR)" "$(FISHCONFDIR)"
	install -m 0755 "$(RELEASE_BIN)" "$(BINDIR)/octo-git"
	$(STRIP) "$(BINDIR)/octo-git"
	ln -sf octo-git "$(BINDIR)/git-octo"
	install -m 0644 $(SHARE_OUT)/man1/*.1 "$(MANDIR)"
	install -m 0644 $(SHARE_OUT)/bash/octo-git $(SHARE_OUT)/bash/git-octo "$(BASHCOMPDIR)"
	install -m 0644 $(SHARE_OUT)/zsh/_octo-git $(SHARE_OUT)/zsh/_git-octo "$(ZSHCOMPDIR)"
	install -m 0644 $(SHARE_OUT)/fish/octo-git.fish $(SHARE_OUT)/fish/git-octo.fish "$(FISHCOMPDIR)"
	install -m 0644 $(SHARE_OUT)/fish/conf-git-octo.fish "$(FISHCONFDIR)/git-octo.fish"
	@echo "installed octo-git ($$(wc -c < "$(BINDIR)/octo-git") bytes, stripped), $$(ls $(SHARE_OUT)/man1 | wc -l) man pages," \
	  "completions for bash, zsh and fish under $(DESTDIR)$(PREFIX)"

## uninstall: removes everything install put there
uninstall:
	rm -f "$(BINDIR)/octo-git" "$(BINDIR)/git-octo"
	rm -f "$(MANDIR)/octo-git.1" "$(MANDIR)"/octo-git.*.1 "$(MANDIR)/git-octo.1"
	rm -f "$(BASHCOMPDIR)/octo-git" "$(BASHCOMPDIR)/git-octo" "$(ZSHCOMPDIR)/_octo-git" "$(ZSHCOMPDIR)/_git-octo"
	rm -f "$(FISHCOMPDIR)/octo-git.fish" "$(FISHCOMPDIR)/git-octo.fish" "$(FISHCONFDIR)/git-octo.fish"

## bench: side-by-side timings against the peers (README: Benchmarks, for the size variables)
bench: release
	@sh bench/run.sh "$(CURDIR)/$(RELEASE_BIN)"

clean:
	rm -rf .build .build-static .build-fuzz

# man.mk - the manual pages: man/NAME.SECTION.scd, written in scdoc (Debian's scdoc,
# mk/deps.sh build), become $(BUILD)/man/NAME.SECTION.
#   make                 builds them with everything else (they are in ALL_BINS)
#   make man             builds only them
# MAN_PAGES lists the built pages; mk/install.mk installs them under $(MANDIR).
# tests/cli/test_man_cli.sh renders each with `man --warnings -l`.
MAN_SRC   := $(wildcard man/*.scd)
MAN_PAGES := $(MAN_SRC:man/%.scd=$(BUILD)/man/%)

ALL_BINS  += $(MAN_PAGES)

.PHONY: man
man: $(MAN_PAGES)

# scdoc reads stdin only; write to a temporary name so a failed run leaves no page.
$(BUILD)/man/%: man/%.scd
	@command -v scdoc >/dev/null || { echo "nestbench: scdoc is missing:" \
		"apt-get install scdoc (or make deps)" >&2; exit 1; }
	@mkdir -p $(dir $@)
	scdoc <$< >$@.tmp && mv $@.tmp $@

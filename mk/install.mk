# install.mk - `make install` and `make uninstall`, with the GNU directory variables:
#   make install PREFIX=/usr DESTDIR=/tmp/stage     (debian/rules does this)
# PREFIX (/usr/local), BINDIR, DATADIR, MANDIR, SYSCONFDIR (/etc for PREFIX=/usr, else
# PREFIX/etc), SYSTEMDUNITDIR and UDEVRULESDIR (/lib/... for PREFIX=/usr, else PREFIX/lib/...).
# Installed: the three programs; the man pages (mk/man.mk's MAN_PAGES); in
# DATADIR/nestbench/ what they read at run time: the lab's image recipes (images/*.sh,
# run as `sh DATADIR/nestbench/images/build.sh`, which harness/lab.c names) and the
# example campaign files (configs/*.json); the agent's systemd units, udev rule and
# environment file (guest-agent/), each only when its source exists.
# The charts' gnuplot scripts are written by `nestbench plot` itself: nothing to install.
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
DATADIR        ?= $(PREFIX)/share
MANDIR         ?= $(DATADIR)/man
SYSCONFDIR     ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
UDEVRULESDIR   ?= $(if $(filter /usr,$(PREFIX)),/lib/udev/rules.d,$(PREFIX)/lib/udev/rules.d)
INSTALL        ?= install

NB_SHARE       := $(DATADIR)/nestbench
INSTALL_BINS   := nestbench nestbench-agent nestbench-work
INSTALL_DATA   := $(wildcard images/*.sh) $(wildcard configs/*.json)
# Sources the "unit" work adds to guest-agent/ (a unit file .in has @BINDIR@, @SYSCONFDIR@).
INSTALL_UNITS  := $(wildcard guest-agent/nestbench-agent.service.in \
                             guest-agent/nestbench-agent-serial.service.in)
INSTALL_UDEV   := $(wildcard guest-agent/60-nestbench-agent.rules)
INSTALL_ENV    := $(wildcard guest-agent/nestbench-agent.default)

# lab.c looks for the image recipes in the DATADIR it was built for (after the share/
# beside its bin/): a change of DATADIR rebuilds it (the stamp changes only then).
DATADIR_STAMP  := $(BUILD)/gen/datadir.txt
$(BUILD)/obj/harness/lab.o: override CPPFLAGS += -DNB_DATADIR='"$(NB_SHARE)"'
$(BUILD)/obj/harness/lab.o: $(DATADIR_STAMP)
$(DATADIR_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(NB_SHARE)' | cmp -s - $@ || echo '$(NB_SHARE)' >$@

# The environment file is the administrator's once edited: neither overwritten nor removed.
ENV_FILE       = $(DESTDIR)$(SYSCONFDIR)/default/nestbench-agent
# Scripts (#! on the first line) executable, other files not (Debian policy, lintian).
data_mode = $$(head -c 2 $(1) | grep -q '^\#!' && echo 0755 || echo 0644)
# A man page NAME.SECTION goes to MANDIR/manSECTION/.
man_dir = $(DESTDIR)$(MANDIR)/man$(patsubst .%,%,$(suffix $(notdir $(1))))

.PHONY: install uninstall
install: all
	$(INSTALL) -d $(DESTDIR)$(BINDIR)
	$(INSTALL) -m 0755 $(addprefix $(BUILD)/,$(INSTALL_BINS)) $(DESTDIR)$(BINDIR)/
	$(foreach d,$(sort $(dir $(INSTALL_DATA))),\
		$(INSTALL) -d $(DESTDIR)$(NB_SHARE)/$(d) &&) true
	$(foreach f,$(INSTALL_DATA),$(INSTALL) -m $(call data_mode,$(f)) $(f) \
		$(DESTDIR)$(NB_SHARE)/$(f) &&) true
	$(foreach m,$(MAN_PAGES),\
		$(INSTALL) -d $(call man_dir,$(m)) && $(INSTALL) -m 0644 $(m) $(call man_dir,$(m))/ &&) true
	$(if $(INSTALL_UNITS),$(INSTALL) -d $(DESTDIR)$(SYSTEMDUNITDIR))
	$(foreach u,$(INSTALL_UNITS),\
		sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $(u) \
		>$(DESTDIR)$(SYSTEMDUNITDIR)/$(basename $(notdir $(u))) && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$(basename $(notdir $(u))) &&) true
	$(if $(INSTALL_UDEV),$(INSTALL) -d $(DESTDIR)$(UDEVRULESDIR) && \
		$(INSTALL) -m 0644 $(INSTALL_UDEV) $(DESTDIR)$(UDEVRULESDIR)/)
	$(if $(INSTALL_ENV),$(INSTALL) -d $(DESTDIR)$(SYSCONFDIR)/default && \
		if [ -e $(ENV_FILE) ] && ! cmp -s $(INSTALL_ENV) $(ENV_FILE); then \
		echo "install: keeping your $(ENV_FILE) (the new one is $(INSTALL_ENV))"; \
		else $(INSTALL) -m 0644 $(INSTALL_ENV) $(ENV_FILE); fi)

# Exactly what install put (an edited environment file stays), then the directories it
# made under share/nestbench if empty; shared directories (bin, man, systemd, udev,
# default) stay.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(INSTALL_BINS))
	rm -f $(addprefix $(DESTDIR)$(NB_SHARE)/,$(INSTALL_DATA))
	rm -f $(foreach m,$(MAN_PAGES),$(call man_dir,$(m))/$(notdir $(m)))
	rm -f $(foreach u,$(INSTALL_UNITS),$(DESTDIR)$(SYSTEMDUNITDIR)/$(basename $(notdir $(u))))
	rm -f $(addprefix $(DESTDIR)$(UDEVRULESDIR)/,$(notdir $(INSTALL_UDEV)))
	$(if $(INSTALL_ENV),if [ -e $(ENV_FILE) ] && ! cmp -s $(INSTALL_ENV) $(ENV_FILE); then \
		echo "uninstall: keeping $(ENV_FILE): it has your changes"; else rm -f $(ENV_FILE); fi)
	for d in $(addprefix $(DESTDIR)$(NB_SHARE)/,$(sort $(dir $(INSTALL_DATA)))) \
		$(DESTDIR)$(NB_SHARE); do rmdir $$d 2>/dev/null || true; done

# SPDX-License-Identifier: GPL-2.0-only
#
# Kbuild file inside a kernel tree (drivers/infiniband/ulp/srpt), and a
# standalone makefile elsewhere: "make" builds ib_srpt.ko against the
# newest installed 6.12 kernel headers, or against KDIR=<build dir>.

ifneq ($(KERNELRELEASE),)

obj-$(CONFIG_INFINIBAND_SRPT) += ib_srpt.o
# ib_srpt_trace.h is included by define_trace.h from this directory.
CFLAGS_ib_srpt.o := -I$(src)
obj-$(CONFIG_INFINIBAND_SRPT_KUNIT_TEST) += ib_srpt_test.o

else

KDIR ?= $(shell ls -d /lib/modules/6.12.*/build 2>/dev/null | sort -V | tail -n 1)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_INFINIBAND_SRPT=m modules

install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) CONFIG_INFINIBAND_SRPT=m modules_install
	depmod -a $(notdir $(patsubst %/build,%,$(KDIR)))

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

.PHONY: all modules install clean

endif

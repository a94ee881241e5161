#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (d) guest side of share-host.sh: the host folder is live at /mnt/host.
#   share.sh NAME SHA256
. /usr/lib/awd/tests/lib.sh
check "/mnt/host is a virtio-9p mount" sh -c "grep -q ' /mnt/host 9p ' /proc/mounts"
check "the host's file $1 is there" test -f "/mnt/host/$1"
check "with the host's content" sh -c "echo '$2  /mnt/host/$1' | sha256sum -c --quiet"
# written to the share: the host checks it after the guest exits
check "compresses on the device into the host folder" sh -c "awd zip -c < /mnt/host/$1 > /mnt/host/from-guest.gz && gzip -t /mnt/host/from-guest.gz"
touch /mnt/host/guest-up
late() { for _ in $(seq 300); do [ -s /mnt/host/late.txt ] && grep -q 'written by the host' /mnt/host/late.txt && return 0; sleep 0.2; done; return 1; }
check "a file the host writes while the guest runs appears (live share)" late
check_dmesg_clean
finish

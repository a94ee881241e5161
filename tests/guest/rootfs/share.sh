#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (d) guest side of share-host.sh: the host's file is at /mnt/host.
#   share.sh NAME SHA256
. /usr/lib/awd/tests/lib.sh
check "/mnt/host is mounted" mountpoint -q /mnt/host
check "the host's file $1 is there" test -f "/mnt/host/$1"
check "with the host's content" sh -c "echo '$2  /mnt/host/$1' | sha256sum -c --quiet"
check "and compresses on the device" sh -c "awd zip -c < /mnt/host/$1 | gzip -dc | cmp - /mnt/host/$1"
check_dmesg_clean
finish

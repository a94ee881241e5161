#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Stand-in for the rootfs tests when no guest rootfs base is cached.
echo "no guest rootfs base: run scripts/guest-rootfs.sh base (root) or scripts/build-all.sh, then reconfigure"
exit 77

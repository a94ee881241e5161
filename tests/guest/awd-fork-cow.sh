# SPDX-License-Identifier: MIT
# After fork(), the parent's pages are copy-on-write (read-only until
# written). The device writing its output into such a page must get it
# writable through a write page request, as a CPU write would; otherwise
# any program that ever forks (system(), popen()) cannot reuse its buffers
# as device outputs. (awd-libtest fork-cow. It needs iommu-sva to walk
# the tables again for an ATS request when its cached answer is read-only:
# Linux breaks copy-on-write without an invalidation. Without that, the
# write page request succeeds but every re-translation stays read-only,
# and the request ends in FAULT.)
. /opt/awd/bin/lib.sh
check "device output into a buffer written before fork()" awd-libtest fork-cow
check_dmesg_clean
finish

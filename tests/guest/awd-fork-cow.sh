# SPDX-License-Identifier: MIT
# After fork(), the parent's pages are copy-on-write (read-only until
# written). The device writing its output into such a page must get it
# writable through a write page request, as a CPU write would; otherwise
# any program that ever forks (system(), popen()) cannot reuse its buffers
# as device outputs. (awd-libtest fork-cow; failing as of this writing:
# the page request succeeds, but the re-translation still lacks write
# permission, four times, then FAULT.)
. /opt/awd/bin/lib.sh
check "device output into a buffer written before fork()" awd-libtest fork-cow
check_dmesg_clean
finish

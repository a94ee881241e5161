# SPDX-License-Identifier: GPL-2.0-or-later
# SIGKILL during a long request, 200 times: no queue stays in use, nothing
# stays pinned, the kernel log stays clean.
. /opt/awd/bin/lib.sh
check "200 owners killed mid-request leave nothing behind" awd-drvtest kill 200
check_dmesg_clean
finish

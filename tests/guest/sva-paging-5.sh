# SPDX-License-Identifier: GPL-2.0-or-later
# sva-paging.sh on a 5-level guest (-cpu max, bzImage boot).
set -- 5
. /opt/awd/bin/sva-paging.sh

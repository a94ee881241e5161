#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (c) a C program compiled in the guest with `pkg-config accelwd` against
# the installed headers and libaccelwd.so compresses through the device.
. /usr/lib/awd/tests/lib.sh
src=/usr/lib/awd/share/pkgconfig-demo.c
check "pkg-config knows accelwd" pkg-config --exists accelwd
echo "# cflags: $(pkg-config --cflags accelwd) libs: $(pkg-config --libs accelwd)"
check "compiles and links with pkg-config's flags" \
	sh -c "gcc -Wall -Werror -o /tmp/pcdemo $src \$(pkg-config --cflags --libs accelwd)"
check "the hardware and uapi headers compile on their own" \
	sh -c 'printf "#include <accel_wd_hw.h>\n#include <accel_wd_uapi.h>\n#include <accel_wd_ring.h>\nint main(void){return 0;}\n" | gcc -x c -o /tmp/hdr - $(pkg-config --cflags accelwd)'
check "it uses the installed libaccelwd.so.0" sh -c "ldd /tmp/pcdemo | grep -q 'lib/x86_64-linux-gnu/libaccelwd.so.0 '"
head -c 400000 /usr/lib/x86_64-linux-gnu/libpython3*.so* 2>/dev/null > /tmp/in || true
[ -s /tmp/in ] || tar -C /usr/share -cf - doc | head -c 400000 > /tmp/in
/tmp/pcdemo < /tmp/in > /tmp/out.gz 2> /tmp/pc.err
check "it ran and compressed through the device" test $? -eq 0
sed 's/^/# /' /tmp/pc.err
check "the device counted the requests" grep -q 'submitted=2 completed=2' /tmp/pc.err
check "gzip inflates its output to the input" sh -c "gzip -dc /tmp/out.gz | cmp - /tmp/in"
check "smaller than the input" sh -c "[ \$(stat -c %s /tmp/out.gz) -lt \$(stat -c %s /tmp/in) ]"
check_driver_idle
check_dmesg_clean
finish

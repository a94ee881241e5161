# SPDX-License-Identifier: MIT
# libaccelwd against the device (awd-libtest, the host mock test built for
# the guest): open/caps, async and sync NOPs, one-shot and streamed
# compression checked against zlib in the guest, RSA against OpenSSL-made
# vectors, API misuse, fork, four threads on four queues.
. /opt/awd/bin/lib.sh
check "awd stat" awd stat
check "libaccelwd API against the device" awd-libtest
check "awd bench runs (short)" awd bench -t 0.1 -q 4
check_dmesg_clean
finish

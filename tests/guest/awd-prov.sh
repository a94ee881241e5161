# SPDX-License-Identifier: MIT
# The awd OpenSSL provider on the device: awd-prov-test (the provider
# built into a static program with a static libcrypto; the guest has no
# openssl command and no shared libcrypto for awd.so) against OpenSSL's
# default provider in the same program, on keys it makes: PKCS #1 v1.5
# signatures byte for byte, PSS and OAEP both ways, corrupted inputs
# refused by both, every exponentiation on the device (counters).
. /opt/awd/bin/lib.sh
check "awd provider against the default provider, on the device" awd-prov-test 1024 2048
grep "^# awd:" /tmp/check.out
check_dmesg_clean
finish

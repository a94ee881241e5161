# SPDX-License-Identifier: MIT
# awd rsa on the device against OpenSSL's results for the same keys and
# messages (made on the host by guest-lib/tests/gen-rsa-guest.sh): raw
# public and private (CRT) operations and PKCS #1 v1.5 signatures byte
# for byte; OpenSSL's PKCS #1, OAEP ciphertexts and PSS signatures
# accepted; awd's own randomized paddings round trip.
. /opt/awd/bin/lib.sh
. /opt/awd/bin/awd-rsa-data.sh
# (lib.sh's check() uses $d: names here avoid it)
rd=/tmp/awd-rsa
rsa_write_files $rd
for b in 1024 2048; do
	key=$rd/k$b
	check "$b: raw public equals OpenSSL" sh -c "awd rsa -e -p none -x -k $key.pub -i $key.raw.hex | cmp - $key.rawpub.hex"
	check "$b: raw private (CRT, PKCS#8) equals OpenSSL" sh -c "awd rsa -d -p none -x -k $key.p8 -i $key.raw.hex | cmp - $key.rawpriv.hex"
	check "$b: raw private (PKCS#1 PEM) equals OpenSSL" sh -c "awd rsa -d -p none -x -k $key.p1 -i $key.raw.hex | cmp - $key.rawpriv.hex"
	check "$b: SHA-256 PKCS#1 v1.5 signature equals OpenSSL" sh -c "awd rsa -s -x -k $key.p8 -i $rd/msg.hex | cmp - $key.sig.hex"
	check "$b: OpenSSL's signature verifies" sh -c "awd rsa -v -x -k $key.pub -S $key.sig.hex -i $rd/msg.hex | grep -qx 'Verified OK'"
	check "$b: another message does not verify" sh -c "echo 00 | awd rsa -v -x -k $key.pub -S $key.sig.hex >/dev/null; [ \$? -eq 1 ]"
	check "$b: OpenSSL's PSS signature verifies" sh -c "awd rsa -v -p pss -x -k $key.pub -S $key.pss.hex -i $rd/msg.hex | grep -qx 'Verified OK'"
	check "$b: OpenSSL's PKCS#1 ciphertext decrypts" sh -c "awd rsa -d -x -k $key.p8 -i $key.ct1.hex | cmp - $rd/msg.hex"
	check "$b: OpenSSL's OAEP ciphertext decrypts" sh -c "awd rsa -d -p oaep -x -k $key.p8 -i $key.ct2.hex | cmp - $rd/msg.hex"
	check "$b: PKCS#1 and OAEP encryption round trip" sh -c "
		awd rsa -e -k $key.pub -i $rd/msg -o $rd/c1 && awd rsa -d -k $key.p1 -i $rd/c1 | cmp - $rd/msg &&
		awd rsa -e -p oaep -k $key.pub -i $rd/msg -o $rd/c2 && awd rsa -d -p oaep -k $key.p8 -i $rd/c2 | cmp - $rd/msg"
	check "$b: PSS sign and verify" sh -c "
		awd rsa -s -p pss -k $key.p8 -i $rd/msg -o $rd/s && awd rsa -v -p pss -k $key.pub -S $rd/s -i $rd/msg"
done
rm -rf $rd
check_dmesg_clean
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
# awd rsa (built against the host mock device, which runs the device's RSA
# engine) against OpenSSL on the same keys and messages: raw operations
# byte for byte, PKCS #1 v1.5 signatures byte for byte, randomized paddings
# decrypted/verified by the other side. Keys as PKCS #1, PKCS #8, SPKI PEM
# and hex.
# usage: rsa-mock.sh path/to/awd-mock
set -u
awd=$1
command -v openssl >/dev/null || { echo "1..0 # SKIP no openssl"; exit 0; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
ko() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { d=$1; shift; if "$@" >"$t/out" 2>&1; then ok "$d"; else ko "$d"; sed 's/^/#   /' "$t/out"; fi; }

echo "the message to sign and encrypt" >"$t/msg"
for bits in 1024 2048 4096; do
	k=$t/k$bits
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$bits -out $k.p8 2>/dev/null
	openssl pkey -in $k.p8 -pubout -out $k.pub 2>/dev/null
	openssl pkey -in $k.p8 -traditional -out $k.p1 2>/dev/null ||
		openssl rsa -in $k.p8 -traditional -out $k.p1 2>/dev/null
	# hex form of the same key
	openssl rsa -in $k.p8 -noout -text 2>/dev/null | awk '
		/^modulus:/ {f="n"; next} /^publicExponent:/ {print "e = " sprintf("%x", $2); f=""; next}
		/^privateExponent:/ {f="d"; next} /^prime1:/ {f="p"; next} /^prime2:/ {f="q"; next}
		/^exponent1:/ {f="dp"; next} /^exponent2:/ {f="dq"; next} /^coefficient:/ {f="qinv"; next}
		/^ / && f {gsub(/[ :]/, ""); v[f] = v[f] $0; next} {f=""}
		END {for (x in v) print x " = " v[x]}' >$k.hex
	klen=$((bits / 8))
	# raw input below n: a leading zero byte
	(printf '\000'; head -c $((klen - 1)) /dev/urandom) >$t/raw$bits

	check "$bits: raw public equals openssl" sh -c "
		openssl pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:none -in $t/raw$bits -out $t/o1 &&
		'$awd' rsa -e -p none -k $k.pub -i $t/raw$bits -o $t/o2 && cmp $t/o1 $t/o2"
	check "$bits: raw private (CRT) equals openssl" sh -c "
		openssl pkeyutl -decrypt -inkey $k.p8 -pkeyopt rsa_padding_mode:none -in $t/raw$bits -out $t/o1 &&
		'$awd' rsa -d -p none -k $k.p1 -i $t/raw$bits -o $t/o2 && cmp $t/o1 $t/o2"
	check "$bits: hex key gives the same" sh -c "
		'$awd' rsa -d -p none -k $k.hex -i $t/raw$bits -o $t/o3 && cmp $t/o1 $t/o3"
	check "$bits: PKCS#1 v1.5 signature equals openssl dgst -sha256" sh -c "
		openssl dgst -sha256 -sign $k.p8 -out $t/s1 $t/msg &&
		'$awd' rsa -s -k $k.p8 -i $t/msg -o $t/s2 && cmp $t/s1 $t/s2"
	check "$bits: awd verifies openssl's signature" sh -c "
		'$awd' rsa -v -k $k.pub -S $t/s1 -i $t/msg | grep -qx 'Verified OK'"
	check "$bits: a wrong message fails verification (exit 1)" sh -c "
		echo other | '$awd' rsa -v -k $k.pub -S $t/s1 >/dev/null; [ \$? -eq 1 ]"
	check "$bits: PSS signature verified by openssl" sh -c "
		'$awd' rsa -s -p pss -k $k.p8 -i $t/msg -o $t/s3 &&
		openssl dgst -sha256 -sigopt rsa_padding_mode:pss -verify $k.pub -signature $t/s3 $t/msg"
	check "$bits: openssl PSS signature verified by awd" sh -c "
		openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sign $k.p8 -out $t/s4 $t/msg &&
		'$awd' rsa -v -p pss -k $k.pub -S $t/s4 -i $t/msg"
	check "$bits: PKCS#1 encryption decrypted by openssl" sh -c "
		'$awd' rsa -e -k $k.pub -i $t/msg -o $t/c1 &&
		openssl pkeyutl -decrypt -inkey $k.p8 -in $t/c1 | cmp - $t/msg"
	check "$bits: openssl PKCS#1 encryption decrypted by awd" sh -c "
		openssl pkeyutl -encrypt -pubin -inkey $k.pub -in $t/msg -out $t/c2 &&
		'$awd' rsa -d -k $k.p8 -i $t/c2 | cmp - $t/msg"
	check "$bits: OAEP both ways" sh -c "
		'$awd' rsa -e -p oaep -k $k.pub -i $t/msg -o $t/c3 &&
		openssl pkeyutl -decrypt -inkey $k.p8 -pkeyopt rsa_padding_mode:oaep -in $t/c3 | cmp - $t/msg &&
		openssl pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:oaep -in $t/msg -out $t/c4 &&
		'$awd' rsa -d -p oaep -k $k.p1 -i $t/c4 | cmp - $t/msg"
done
check "OAEP with SHA-256" sh -c "
	'$awd' rsa -e -p oaep -H sha256 -k $t/k2048.pub -i $t/msg -o $t/c5 &&
	openssl pkeyutl -decrypt -inkey $t/k2048.p8 -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -in $t/c5 | cmp - $t/msg"
check "hex I/O" sh -c "
	od -An -v -tx1 $t/msg > $t/msg.hex &&
	'$awd' rsa -s -x -k $t/k1024.p8 -i $t/msg.hex > $t/sx &&
	openssl dgst -sha256 -sign $t/k1024.p8 $t/msg | od -An -v -tx1 | tr -d ' \n' > $t/sy && echo >> $t/sy &&
	cmp $t/sx $t/sy"
check "private op with a public key: exit 1" sh -c "'$awd' rsa -d -k $t/k1024.pub -i $t/raw1024 2>/dev/null; [ \$? -eq 1 ]"
check "not a key: exit 1" sh -c "'$awd' rsa -e -k $t/msg -i $t/msg 2>/dev/null; [ \$? -eq 1 ]"
check "message too long: exit 1" sh -c "head -c 200 /dev/zero | '$awd' rsa -e -k $t/k1024.pub 2>/dev/null >/dev/null; [ \$? -eq 1 ]"
# the queue format the run asked for is the one the device speaks
check "awd stat names the format ${AWD_MOCK_FORMAT:-ring}" sh -c "'$awd' stat | grep -Eq '^  format +${AWD_MOCK_FORMAT:-ring} '"
echo "1..$n"
[ "$fails" -eq 0 ]

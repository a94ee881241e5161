#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# (e) trixie's openssl command with the awd provider (installed in
# OpenSSL's module dir) against the default provider: the same PKCS #1
# v1.5 signatures byte for byte, PSS signatures verified across, each
# other's PKCS #1 v1.5 and OAEP ciphertexts decrypted, `openssl speed`
# through the provider; AWD_PROV_STATS proves the device did the RSA.
. /usr/lib/awd/tests/lib.sh
. /usr/lib/awd/tests/awdz-lib.sh
P="-provider awd -provider default"
cd /tmp || exit 1
# dev NAME FILE: the provider's "awd: dev.NAME=V" counter (0 if absent)
dev() { sed -n "s/.*dev\.$1=\([0-9]*\).*/\1/p" "$2" | awk '{ s += $1 } END { print s + 0 }'; }
check "openssl lists the awd provider" sh -c "openssl list -providers $P | grep -q 'awd'"
check "a 2048-bit key (default provider)" \
	sh -c 'openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out key.pem 2>/dev/null && openssl pkey -in key.pem -pubout -out pub.pem'
head -c 32 /dev/urandom > dgst
head -c 100 /dev/urandom > msg
: > stats
ossl_awd() { AWD_PROV_STATS=1 openssl "$@" 2>> stats; }
check "PKCS #1 v1.5 signature, default provider" \
	openssl pkeyutl -sign -inkey key.pem -in dgst -pkeyopt digest:sha256 -out sig.def
check "PKCS #1 v1.5 signature, awd provider" \
	ossl_awd pkeyutl $P -sign -inkey key.pem -in dgst -pkeyopt digest:sha256 -out sig.awd
check "the two signatures are the same bytes" cmp sig.def sig.awd
check "awd's signature verifies with the default provider" \
	openssl pkeyutl -verify -pubin -inkey pub.pem -in dgst -sigfile sig.awd -pkeyopt digest:sha256
check "the default's signature verifies with awd" \
	ossl_awd pkeyutl $P -verify -pubin -inkey pub.pem -in dgst -sigfile sig.def -pkeyopt digest:sha256
pss="-pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32"
check "PSS: awd signs, the default provider verifies" sh -c \
	"AWD_PROV_STATS=1 openssl pkeyutl $P -sign -inkey key.pem -in dgst $pss -out pss.awd 2>> stats &&
	 openssl pkeyutl -verify -pubin -inkey pub.pem -in dgst -sigfile pss.awd $pss"
check "PSS: the default provider signs, awd verifies" sh -c \
	"openssl pkeyutl -sign -inkey key.pem -in dgst $pss -out pss.def &&
	 AWD_PROV_STATS=1 openssl pkeyutl $P -verify -pubin -inkey pub.pem -in dgst -sigfile pss.def $pss 2>> stats"
for pad in pkcs1 oaep; do
	o="-pkeyopt rsa_padding_mode:$pad"
	check "$pad: awd decrypts the default provider's ciphertext" sh -c \
		"openssl pkeyutl -encrypt -pubin -inkey pub.pem -in msg $o -out ct.def &&
		 AWD_PROV_STATS=1 openssl pkeyutl $P -decrypt -inkey key.pem -in ct.def $o -out pt.awd 2>> stats &&
		 cmp msg pt.awd"
	check "$pad: the default provider decrypts awd's ciphertext" sh -c \
		"AWD_PROV_STATS=1 openssl pkeyutl $P -encrypt -pubin -inkey pub.pem -in msg $o -out ct.awd 2>> stats &&
		 openssl pkeyutl -decrypt -inkey key.pem -in ct.awd $o -out pt.def &&
		 cmp msg pt.def"
done
# private: 2 signatures + 2 decryptions; public: 2 verifications + 2
# encryptions (awd checks its private results in software)
cmp_ge "private-key operations on the device" "$(dev private stats)" 4
cmp_ge "public-key operations on the device" "$(dev public stats)" 4
: > speed.stats
check "openssl speed rsa2048 through the awd provider" sh -c \
	"AWD_PROV_STATS=1 openssl speed -seconds 1 $P rsa2048 > speed.out 2> speed.stats && grep -q '^rsa *2048' speed.out"
grep -E '^ *(sign|rsa)' speed.out | sed 's/^/# /'
cmp_ge "openssl speed's private-key operations on the device" "$(dev private speed.stats)" 10
check_driver_idle
check_dmesg_clean
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
# The awd provider, built with the host mock device (tests/awd.so), under
# the unmodified openssl command: PKCS #1 v1.5 signatures byte for byte
# equal to the default provider's, PSS and OAEP crossed with it both ways,
# bad inputs failing as they fail on the default provider, the counters
# (AWD_PROV_STATS=1) showing that the device did the work, and correct
# results with no device, a failing device and a key size the device
# refuses (4104 bits: over AWD_RSA_MAX_BITS).
# The real awd.so (no mock) is checked too: on a host without the device
# every operation is the default provider's, counted sw.nodev.
# usage: prov-mock.sh path/to/tests/awd.so path/to/awd-prov-bench [path/to/awd.so]
set -u
dir=$(cd "$(dirname "$1")" && pwd)
bench=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
real=
[ -n "${3:-}" ] && real=$(cd "$(dirname "$3")" && pwd)
command -v openssl >/dev/null || { echo "1..0 # SKIP no openssl"; exit 0; }
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cd "$t" || exit 1
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
ko() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() {
	d=$1; shift
	if "$@" >out 2>&1; then ok "$d"; else ko "$d"; sed 's/^/#   /' out; fi
}
export dir

for b in 2048 1024 2056 4104; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:$b -out k$b.pem 2>/dev/null &&
	openssl pkey -in k$b.pem -pubout -out k$b.pub || { echo "Bail out! genpkey $b"; exit 1; }
done
echo "the message to sign and encrypt" > msg
head -c 32 /dev/urandom > dg32
head -c 20 /dev/urandom > dg20

# Everything below runs functions in sh -c: give them to it.
fns=$(cat <<'FN'
AWD() { c=$1; shift; AWD_PROV_STATS=1 openssl "$c" -provider-path "$dir" -provider awd -provider default "$@" 2>>stats.err; }
SW() { openssl "$@" 2>>sw.err; }
stat() { tail -n1 stats.err | tr ' ' '\n' | sed -n "s/^$1=//p"; }
count() { [ "$(stat "$1")" = "$2" ] || { echo "$1=$(stat "$1"), want $2"; tail -n1 stats.err; false; }; }
# corrupt FILE OFFSET: change the byte at OFFSET (to another value, always)
corrupt() {
	v=$(od -An -tu1 -j"$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $(((v + 1) % 256)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# both fail (exit non-zero, no output file) with the same last error reason
samefail() {
	rm -f fo.awd fo.sw; : > stats.err; : > sw.err
	AWD "$@" -out fo.awd; a=$?; SW "$@" -out fo.sw; s=$?
	ra=$(grep -o 'error:[0-9A-F]*:[^:]*:[^:]*:[^:]*' stats.err | tail -n1 | cut -d: -f3,5)
	rs=$(grep -o 'error:[0-9A-F]*:[^:]*:[^:]*:[^:]*' sw.err | tail -n1 | cut -d: -f3,5)
	echo "awd: exit $a, '$ra'; default: exit $s, '$rs'"
	[ $a -ne 0 ] && [ $s -ne 0 ] && [ ! -s fo.awd ] && [ ! -s fo.sw ] && [ "$ra" = "$rs" ]
}
FN
)
T() { d=$1; shift; check "$d" sh -c "$fns
$*"; }
export dir

for b in 2048 1024 2056; do
	k=k$b
	T "$b: PKCS#1 v1.5 sign (sha256) equals default, on the device" "
		AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count dev.private 1 &&
		SW pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.sw && cmp s.awd s.sw"
	T "$b: PKCS#1 v1.5 sign (sha1, raw input) equals default" "
		AWD pkeyutl -sign -inkey $k.pem -in dg20 -pkeyopt digest:sha1 -out s1.awd && count dev.private 1 &&
		SW pkeyutl -sign -inkey $k.pem -in dg20 -pkeyopt digest:sha1 -out s1.sw && cmp s1.awd s1.sw &&
		AWD pkeyutl -sign -inkey $k.pem -in msg -out s2.awd && count dev.private 1 &&
		SW pkeyutl -sign -inkey $k.pem -in msg -out s2.sw && cmp s2.awd s2.sw"
	T "$b: dgst -sha384 -sign (digest-sign path) equals default" "
		AWD dgst -sha384 -sign $k.pem -out d.awd msg && count dev.private 1 &&
		SW dgst -sha384 -sign $k.pem -out d.sw msg && cmp d.awd d.sw &&
		AWD dgst -sha384 -verify $k.pub -signature d.sw msg && count dev.public 1"
	T "$b: PKCS#1 v1.5 verify on the device, default's signature" "
		AWD pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile s.sw -pkeyopt digest:sha256 &&
		count dev.public 1 && count sw.input 0"
	T "$b: corrupted signature fails as on default" "
		cp s.sw bad && corrupt bad 40 &&
		! AWD pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile bad -pkeyopt digest:sha256 > v.awd &&
		! SW pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile bad -pkeyopt digest:sha256 > v.sw &&
		cmp v.awd v.sw && grep -q 'Signature Verification Failure' v.awd && count dev.public 1"
	T "$b: wrong digest fails as on default" "
		! AWD pkeyutl -verify -pubin -inkey $k.pub -in dg20 -sigfile s1.sw -pkeyopt digest:sha256 > v.awd &&
		! SW pkeyutl -verify -pubin -inkey $k.pub -in dg20 -sigfile s1.sw -pkeyopt digest:sha256 > v.sw &&
		cmp v.awd v.sw"
	for salt in digest max 10; do
		T "$b: PSS (sha256, saltlen $salt): awd signs, default verifies, and back" "
			AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:$salt -out p.awd &&
			count dev.private 1 &&
			SW pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile p.awd -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:$salt &&
			SW pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:$salt -out p.sw &&
			AWD pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile p.sw -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:$salt &&
			count dev.public 1"
	done
	T "$b: PSS with MGF1-SHA1 and sha512 digest-sign both ways" "
		AWD dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 -sign $k.pem -out q.awd msg && count dev.private 1 &&
		SW dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 -verify $k.pub -signature q.awd msg &&
		! SW dgst -sha512 -sigopt rsa_padding_mode:pss -verify $k.pub -signature q.awd msg >/dev/null &&
		SW dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 -sign $k.pem -out q.sw msg &&
		AWD dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_mgf1_md:sha1 -verify $k.pub -signature q.sw msg && count dev.public 1"
	T "$b: corrupted PSS signature fails as on default" "
		cp p.sw bad && corrupt bad 17 &&
		! AWD pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile bad -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss > v.awd &&
		! SW pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile bad -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss > v.sw &&
		cmp v.awd v.sw && count dev.public 1"
	T "$b: PKCS#1 v1.5 encryption both ways" "
		AWD pkeyutl -encrypt -pubin -inkey $k.pub -in msg -out c.awd && count dev.public 1 &&
		SW pkeyutl -decrypt -inkey $k.pem -in c.awd | cmp - msg &&
		SW pkeyutl -encrypt -pubin -inkey $k.pub -in msg -out c.sw &&
		AWD pkeyutl -decrypt -inkey $k.pem -in c.sw -out m.awd && cmp m.awd msg && count dev.private 1"
	T "$b: OAEP (SHA-1) both ways" "
		AWD pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:oaep -in msg -out o.awd && count dev.public 1 &&
		SW pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o.awd | cmp - msg &&
		SW pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:oaep -in msg -out o.sw &&
		AWD pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o.sw -out m.awd && cmp m.awd msg &&
		count dev.private 1"
	T "$b: OAEP (SHA-256, MGF1-SHA-1, label) both ways" "
		o='-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha1 -pkeyopt rsa_oaep_label:0102cafe'
		AWD pkeyutl -encrypt -pubin -inkey $k.pub \$o -in msg -out o2.awd && count dev.public 1 &&
		SW pkeyutl -decrypt -inkey $k.pem \$o -in o2.awd | cmp - msg &&
		SW pkeyutl -encrypt -pubin -inkey $k.pub \$o -in msg -out o2.sw &&
		AWD pkeyutl -decrypt -inkey $k.pem \$o -in o2.sw -out m.awd && cmp m.awd msg && count dev.private 1 &&
		samefail pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o2.sw"
	T "$b: corrupted PKCS#1 ciphertext fails as on default" "
		cp c.sw bad && corrupt bad 5 &&
		samefail pkeyutl -decrypt -inkey $k.pem -in bad && count dev.private 1"
	T "$b: corrupted OAEP ciphertext fails as on default" "
		cp o.sw bad && corrupt bad 5 &&
		samefail pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in bad && count dev.private 1"
	T "$b: raw RSA (no padding) equals default both ways" "
		(printf '\\000'; head -c $(($b / 8)) /dev/urandom) | head -c $((($b + 7) / 8)) > raw &&
		AWD pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:none -in raw -out r.awd && count dev.private 1 &&
		SW pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:none -in raw -out r.sw && cmp r.awd r.sw &&
		AWD pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:none -in raw -out e.awd && count dev.public 1 &&
		SW pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:none -in raw -out e.sw && cmp e.awd e.sw"
	T "$b: raw input above the modulus fails as on default (counted sw.input)" "
		head -c $((($b + 7) / 8)) /dev/zero | tr '\\000' '\\377' > big &&
		samefail pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:none -in big && count sw.input 1"
done

k=k2048
T "message too long for the key fails as on default" "
	head -c 300 /dev/zero > long && samefail pkeyutl -encrypt -pubin -inkey $k.pub -in long &&
	head -c 250 /dev/zero > long && samefail pkeyutl -encrypt -pubin -inkey $k.pub -in long -pkeyopt rsa_padding_mode:oaep"
T "signature of another key size fails as on default" "
	! AWD pkeyutl -verify -pubin -inkey k1024.pub -in dg32 -sigfile s.sw -pkeyopt digest:sha256 > v.awd &&
	! SW pkeyutl -verify -pubin -inkey k1024.pub -in dg32 -sigfile s.sw -pkeyopt digest:sha256 > v.sw && cmp v.awd v.sw &&
	samefail pkeyutl -decrypt -inkey k1024.pem -in c.sw"
T "digest of the wrong length fails as on default" "
	samefail pkeyutl -sign -inkey $k.pem -in dg20 -pkeyopt digest:sha256"
T "MD5 PKCS#1 signature (not on the device) equals default, counted sw.unsupported" "
	head -c 16 /dev/urandom > dg16 &&
	AWD pkeyutl -sign -inkey $k.pem -in dg16 -pkeyopt digest:md5 -out m5.awd && count sw.unsupported 1 && count dev.private 0 &&
	SW pkeyutl -sign -inkey $k.pem -in dg16 -pkeyopt digest:md5 -out m5.sw && cmp m5.awd m5.sw"

k=k4104
T "4104-bit key (over the device's maximum): default's results, counted sw.key" "
	AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count sw.key 1 && count dev.private 0 &&
	SW pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.sw && cmp s.awd s.sw &&
	AWD pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:oaep -in msg -out o.awd && count sw.key 1 &&
	SW pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o.awd | cmp - msg &&
	AWD pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o.awd | cmp - msg && count sw.key 1"

k=k2048
T "no device (AWD_DEVICE names none): default's results, counted sw.nodev" "
	export AWD_DEVICE=/dev/accel_wd7
	AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count sw.nodev 1 && count dev.private 0 &&
	SW pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.sw && cmp s.awd s.sw &&
	AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss -out p.awd && count sw.nodev 1 &&
	SW pkeyutl -verify -pubin -inkey $k.pub -in dg32 -sigfile p.awd -pkeyopt digest:sha256 -pkeyopt rsa_padding_mode:pss &&
	SW pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:oaep -in msg -out o.sw &&
	AWD pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o.sw | cmp - msg && count sw.nodev 1 &&
	cp o.sw bad && corrupt bad 5 &&
	samefail pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in bad && count sw.nodev 1"
T "failing device (its queue stops in error): default's results, counted sw.deverr" "
	export AWD_PROV_MOCK_FAIL=1
	AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count sw.deverr 1 && count dev.private 0 &&
	SW pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.sw && cmp s.awd s.sw &&
	SW pkeyutl -encrypt -pubin -inkey $k.pub -in msg -out c.sw &&
	AWD pkeyutl -decrypt -inkey $k.pem -in c.sw | cmp - msg && count sw.deverr 1"
T "default loaded first: awd unused; with -propquery ?provider=awd: used" "
	SWFIRST() { c=\$1; shift; AWD_PROV_STATS=1 openssl \$c -provider-path \"\$dir\" -provider default -provider awd \"\$@\" 2>>stats.err; }
	SWFIRST pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count dev.private 0 &&
	SWFIRST pkeyutl -propquery '?provider=awd' -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s2.awd &&
	count dev.private 1 && cmp s.awd s2.awd"
T "pkeyutl -verifyrecover (default provider's, counted sw.unsupported) equals default" "
	AWD pkeyutl -verifyrecover -pubin -inkey $k.pub -in s.sw -out vr.awd && count sw.unsupported 1 &&
	SW pkeyutl -verifyrecover -pubin -inkey $k.pub -in s.sw -out vr.sw && cmp vr.awd vr.sw"
T "X.509: req -x509 signed by awd (PKCS#1 and PSS), checked by default" "
	AWD req -new -x509 -key $k.pem -subj /CN=awd -days 2 -out c1.pem && count dev.private 1 &&
	SW verify -check_ss_sig -CAfile c1.pem c1.pem &&
	AWD req -new -x509 -key $k.pem -subj /CN=awd -days 2 -sigopt rsa_padding_mode:pss -out c2.pem && count dev.private 1 &&
	SW verify -check_ss_sig -CAfile c2.pem c2.pem &&
	SW x509 -in c2.pem -noout -text | grep -q 'Signature Algorithm: rsassaPss'"
T "genpkey with awd first: the default provider's key generation" "
	AWD genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out g.pem && SW pkey -in g.pem -check -noout &&
	AWD pkeyutl -sign -inkey g.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count dev.private 1 &&
	SW pkeyutl -verify -inkey g.pem -in dg32 -sigfile s.awd -pkeyopt digest:sha256"
T "openssl speed rsa2048 through the provider: the device does every operation" "
	AWD speed -seconds 1 rsa2048 > sp && cat sp && grep -q '^rsa 2048 bits' sp &&
	[ \$(stat dev.private) -gt 10 ] && [ \$(stat dev.public) -gt 10 ] && count sw.input 0 && count sw.deverr 0"
T "awd-prov-bench: provider=awd and provider=default" "
	AWD_PROV_STATS=1 '$bench' -P '$dir' -t 0.3 2>stats.err && tail -n1 stats.err && [ \$(stat dev.private) -gt 1 ]"
T "openssl speed -multi 2: each forked child opens its own queue" "
	AWD speed -seconds 1 -multi 2 rsa2048 > sp && grep -q '^rsa 2048 bits' sp &&
	[ \$(grep -c 'awd: dev.private=[1-9]' stats.err) -ge 2 ] && ! grep 'sw.deverr=[1-9]' stats.err"
if [ -n "$real" ]; then
	if [ -e /dev/accel_wd0 ]; then
		ok "# SKIP real awd.so: this machine has the device"
	else
		T "real awd.so, no device here: default's results, counted sw.nodev" "
			dir='$real'
			AWD pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.awd && count sw.nodev 1 &&
			SW pkeyutl -sign -inkey $k.pem -in dg32 -pkeyopt digest:sha256 -out s.sw && cmp s.awd s.sw &&
			AWD pkeyutl -encrypt -pubin -inkey $k.pub -pkeyopt rsa_padding_mode:oaep -in msg -out o.awd && count sw.nodev 1 &&
			AWD pkeyutl -decrypt -inkey $k.pem -pkeyopt rsa_padding_mode:oaep -in o.awd | cmp - msg && count sw.nodev 1"
	fi
fi
echo "1..$n"
[ "$fails" -eq 0 ]

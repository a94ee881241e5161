#!/bin/sh
# SPDX-License-Identifier: MIT
# awd zip/unzip (built against the host mock device) against gzip itself:
# round trips both ways on files of many sizes, gzip's flags, exit codes.
# usage: zip-mock.sh path/to/awd-mock
set -u
awd=$1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
ko() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { d=$1; shift; if "$@" >"$t/out" 2>&1; then ok "$d"; else ko "$d"; sed 's/^/#   /' "$t/out"; fi; }

# corpus: empty, tiny, text, random, a binary, big compressible
: >"$t/empty"
printf 'a' >"$t/one"
head -c 100000 /dev/urandom >"$t/random"
for i in $(seq 1 3000); do echo "line $i of the accel-wd test corpus, shared virtual addressing"; done >"$t/text"
cp "$awd" "$t/binary"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do cat "$t/text"; done >"$t/big"
files="empty one random text binary big"

for f in $files; do
	check "$f: awd zip | gunzip" sh -c "'$awd' zip < '$t/$f' | gzip -dc | cmp - '$t/$f'"
	check "$f: gzip | awd unzip" sh -c "gzip -c < '$t/$f' | '$awd' unzip | cmp - '$t/$f'"
done
for l in 1 6 9; do
	check "-$l round trip" sh -c "'$awd' zip -$l < '$t/text' | gzip -dc | cmp - '$t/text'"
done
check "gzip -9 of a binary decodes" sh -c "gzip -9c '$t/binary' | '$awd' unzip -c | cmp - '$t/binary'"
check "zlib and raw formats round trip" sh -c "'$awd' zip -F zlib < '$t/text' | '$awd' unzip -F zlib | cmp - '$t/text' && '$awd' zip -F raw < '$t/text' | '$awd' unzip -F raw | cmp - '$t/text'"

# file mode: name.gz, input removed, -k keeps, -f overwrites
cp "$t/text" "$t/f1"
check "awd zip FILE makes FILE.gz and removes FILE" sh -c "'$awd' zip '$t/f1' && [ -f '$t/f1.gz' ] && [ ! -e '$t/f1' ]"
check "awd unzip FILE.gz restores FILE" sh -c "'$awd' unzip '$t/f1.gz' && cmp '$t/f1' '$t/text' && [ ! -e '$t/f1.gz' ]"
check "-k keeps the input" sh -c "'$awd' zip -k '$t/f1' && [ -f '$t/f1' ] && [ -f '$t/f1.gz' ]"
check "existing output without -f: warning, exit 2 (as gzip)" sh -c "'$awd' zip -k '$t/f1' 2>/dev/null; [ \$? -eq 2 ]"
check "-f overwrites" sh -c "'$awd' zip -kf '$t/f1' && gzip -t '$t/f1.gz'"
check "-d is unzip" sh -c "rm -f '$t/f1' && '$awd' zip -d '$t/f1.gz' && cmp '$t/f1' '$t/text'"
check "-c writes stdout, keeps the file" sh -c "'$awd' zip -c '$t/f1' > '$t/f1.c.gz' && [ -f '$t/f1' ] && gzip -dc '$t/f1.c.gz' | cmp - '$t/text'"
check "-t tests" sh -c "'$awd' unzip -t '$t/f1.c.gz'"
check "several files" sh -c "cp '$t/one' '$t/m1' && cp '$t/random' '$t/m2' && '$awd' zip '$t/m1' '$t/m2' && gzip -dc '$t/m1.gz' | cmp - '$t/one' && gzip -dc '$t/m2.gz' | cmp - '$t/random'"
cat "$t/one" "$t/text" >"$t/one.text"
check "multi-member gzip decodes all members" sh -c "(gzip -c '$t/one'; gzip -c '$t/text') | '$awd' unzip | cmp - '$t/one.text'"
check "trailing zeros are ignored" sh -c "(gzip -c '$t/text'; head -c 100 /dev/zero) | '$awd' unzip | cmp - '$t/text'"
check "trailing garbage: warning, exit 2" sh -c "(gzip -c '$t/text'; echo junk) | '$awd' unzip > '$t/tg' 2>/dev/null; [ \$? -eq 2 ] && cmp '$t/tg' '$t/text'"
check "not gzip: exit 1 with a message" sh -c "echo hello | '$awd' unzip 2>&1 >/dev/null | grep -q 'not in gzip format'"
check "-dcf copies non-gzip input" sh -c "echo hello | '$awd' unzip -cf | grep -qx hello"
check "truncated: exit 1" sh -c "gzip -c '$t/text' | head -c 3000 | '$awd' unzip >/dev/null 2>&1; [ \$? -eq 1 ]"
check "corrupt crc: exit 1" sh -c "gzip -c '$t/text' > '$t/c.gz' && sz=\$(wc -c < '$t/c.gz') && printf 'X' | dd of='$t/c.gz' bs=1 seek=\$((sz - 6)) conv=notrunc 2>/dev/null && ! '$awd' unzip -c '$t/c.gz' >/dev/null 2>&1"
check "unknown suffix: warning, exit 2" sh -c "'$awd' unzip '$t/one' 2>/dev/null; [ \$? -eq 2 ]"
check "unknown option: exit 1" sh -c "'$awd' zip --bogus </dev/null >/dev/null 2>&1; [ \$? -eq 1 ]"
check "small device transfer limit (64 KiB) round trips" sh -c "AWD_MOCK_MAX_XFER=65536 '$awd' zip < '$t/big' | gzip -dc | cmp - '$t/big' && gzip -c '$t/big' | AWD_MOCK_MAX_XFER=65536 '$awd' unzip | cmp - '$t/big'"
check "no-SVA mode (bounce buffers) round trips" sh -c "AWD_MOCK_NOSVA=1 '$awd' zip < '$t/big' | gzip -dc | cmp - '$t/big' && gzip -c '$t/big' | AWD_MOCK_NOSVA=1 '$awd' unzip | cmp - '$t/big'"
check "no-SVA mode bench (async, RSA, fresh buffers)" sh -c "AWD_MOCK_NOSVA=1 '$awd' bench -t 0.02 -q 16 >/dev/null"
cp "$t/text" "$t/named.txt"
touch -d '2020-01-02 03:04:05' "$t/named.txt" 2>/dev/null
check "gzip header (name, time stamp, flags) equals gzip's" sh -c "
	'$awd' zip -c '$t/named.txt' | head -c 20 > '$t/h1' && gzip -c '$t/named.txt' | head -c 20 > '$t/h2' && cmp '$t/h1' '$t/h2' &&
	'$awd' zip -9 -c '$t/named.txt' | head -c 20 > '$t/h1' && gzip -9 -c '$t/named.txt' | head -c 20 > '$t/h2' && cmp '$t/h1' '$t/h2' &&
	'$awd' zip -n -c '$t/named.txt' | head -c 10 > '$t/h1' && gzip -n -c '$t/named.txt' | head -c 10 > '$t/h2' && cmp '$t/h1' '$t/h2' &&
	'$awd' zip -c < '$t/named.txt' | head -c 10 > '$t/h1' && gzip -c < '$t/named.txt' | head -c 10 > '$t/h2' && cmp '$t/h1' '$t/h2'"
check "small files are byte-identical to gzip's" sh -c "
	'$awd' zip -c '$t/named.txt' | cmp - '$t/named.gz' 2>/dev/null || { gzip -c '$t/named.txt' > '$t/named.gz'; '$awd' zip -c '$t/named.txt' | cmp - '$t/named.gz'; }"
check "gunzip -N restores the stored name" sh -c "
	mkdir '$t/nd' && '$awd' zip -c '$t/named.txt' > '$t/nd/other.gz' && cd '$t/nd' && gzip -dN other.gz && [ -f named.txt ] && cmp named.txt '$t/text'"
check "-v reports the ratio" sh -c "'$awd' zip -v -c '$t/text' 2>&1 >/dev/null | grep -q '%'"
# the queue format the run asked for is the one the device speaks
check "awd stat names the format ${AWD_MOCK_FORMAT:-ring}" sh -c "'$awd' stat | grep -Eq '^  format +${AWD_MOCK_FORMAT:-ring} '"
echo "1..$n"
[ "$fails" -eq 0 ]

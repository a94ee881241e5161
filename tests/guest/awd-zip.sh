# SPDX-License-Identifier: MIT
# awd zip / awd unzip against the guest's gzip (busybox): round trips both
# ways on the files of the initramfs and on random data of many sizes,
# gzip's flags, exit codes.
. /opt/awd/bin/lib.sh
t=/tmp/awd-zip
mkdir -p $t

# corpus: what the guest has, plus random and text data of many sizes
n=0
for f in /opt/awd/share/* /init /bin/busybox /opt/awd/bin/awd; do
	[ -f "$f" ] || continue
	n=$((n + 1)); cp "$f" $t/corpus$n
done
for s in 0 1 4095 4096 65537 1048579 5000000; do
	head -c $s /dev/urandom >$t/rand$s
done
i=0
while [ $i -lt 4000 ]; do
	echo "line $i: shared virtual addressing lets the device use process addresses"
	i=$((i + 1))
done >$t/text

for f in $t/*; do
	b=${f##*/}
	check "$b: awd zip | gunzip | cmp" sh -c "awd zip < $f | gunzip | cmp - $f"
	check "$b: gzip -c | awd unzip | cmp" sh -c "gzip -c $f | awd unzip | cmp - $f"
done
for l in 1 6 9; do
	check "level -$l round trip" sh -c "awd zip -$l < $t/text | gunzip | cmp - $t/text"
done
check "gzip -9 input" sh -c "gzip -9 -c $t/corpus1 | awd unzip | cmp - $t/corpus1"
check "zlib and raw formats" sh -c "awd zip -F zlib < $t/text | awd unzip -F zlib | cmp - $t/text &&
	awd zip -F raw < $t/text | awd unzip -F raw | cmp - $t/text"
cp $t/text $t/f
check "awd zip FILE: FILE.gz, FILE removed" sh -c "awd zip $t/f && [ -f $t/f.gz ] && [ ! -e $t/f ]"
check "awd unzip FILE.gz restores FILE" sh -c "awd unzip $t/f.gz && cmp $t/f $t/text"
check "-k keeps, -c to stdout, -t tests" sh -c "awd zip -k $t/f && [ -f $t/f ] &&
	awd zip -c $t/f > $t/g.gz && { awd unzip -t $t/g.gz ||
	{ echo 'diagnosis (seen once in ~25 runs):'; ls -l $t; gzip -tv $t/g.gz; cmp $t/f $t/text; false; }; }"
check "existing output: exit 2 (gzip's warning) without -f" sh -c "awd zip -k $t/f </dev/null 2>/dev/null; [ \$? -eq 2 ] && awd zip -kf $t/f"
check "multi-member input" sh -c "(gzip -c $t/rand1; gzip -c $t/text) | awd unzip > $t/mm &&
	cat $t/rand1 $t/text | cmp - $t/mm"
check "not gzip: exit 1" sh -c "echo hello | awd unzip >/dev/null 2>&1; [ \$? -eq 1 ]"
check "truncated: exit 1" sh -c "gzip -c $t/text | head -c 2000 | awd unzip >/dev/null 2>&1; [ \$? -eq 1 ]"
rm -rf $t
check_dmesg_clean
finish

#!/bin/sh
# SPDX-License-Identifier: MIT
# awd zip/unzip (built against the host mock device) side by side with GNU
# gzip on identical copies of the same files: for each case, the exit
# status, the files left behind (names, types, link targets, link counts,
# modes, owners, modification times to the nanosecond, contents; for gzip
# files the decompressed contents and the header's flags, time stamp and
# stored name), the messages (gzip's "gzip: " read as "awd zip: " or
# "awd unzip: ") and, where it is data, what went to stdout.
# usage: zip-gzip.sh path/to/awd-mock
set -u
case $1 in
/*) awd=$1 ;;
*) awd=$(pwd)/$1 ;;
esac
unset GZIP
export TZ=UTC LC_ALL=C
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# Each case works in $t/cN: the input made in src, copied (cp -a) to g for
# gzip and to a for awd; the results are kept there, and all the file
# trees are compared at the end, in one python3 run (meson runs on python3;
# starting it is the slow part of a case).
n=0 fails=0
newcase() {
	n=$((n + 1))
	c=$t/c$n
	mkdir "$c"
	echo "$1" >"$c/desc"
	: >"$c/why"
	: >"$c/diag"
}

# DIR.snap for each DIR: one line per entry below DIR, sorted by name.
snap_py='
import hashlib, os, stat, sys, zlib

def snap(root, out):
    paths = []
    for d, dirs, files in os.walk(root):
        paths += [os.path.join(d, n) for n in dirs + files]
    for p in sorted(paths):
        entry(os.path.relpath(p, root), p, out)

def entry(rel, p, out):
    st = os.lstat(p)
    own = "%d:%d" % (st.st_uid, st.st_gid)
    if stat.S_ISLNK(st.st_mode):
        print(rel, "symlink ->", os.readlink(p), file=out)
        return
    if stat.S_ISDIR(st.st_mode):
        print(rel, "dir", stat.filemode(st.st_mode), own, file=out)
        return
    with open(p, "rb") as f:
        data = f.read()
    meta = "%s %d %s mtime %d" % (stat.filemode(st.st_mode), st.st_nlink,
                                  own, st.st_mtime_ns)
    if data[:2] != b"\x1f\x8b" or len(data) < 10:
        print(rel, "file", meta, "size", len(data),
              hashlib.md5(data).hexdigest(), file=out)
        return
    # gzip: header fields and the data, not the compressed bytes
    flg, pos, name = data[3], 10, ""
    if flg & 4:
        pos += 2 + int.from_bytes(data[10:12], "little")
    if flg & 8:
        end = data.find(b"\0", pos)
        name = data[pos:end].decode("latin-1")
    res, rest = b"", data
    try:
        while rest[:2] == b"\x1f\x8b":
            z = zlib.decompressobj(31)
            res += z.decompress(rest)
            if not z.eof:
                res += b"<truncated>"
                break
            rest = z.unused_data
    except zlib.error:
        res += b"<corrupt>"
    print(rel, "gzip", meta, "header", data[:10].hex(), "name", repr(name),
          "data", hashlib.md5(res).hexdigest(), file=out)

for root in sys.argv[1:]:
    with open(root + ".snap", "w") as out:
        snap(root, out)
'

# Messages without blank lines (gzip starts some with one), sorted (-r
# takes a directory's entries in the order the file system gives them).
msgs() { grep -v '^$' "$1" | sed "s/^gzip: /$2: /" | sort; }

# run DESC MODE SETUP [ARGS...]
#   SETUP (a shell function) makes the input in an empty directory; that
#   directory is copied (cp -a) for gzip and for awd, and each is run there:
#   MODE zip: gzip ARGS / awd zip ARGS; MODE unzip: gzip -d ARGS /
#   awd unzip ARGS. Set before the call: OUT=same (stdout compared byte for
#   byte), OUT=gz (stdout compared decompressed), else not compared;
#   IN=FILE (stdin from FILE in the directory, else /dev/null);
#   MSG=prefix (only the lines starting "gzip: " compared; for messages
#   that are not the same text, like getopt's usage hint).
run() {
	newcase "$1"
	mode=$2 setup=$3
	shift 3
	mkdir "$c/src"
	(cd "$c/src" && $setup)
	cp -a "$c/src" "$c/g"
	cp -a "$c/src" "$c/a"
	rm -rf "$c/src"
	if [ "$mode" = unzip ]; then set -- -d "$@"; fi
	(cd "$c/g" && exec gzip "$@" <"${IN:-/dev/null}" >"$c/g.out" 2>"$c/g.err")
	grc=$?
	if [ "$mode" = unzip ]; then shift; fi
	(cd "$c/a" && exec "$awd" "$mode" "$@" <"${IN:-/dev/null}" >"$c/a.out" 2>"$c/a.err")
	arc=$?
	echo "#   gzip $* (exit $grc), awd $mode (exit $arc)" >"$c/diag"
	[ "$grc" = "$arc" ] || printf ' exit status gzip %s awd %s;' "$grc" "$arc" >>"$c/why"
	msgs "$c/g.err" "awd $mode" >"$c/g.msg"
	msgs "$c/a.err" "awd $mode" >"$c/a.msg"
	if [ "${MSG:-}" = prefix ]; then
		grep "^awd $mode: " "$c/g.msg" >"$c/g.msg2"
		grep "^awd $mode: " "$c/a.msg" >"$c/a.msg2"
		mv "$c/g.msg2" "$c/g.msg"
		mv "$c/a.msg2" "$c/a.msg"
	fi
	if ! cmp -s "$c/g.msg" "$c/a.msg"; then
		printf ' messages differ;' >>"$c/why"
		diff "$c/g.msg" "$c/a.msg" | sed 's/^/#   messages: /' >>"$c/diag"
	fi
	case ${OUT:-} in
	same)
		if ! cmp -s "$c/g.out" "$c/a.out"; then
			printf ' stdout differs;' >>"$c/why"
			diff "$c/g.out" "$c/a.out" | sed 's/^/#   stdout: /' >>"$c/diag"
		fi ;;
	gz)
		gzip -dc <"$c/g.out" >"$c/g.outd" 2>/dev/null
		gzip -dc <"$c/a.out" >"$c/a.outd" 2>/dev/null
		cmp -s "$c/g.outd" "$c/a.outd" || printf ' decompressed stdout differs;' >>"$c/why" ;;
	esac
	OUT='' IN='' MSG=''
}

# ---- inputs -----------------------------------------------------------------
text() {
	i=0
	while [ $i -lt 200 ]; do echo "line $i of a file for awd zip against gzip"; i=$((i + 1)); done
}
one() { text >f; touch -d '2021-03-04 05:06:07.123456789' f; }
symlink() { one; ln -s f link; }
dangling() { ln -s nowhere link; }
hardlink() { one; ln f g; }
exists() { one; echo old >f.gz; }
out_symlink() { one; echo victim >victim; ln -s victim f.gz; }
out_dangling() { one; ln -s nowhere f.gz; }
out_hardlink() { one; ln f f.gz; }
has_suffix() {
	for s in .gz .z .Z .GZ .tgz .TGZ .taz -gz -z _z .Gz; do
		echo "data $s" >"x$s"
	done
}
directory() { mkdir d; text >d/f; }
tree() {
	mkdir -p d/sub/deeper
	text >d/a
	echo b >d/sub/b
	echo c >d/sub/deeper/c
	gzip -c d/a >d/sub/done.gz
	echo plain >d/sub/plain.gz
}
tree_dirlink() { tree; ln -s d dl; }
tree_links() { tree; ln -s a d/link; ln d/sub/b d/sub/b2; }
gztree() { tree; gzip -r d; echo notgz >d/plain; echo junk >d/junk.gz; }
special_bits() {
	one
	cp -p f sticky
	chmod +t sticky
	cp -p f setuid
	chmod u+s setuid
	cp -p f setgid
	chmod g+s setgid
}
attrs() {
	one
	chmod 640 f
	chown 1234:5678 f 2>/dev/null
	text >g
	chmod 604 g
	touch -d '1999-12-31 23:59:59.5' g
}
gz_one() { one; gzip -k f; rm f; }
gz_suffixes() {
	text >t
	for s in .GZ .tgz .TGZ .z .Z -gz -z _z .taz .Gz; do
		gzip -c t >"x$s"
	done
	rm t
}
gz_stored() {
	text >orig.txt
	touch -d '2020-01-02 03:04:05' orig.txt
	gzip orig.txt
	mv orig.txt.gz renamed.gz
}
gz_stored_exists() { gz_stored; echo keep >orig.txt; }
gz_stored_path() {
	# a stored name with a directory part: only its last component is used
	text >t
	{ printf '\037\213\010\010\000\000\000\000\000\003../x/evil\000'
	  gzip -cn <t | tail -c +11; } >p.gz
	rm t
}
gz_symlink() { gz_one; ln -s f.gz link.gz; }
gz_hardlink() { gz_one; ln f.gz g.gz; }
gz_exists() { gz_one; echo keep >f; }
notgz_exists() { echo junk >x.gz; echo keep >x; }
gz_plain() { one; }
gz_nosuffix() { gz_one; mv f.gz f.data; }
gz_two() { gz_one; text | gzip -9 >g.gz; touch -d '2022-02-02 02:02:02' g.gz; }
suffixed() { one; echo x >s.foo; }
gz_short() { : >empty.gz; printf '\037' >one.gz; printf '\037\213\010\010\0\0\0\0\0\003name' >hdr.gz; echo junk >junk.gz; }

# ---- compressing: what gzip refuses without -f --------------------------------
run "symbolic link: refused (error), left alone" zip symlink link
run "dangling symbolic link: refused" zip dangling link
run "symbolic link with -f: followed, the link replaced" zip symlink -f link
OUT=gz run "symbolic link with -c: followed" zip symlink -c link
OUT=gz run "-c of a character device (not a regular file)" zip one -c /dev/null
run "hard link: warning, both names left alone" zip hardlink f
run "hard link with -k: refused too" zip hardlink -k f
run "hard link with -f: compressed, the other name kept" zip hardlink -f f
run "sticky, set-user-ID, set-group-ID: refused" zip special_bits sticky setuid setgid
run "-f: sticky compressed (bit dropped), set-ID still refused" zip special_bits -f sticky setuid setgid
run "directory without -r: warning" zip directory d
run "missing file: error" zip one nosuch f

# ---- compressing: the output name ------------------------------------------
run "existing output: warning, both kept" zip exists f
run "existing output with -q: same (the message is not a warning)" zip exists -q f
run "existing output with -f: replaced" zip exists -f f
run "output name is a symbolic link: kept without -f" zip out_symlink f
run "output name is a symbolic link, -f: the link replaced, its target intact" zip out_symlink -f f
run "output name is a dangling symbolic link: kept, nothing created through it" zip out_dangling f
run "output name is a hard link of the input, -f: the data survives" zip out_hardlink -f f
run "input already has a suffix (.gz .z .Z .tgz -gz _z ...): message, status 0" zip has_suffix x.gz x.z x.Z x.GZ x.tgz x.TGZ x.taz x-gz x-z x_z x.Gz
run "already has a suffix, -q: silent" zip has_suffix -q x.gz x.tgz
run "already has a suffix, -f: compressed again" zip has_suffix -f x.gz x.tgz

# ---- compressing: what is kept -------------------------------------------
run "mode, owner, time stamp (ns) kept; name and time stored" zip attrs f g
run "-k keeps the input" zip attrs -k f
run "-n: no name or time stamp stored" zip attrs -n f
run "-v: ratio and 'replaced with'" zip one -v f
run "-v -k: 'created'" zip one -vk f
OUT=gz run "-v -c" zip one -vc f
OUT=gz IN=f run "-v from stdin" zip one -v

# ---- -S, -r --------------------------------------------------------------
run "-S .foo" zip suffixed -S .foo f
run "-S .foo: s.foo already has it" zip suffixed -S .foo s.foo
run "-S .FOO: suffixes ignore case" zip suffixed -S .FOO s.foo
run "-S '': invalid suffix, error" zip suffixed -S '' f
run "-S longer than 30: invalid" zip suffixed -S .0123456789012345678901234567890 f
run "-r compresses a tree, skips .gz files silently" zip tree -r d
run "-r: links and hard links in the tree as without -r" zip tree_links -r d
run "-r -v: says what it skips" zip tree -rv d
run "-r on a file" zip one -r f
run "-r, symbolic link to a directory given: refused" zip tree_dirlink -r dl

# ---- decompressing ----------------------------------------------------------
run "suffixes .GZ .tgz .TGZ .z .Z -gz -z _z .taz (.tgz/.taz give .tar)" unzip gz_suffixes x.GZ x.tgz x.TGZ x.z x.Z x-gz x-z x_z x.taz x.Gz
run "-N restores the stored name and time stamp" unzip gz_stored -N renamed.gz
run "-N -v" unzip gz_stored -Nv renamed.gz
run "without -N: the file's name and time stamp" unzip gz_stored renamed.gz
run "-N: existing output under the stored name, warning" unzip gz_stored_exists -N renamed.gz
run "-N: stored name with a directory part, last component only" unzip gz_stored_path -N p.gz
run "-n after -N: not restored" unzip gz_stored -Nn renamed.gz
OUT=same run "-N -c: the name is not used" unzip gz_stored -Nc renamed.gz
run "symbolic link: refused" unzip gz_symlink link.gz
run "symbolic link with -f: followed" unzip gz_symlink -f link.gz
run "hard link: warning" unzip gz_hardlink f.gz
run "existing output: warning" unzip gz_exists f.gz
run "existing output, -f: replaced" unzip gz_exists -f f.gz
run "not gzip and output exists: the format error first" unzip notgz_exists x.gz
run "unknown suffix: warning" unzip gz_plain f
# (one file a case: on a cut input gzip stops the whole run, awd goes on)
for f in empty one hdr junk; do
	run "$f.gz (empty, 1 byte, cut header, not gzip): error, nothing created" unzip gz_short $f.gz
done
run "unknown suffix, -q: no warning" unzip gz_plain -q f
run "FILE finds FILE.gz" unzip gz_one f
run "-S .data" unzip gz_nosuffix -S .data f.data
run "-t tests a file without a suffix" unzip gz_nosuffix -t f.data
run "-r decompresses a tree, skips other files silently" unzip gztree -r d
run "mode and time stamp (ns) kept" unzip gz_two f.gz g.gz
run "-k keeps the input" unzip gz_two -k f.gz
run "-v" unzip gz_two -v f.gz g.gz
run "-t -v" unzip gz_two -tv f.gz g.gz
OUT=same IN=f.gz run "-v from stdin" unzip gz_two -v

# ---- -l ------------------------------------------------------------------
OUT=same run "-l" unzip gz_two -l f.gz
OUT=same run "-l of several: totals" unzip gz_two -l f.gz g.gz
OUT=same run "-lv" unzip gz_two -lv f.gz g.gz
OUT=same run "-lq: no title or totals" unzip gz_two -lq f.gz g.gz
OUT=same run "-l -N: stored names" unzip gz_stored -lN renamed.gz
OUT=same run "-l of a file that is not gzip: error, totals of the rest" unzip gz_two -l f.gz notthere.gz g.gz
OUT=same run "-l as zip -l" zip gz_two -l f.gz
OUT=same IN=f.gz run "-l of stdin" unzip gz_one -l

# ---- on a terminal, an existing output is asked about ---------------------
# run_tty DESC SETUP ANSWER ARGS...: as run, with a terminal on stdin (util-linux
# script) that gets ANSWER; the terminal's text is compared.
run_tty() {
	newcase "$1"
	setup=$2 answer=$3
	shift 3
	if ! command -v script >/dev/null; then
		echo skip >"$c/skip"
		return
	fi
	mkdir "$c/src"
	(cd "$c/src" && $setup)
	cp -a "$c/src" "$c/g"
	cp -a "$c/src" "$c/a"
	rm -rf "$c/src"
	# the answer comes a little later, as typed
	{ sleep 1; printf '%s\n' "$answer"; } | script -qec "cd '$c/g' && gzip $*; echo status \$?" /dev/null 2>&1 |
		tr -d '\r' | sed 's/^gzip: /awd zip: /' >"$c/g.tty"
	{ sleep 1; printf '%s\n' "$answer"; } | script -qec "cd '$c/a' && '$awd' zip $*; echo status \$?" /dev/null 2>&1 |
		tr -d '\r' >"$c/a.tty"
	# (where the terminal echoes the answer could still be a race: compare
	# the prompt, the refusal and the status)
	for x in g a; do
		grep -c '^awd zip: f.gz already exists;' "$c/$x.tty"
		grep -c 'do you wish to overwrite (y or n)? ' "$c/$x.tty"
		grep -c 'not overwritten' "$c/$x.tty"
		grep -o 'status [0-9]*' "$c/$x.tty"
	done >"$c/tty.sum"
	grep -q 'do you wish' "$c/g.tty" || printf ' gzip did not ask (script(1) gives no terminal?);' >>"$c/why"
	if [ "$(sed -n 1,4p "$c/tty.sum")" != "$(sed -n 5,8p "$c/tty.sum")" ]; then
		printf ' terminal text differs;' >>"$c/why"
		diff "$c/g.tty" "$c/a.tty" | sed 's/^/#   terminal: /' >>"$c/diag"
	fi
}
run_tty "existing output, terminal, answer n: kept, exit 2" exists n f
run_tty "existing output, terminal, answer y: replaced" exists y f

# ---- messages ---------------------------------------------------------------
MSG=prefix run "unknown option: error, 'awd zip:' prefix" zip one --bogus f
MSG=prefix run "unknown option (unzip): 'awd unzip:' prefix" unzip gz_one -Y f.gz

# ---- where awd differs from gzip 1.12 on purpose -----------------------------
# gzip -dNf x.gz, when x.gz stores the name x.gz, writes x.gz afresh and
# then removes it as the input: the data is gone. awd refuses.
newcase "-dNf: stored name equal to the input's: refused, input kept"
mkdir "$c/self"
text >"$c/t"
{ printf '\037\213\010\010\000\000\000\000\000\003x.gz\000'; gzip -cn <"$c/t" | tail -c +11; } >"$c/self/x.gz"
cp "$c/self/x.gz" "$c/x.orig"
(cd "$c/self" && exec "$awd" unzip -Nf x.gz) 2>"$c/self.err"
rc=$?
if ! [ "$rc" -eq 1 ] || ! cmp -s "$c/self/x.gz" "$c/x.orig" ||
   ! grep -qx 'awd unzip: x.gz: cannot decompress onto itself' "$c/self.err"; then
	printf ' exit %s, or input changed, or message;' "$rc" >>"$c/why"
	sed 's/^/#   /' "$c/self.err" >>"$c/diag"
fi

# ---- the results --------------------------------------------------------------
dirs=
i=1
while [ $i -le $n ]; do
	[ -d "$t/c$i/g" ] && dirs="$dirs $t/c$i/g $t/c$i/a"
	i=$((i + 1))
done
# shellcheck disable=SC2086
python3 -c "$snap_py" $dirs || echo "# snapshot failed"
i=1
while [ $i -le $n ]; do
	c=$t/c$i
	desc=$(cat "$c/desc")
	if [ -e "$c/skip" ]; then
		echo "ok $i - $desc # SKIP no script(1)"
		i=$((i + 1))
		continue
	fi
	if [ -d "$c/g" ] && ! cmp -s "$c/g.snap" "$c/a.snap"; then
		printf ' files differ;' >>"$c/why"
		diff "$c/g.snap" "$c/a.snap" | sed 's/^/#   files: /' >>"$c/diag"
	fi
	if [ -s "$c/why" ]; then
		fails=$((fails + 1))
		echo "not ok $i - $desc:$(cat "$c/why")"
		cat "$c/diag"
	else
		echo "ok $i - $desc"
	fi
	i=$((i + 1))
done
echo "1..$n"
[ "$fails" -eq 0 ]

// SPDX-License-Identifier: MIT
/*
 * awd zip / awd unzip: gzip's command line over the device's streams.
 * Files are processed in chunks of up to 1 MiB (or max_xfer); output goes
 * to FILE.gz (zip) or FILE without its suffix (unzip), or to stdout with
 * -c or when reading stdin. Options as GNU gzip's: -1..-9, -c, -d, -f, -k,
 * -l, -n, -N, -q, -r, -S, -t, -v; -F selects zlib or raw deflate instead
 * of gzip. As gzip, compressing a file stores its name and time stamp in
 * the header (replacing the device's minimal header, which the checksum
 * and length in the trailer do not cover); -n leaves them out, and -N
 * restores them when decompressing.
 *
 * The safety rules are gzip's: without -f (or -c), symbolic links are not
 * followed and files with other hard links, the sticky bit, or set-user-ID
 * or set-group-ID bits are left alone, an existing output is never
 * replaced (on a terminal the user is asked), and outputs are created
 * afresh (O_EXCL), never written through an existing name. Exit status:
 * 0 ok, 1 error, 2 warning.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "awd-tool.h"

#define CHUNK_MAX   (1u << 20)

struct zopts {
	int level;
	enum awd_format format;
	bool decompress, to_stdout, keep, force, quiet, verbose, test;
	bool list, recursive;
	int no_name;                /* -n 1, -N 0, else -1: decompress */
	const char *suffix;         /* -S, or NULL: the format's */
	const char *dev;
};

/* One command line: its options, its exit status, -l's totals. */
struct zrun {
	struct awd_ctx *ctx;
	const struct zopts *o;
	int rc;                     /* EXIT_OK, EXIT_WARN or EXIT_ERR */
	bool list_started;
	int64_t total_in, total_out, header_bytes;
};

struct zio {
	struct awd_ctx *ctx;
	struct awd_stream *s;
	const struct zopts *o;
	const char *name;           /* for messages */
	int in, out;
	uint64_t size;              /* input size if known, for progress */
	uint64_t in_bytes, out_bytes;
	bool progress;
	int warn;
	const char *hname;          /* gzip header name, or NULL */
	uint32_t mtime;             /* gzip header time stamp */
	uint64_t header_bytes;      /* wrapper bytes (header + trailer) */
	uint32_t crc;               /* gzip trailer of the last member */
	uint64_t isize;
};

/* As gzip: an error wins over a warning. */
static void set_warn(struct zrun *r)
{
	if (r->rc == EXIT_OK)
		r->rc = EXIT_WARN;
}

static void set_err(struct zrun *r)
{
	r->rc = EXIT_ERR;
}

/* gzip's WARN(): a message unless -q, and exit status 2. */
#define zwarn(r, ...) do {				\
		if (!(r)->o->quiet)			\
			awd_msg(__VA_ARGS__);		\
		set_warn(r);				\
	} while (0)

static const char *format_suffix(enum awd_format f)
{
	return f == AWD_FORMAT_GZIP ? ".gz" : f == AWD_FORMAT_ZLIB ? ".zz" :
	       ".deflate";
}

/* The suffix written when compressing: -S, else the format's. */
static const char *z_suffix(const struct zopts *o)
{
	return o->suffix ? o->suffix : format_suffix(o->format);
}

/* @name ends in @sfx (any case) after at least one character, not '/'. */
static bool has_suffix(const char *name, size_t nlen, const char *sfx)
{
	size_t sl = strlen(sfx);

	return nlen > sl && name[nlen - sl - 1] != '/' &&
	       !strcasecmp(name + nlen - sl, sfx);
}

/*
 * gzip's get_suffix(): where the compressed-file suffix of @name starts,
 * or NULL. Case is ignored. For the gzip format the known suffixes are
 * gzip's (.gz .z .taz .tgz -gz -z _z), after -S's (or before, when -S's
 * is the tail of one of them); other formats know only theirs.
 */
static const char *get_suffix(const struct zopts *o, const char *name)
{
	static const char *const known[] = {
		".gz", ".z", ".taz", ".tgz", "-gz", "-z", "_z",
	};
	const char *zs = z_suffix(o);
	size_t nlen = strlen(name), zl = strlen(zs);
	bool zs_last = false;

	if (o->format != AWD_FORMAT_GZIP)
		return has_suffix(name, nlen, zs) ? name + nlen - zl : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++) {
		size_t kl = strlen(known[i]);

		if (zl < kl && !strcmp(zs, known[i] + kl - zl))
			zs_last = true;
	}
	if (!zs_last && has_suffix(name, nlen, zs))
		return name + nlen - zl;
	for (size_t i = 0; i < ARRAY_SIZE(known); i++)
		if (has_suffix(name, nlen, known[i]))
			return name + nlen - strlen(known[i]);
	if (zs_last && has_suffix(name, nlen, zs))
		return name + nlen - zl;
	return NULL;
}

static void progress(struct zio *z)
{
	if (z->progress && z->size)
		fprintf(stderr, "\r%s: %3u%%", z->name,
			(unsigned int)(z->in_bytes * 100 / z->size));
}

static int put(struct zio *z, const void *buf, size_t len)
{
	int ret;

	z->out_bytes += len;
	if (z->o->test || !len)
		return 0;
	ret = awd_write_full(z->out, buf, len);
	if (ret)
		awd_msg("%s: write error: %s", z->name, strerror(-ret));
	return ret;
}

/* A gzip header with name and time stamp, in place of the device's. */
static int put_header(struct zio *z, uint8_t xfl)
{
	struct awd_gzip_header h = { .mtime = z->mtime, .xfl = xfl, .os = 3,
				     .name = z->hname };
	uint8_t buf[10 + 256];
	int n = awd_gzip_header_write(&h, buf, sizeof(buf));

	if (n == -ENOBUFS) {    /* a very long name: leave it out */
		h.name = NULL;
		n = awd_gzip_header_write(&h, buf, sizeof(buf));
	}
	if (n < 0)
		return n;
	z->header_bytes = (uint64_t)n + 8;
	return put(z, buf, (size_t)n) ? -EIO : 0;
}

static size_t chunk_size(struct awd_ctx *ctx)
{
	struct awd_caps c;

	awd_ctx_caps(ctx, &c);
	return c.max_xfer && c.max_xfer < CHUNK_MAX ? c.max_xfer / 2 : CHUNK_MAX;
}

static int do_compress(struct zio *z)
{
	size_t chunk = chunk_size(z->ctx), olen, got, used, made, off;
	uint8_t *ibuf, *obuf;
	bool eof = false, header_done = false;
	int ret;

	/* the device's own wrapper, unless put_header() replaces it */
	z->header_bytes = z->o->format == AWD_FORMAT_GZIP ? 10 + 8 :
			  z->o->format == AWD_FORMAT_ZLIB ? 2 + 4 : 0;
	olen = awd_compress_bound(z->o->format, chunk);
	ibuf = malloc(chunk);
	obuf = malloc(olen);
	if (!ibuf || !obuf) {
		ret = -ENOMEM;
		awd_msg("%s", awd_strerror(ret));
		goto out;
	}
	while (!eof) {
		ret = awd_read_full(z->in, ibuf, chunk, &got);
		if (ret) {
			awd_msg("%s: read error: %s", z->name, strerror(-ret));
			goto out;
		}
		eof = got < chunk;
		off = 0;
		do {
			size_t skip = 0;

			ret = awd_stream_run(z->s, ibuf + off, got - off, &used,
					     obuf, olen, &made,
					     eof ? AWD_FINISH : 0);
			if (ret < 0) {
				awd_msg("%s: compression failed: %s", z->name,
					awd_strerror(ret));
				goto out;
			}
			if (!header_done && made >= 10 &&
			    z->o->format == AWD_FORMAT_GZIP &&
			    (z->hname || z->mtime)) {
				int hret = put_header(z, obuf[8]);

				if (hret) {
					ret = hret;
					goto out;
				}
				skip = 10;      /* the device's own header */
			}
			header_done = true;
			off += used;
			z->in_bytes += used;
			if (put(z, obuf + skip, made - skip)) {
				ret = -EIO;
				goto out;
			}
		} while (off < got || (eof && ret != AWD_STREAM_END));
		progress(z);
	}
	ret = 0;
out:
	free(ibuf);
	free(obuf);
	return ret;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Copy the rest of the input as it is (unzip -cf of non-gzip data). */
static int copy_through(struct zio *z, uint8_t *buf, size_t have, size_t cap)
{
	size_t got;
	int ret;

	for (;;) {
		if (put(z, buf, have))
			return -EIO;
		ret = awd_read_full(z->in, buf, cap, &got);
		if (ret || !got)
			return ret;
		have = got;
	}
}

static int do_decompress(struct zio *z)
{
	size_t icap = chunk_size(z->ctx), ocap = 4 * icap, have = 0;
	size_t got, used, made, max_xfer;
	uint8_t *ibuf = malloc(icap), *obuf = malloc(ocap), *nb;
	bool eof = false, first = true;
	struct awd_caps caps;
	int ret;

	awd_ctx_caps(z->ctx, &caps);
	max_xfer = caps.max_xfer;
	if (!ibuf || !obuf) {
		ret = -ENOMEM;
		awd_msg("%s", awd_strerror(ret));
		goto out;
	}
	for (;;) {
		if (!eof && have < icap) {
			ret = awd_read_full(z->in, ibuf + have, icap - have, &got);
			if (ret) {
				awd_msg("%s: read error: %s", z->name,
					strerror(-ret));
				goto out;
			}
			eof = have + got < icap;
			have += got;
		}
		if (first && z->o->format == AWD_FORMAT_GZIP) {
			ret = awd_gzip_header_parse(ibuf, have, NULL);
			if (ret > 0)
				z->header_bytes = (uint64_t)ret + 8;
			if (ret == -EBADMSG || (ret == -EAGAIN && eof)) {
				if (z->o->force && z->o->to_stdout) {
					ret = copy_through(z, ibuf, have, icap);
					goto out;
				}
				if (ret == -EAGAIN)
					awd_msg("%s: unexpected end of file",
						z->name);
				else
					awd_msg("%s: not in gzip format",
						z->name);
				ret = -EBADMSG;
				goto out;
			}
		}
		if (first && z->o->format == AWD_FORMAT_ZLIB)
			z->header_bytes = 2 + 4;
		first = false;
		ret = awd_stream_run(z->s, ibuf, have, &used, obuf, ocap, &made,
				     eof ? AWD_FINISH : 0);
		if (ret == -ENOBUFS && ocap < max_xfer) {
			ocap = ocap * 2 < max_xfer ? ocap * 2 : max_xfer;
			nb = realloc(obuf, ocap);
			if (!nb) {
				ret = -ENOMEM;
				awd_msg("%s", awd_strerror(ret));
				goto out;
			}
			obuf = nb;
			continue;
		}
		if (ret < 0) {
			if (ret == -EBADMSG && eof)
				awd_msg("%s: invalid compressed data--%s",
					z->name, "format violated or unexpected end of file");
			else
				awd_msg("%s: decompression failed: %s", z->name,
					awd_strerror(ret));
			goto out;
		}
		if (put(z, obuf, made)) {
			ret = -EIO;
			goto out;
		}
		if (ret == AWD_STREAM_END && z->o->format == AWD_FORMAT_GZIP &&
		    used >= 8) {
			const uint8_t *t = ibuf + used - 8;

			z->crc = t[0] | (uint32_t)t[1] << 8 |
				 (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
			z->isize = t[4] | (uint32_t)t[5] << 8 |
				   (uint32_t)t[6] << 16 | (uint32_t)t[7] << 24;
		}
		memmove(ibuf, ibuf + used, have - used);
		have -= used;
		z->in_bytes += used;
		progress(z);
		if (ret == AWD_STREAM_END) {
			/* another member, trailing zeros, or garbage */
			if (!eof && have < icap) {
				ret = awd_read_full(z->in, ibuf + have,
						    icap - have, &got);
				if (ret)
					goto out;
				eof = have + got < icap;
				have += got;
			}
			if (!have && eof) {
				ret = 0;
				goto out;
			}
			if (z->o->format == AWD_FORMAT_GZIP && have >= 2 &&
			    ibuf[0] == 0x1f && ibuf[1] == 0x8b) {
				awd_stream_reset(z->s);
				first = true;
				continue;
			}
			if (!all_zero(ibuf, have) || !eof) {
				if (!z->o->quiet)
					awd_msg("%s: decompression OK, trailing garbage ignored",
						z->name);
				z->warn = 1;
			}
			ret = 0;
			goto out;
		}
		if (!used && !made) {
			if (eof) {
				awd_msg("%s: unexpected end of file", z->name);
				ret = -EBADMSG;
				goto out;
			}
			if (have == icap) {
				/* one block needs more input than we hold */
				if (icap >= max_xfer) {
					awd_msg("%s: deflate block larger than the device limit",
						z->name);
					ret = -EMSGSIZE;
					goto out;
				}
				icap = icap * 2 < max_xfer ? icap * 2 : max_xfer;
				nb = realloc(ibuf, icap);
				if (!nb) {
					ret = -ENOMEM;
					goto out;
				}
				ibuf = nb;
			}
		}
	}
out:
	free(ibuf);
	free(obuf);
	return ret;
}

static int run_stream(struct zio *z)
{
	int ret;

	ret = awd_stream_new(z->ctx, &z->s, z->o->decompress ?
			     AWD_STREAM_DECOMPRESS : AWD_STREAM_COMPRESS,
			     z->o->format, z->o->level);
	if (ret) {
		awd_msg("%s: %s", z->name, awd_strerror(ret));
		return ret;
	}
	ret = z->o->decompress ? do_decompress(z) : do_compress(z);
	awd_stream_free(&z->s);
	if (z->progress && z->size)
		fputc('\n', stderr);
	return ret;
}

/* gzip's display_ratio(): the part of @den that compression saved. */
static void print_ratio(FILE *f, int64_t num, int64_t den)
{
	fprintf(f, "%5.1f%%", den == 0 ? 0 : 100.0 * (double)num / (double)den);
}

/*
 * -v, as gzip: the ratio leaves the wrapper (header and trailer) out, and
 * a file is "replaced with" its output ("created" with -k).
 */
static void report(const struct zio *z, const char *outname, bool is_stdin)
{
	int64_t hb = (int64_t)z->header_bytes;
	int64_t in = (int64_t)z->in_bytes, out = (int64_t)z->out_bytes;

	if (!z->o->verbose)
		return;
	if (!is_stdin)
		fprintf(stderr, "%s:\t", z->name);
	if (z->o->test) {
		fputs(" OK\n", stderr);
		return;
	}
	if (z->o->decompress) {
		if (is_stdin)
			return;         /* gzip says nothing there */
		print_ratio(stderr, out - (in - hb), out);
	} else {
		print_ratio(stderr, in - (out - hb), in);
	}
	if (!is_stdin)
		fprintf(stderr, " -- %s %s", z->o->keep ? "created" :
			"replaced with", outname ? outname : "stdout");
	fputc('\n', stderr);
}

/* -n/-N: by default names and time stamps are stored, not restored. */
static bool no_name(const struct zopts *o)
{
	return o->no_name < 0 ? o->decompress : o->no_name;
}

/* gnulib's last_component(), as gzip uses it for stored names. */
static const char *last_component(const char *name)
{
	const char *base = name;
	bool slash = false;

	while (*base == '/')
		base++;
	for (const char *p = base; *p; p++) {
		if (*p == '/')
			slash = true;
		else if (slash) {
			base = p;
			slash = false;
		}
	}
	return base;
}

/* ---- -l ------------------------------------------------------------------ */

#define LIST_W 19       /* gzip's column width for an off_t */

static void list_line(struct zrun *r, int64_t bytes_in, int64_t bytes_out,
		      uint32_t crc, time_t mtime, int64_t header_bytes,
		      const char *name)
{
	static const char month[][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	const struct zopts *o = r->o;

	if (!r->list_started) {
		r->list_started = true;
		if (o->verbose)
			printf("method  crc     date  time  ");
		if (!o->quiet)
			printf("%*.*s %*.*s  ratio uncompressed_name\n",
			       LIST_W, LIST_W, "compressed",
			       LIST_W, LIST_W, "uncompressed");
	}
	if (o->verbose) {
		struct tm *tm = localtime(&mtime);

		printf("%5s %08lx ", "defla", (unsigned long)crc);
		if (tm)
			printf("%s%3d %02d:%02d ", month[tm->tm_mon],
			       tm->tm_mday, tm->tm_hour, tm->tm_min);
		else
			printf("??? ?? ??:?? ");
	}
	printf("%*lld %*lld ", LIST_W, (long long)bytes_in,
	       LIST_W, (long long)bytes_out);
	if (bytes_in == -1) {
		r->total_in = -1;
		bytes_in = bytes_out = header_bytes = 0;
	} else if (r->total_in >= 0) {
		r->total_in += bytes_in;
	}
	if (bytes_out == -1) {
		r->total_out = -1;
		bytes_in = bytes_out = header_bytes = 0;
	} else if (r->total_out >= 0) {
		r->total_out += bytes_out;
	}
	r->header_bytes = header_bytes;
	print_ratio(stdout, bytes_out - (bytes_in - header_bytes), bytes_out);
	printf(" %s\n", name);
}

static void list_totals(struct zrun *r)
{
	if (r->total_in <= 0 || r->total_out <= 0)
		return;
	if (r->o->verbose)
		printf("%28s", "");
	printf("%*lld %*lld ", LIST_W, (long long)r->total_in,
	       LIST_W, (long long)r->total_out);
	/* as gzip: the last file's wrapper size, so one file gives its ratio */
	print_ratio(stdout, r->total_out - (r->total_in - r->header_bytes),
		    r->total_out);
	printf(" (totals)\n");
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/*
 * One -l line, as gzip: sizes, CRC from the trailer at the end of a
 * seekable file (of the last member); other input is decompressed to
 * count it.
 */
static void list_input(struct zrun *r, struct zio *z, bool seekable,
		       time_t mtime, const char *name)
{
	int64_t bytes_in = -1, bytes_out = -1;
	uint32_t crc = 0xffffffff;
	off_t end = -1;
	uint8_t t[8];

	if (z->o->format == AWD_FORMAT_GZIP) {
		if (seekable)
			end = lseek(z->in, 0, SEEK_END);
		if (end >= 8) {
			if (pread(z->in, t, 8, end - 8) != 8) {
				awd_msg("%s: read error: %s", z->name,
					strerror(errno));
				set_err(r);
				return;
			}
			bytes_in = end;
			crc = le32(t);
			bytes_out = le32(t + 4);
		} else {
			struct zopts to = *z->o;

			to.test = true;
			to.verbose = false;
			z->o = &to;
			if (run_stream(z)) {
				set_err(r);
				return;
			}
			z->o = r->o;
			bytes_in = (int64_t)z->in_bytes;
			bytes_out = (int64_t)z->isize;
			crc = z->crc;
		}
	}
	list_line(r, bytes_in, bytes_out, crc, mtime,
		  (int64_t)z->header_bytes, name);
}

/* ---- files --------------------------------------------------------------- */

/* gzip's open_and_stat(): no symbolic link is followed without -c or -f. */
static int open_and_stat(const struct zopts *o, const char *name,
			 struct stat *st)
{
	int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, fd, fl, e;

	if (!(o->to_stdout || o->test || o->list) && !o->force)
		flags |= O_NOFOLLOW;
	fd = open(name, flags);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* O_NONBLOCK only kept open(2) from waiting on a FIFO */
	fl = fcntl(fd, F_GETFL);
	if (fl >= 0)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

/*
 * Open the input @path into *@ifname (malloc()ed). As gzip, with -d a
 * missing FILE is looked for as FILE with -S's suffix, FILE.gz, FILE.z,
 * FILE-z and FILE.Z.
 */
static int open_input(struct zrun *r, const char *path, struct stat *st,
		      char **ifname)
{
	static const char *const tries[] = { ".gz", ".z", "-z", ".Z" };
	const struct zopts *o = r->o;
	const char *zs = z_suffix(o);
	char *name;
	int fd;

	fd = open_and_stat(o, path, st);
	if (fd < 0 && o->decompress && errno == ENOENT &&
	    !get_suffix(o, path)) {
		for (int i = -1; i < (int)ARRAY_SIZE(tries); i++) {
			if (i < 0 ? !strcmp(zs, ".gz") :
			    o->format != AWD_FORMAT_GZIP)
				continue;
			if (asprintf(&name, "%s%s", path, i < 0 ? zs : tries[i]) < 0)
				break;
			fd = open_and_stat(o, name, st);
			if (fd >= 0) {
				*ifname = name;
				return fd;
			}
			if (errno != ENOENT) {
				awd_msg("%s: %s", name, strerror(errno));
				free(name);
				set_err(r);
				return -1;
			}
			free(name);
		}
		awd_msg("%s%s: %s", path, zs, strerror(ENOENT));
		set_err(r);
		return -1;
	}
	if (fd < 0) {
		awd_msg("%s: %s", path, strerror(errno));
		set_err(r);
		return -1;
	}
	*ifname = strdup(path);
	if (!*ifname) {
		awd_msg("%s", strerror(ENOMEM));
		close(fd);
		set_err(r);
		return -1;
	}
	return fd;
}

/*
 * gzip's make_ofname(): the output name for @ifname. Returns 0 with
 * *@ofname set, or 1 when the file is skipped (message and status done).
 */
static int make_ofname(struct zrun *r, const char *ifname, char **ofname)
{
	const struct zopts *o = r->o;
	const char *sfx = get_suffix(o, ifname);
	int n;

	*ofname = NULL;
	if (o->decompress) {
		if (!sfx) {
			/* -t and -l try every file (not under -r) */
			if (!o->recursive && (o->list || o->test)) {
				*ofname = strdup(ifname);
				goto done;
			}
			if (o->verbose || (!o->recursive && !o->quiet)) {
				awd_msg("%s: unknown suffix -- ignored", ifname);
				set_warn(r);
			}
			return 1;
		}
		n = asprintf(ofname, "%.*s%s", (int)(sfx - ifname), ifname,
			     !strcasecmp(sfx, ".tgz") ||
			     !strcasecmp(sfx, ".taz") ? ".tar" : "");
		if (n < 0)
			*ofname = NULL;
		goto done;
	}
	if (sfx && !o->force) {
		/* as gzip: a message, but no warning status */
		if (o->verbose || (!o->recursive && !o->quiet))
			awd_msg("%s already has %s suffix -- unchanged",
				ifname, sfx);
		return 1;
	}
	if (asprintf(ofname, "%s%s", ifname, z_suffix(o)) < 0)
		*ofname = NULL;
done:
	if (!*ofname) {
		awd_msg("%s", strerror(ENOMEM));
		set_err(r);
		return 1;
	}
	return 0;
}

/*
 * The gzip header at the start of the regular file @fd, read without
 * moving the file offset: the stored name (kept in *@bufp) and time stamp
 * are needed before the output is created.
 */
static int peek_header(int fd, uint8_t **bufp, struct awd_gzip_header *h)
{
	size_t cap = 4096;
	uint8_t *buf = NULL, *nb;
	int ret;

	for (;;) {
		ssize_t n;

		nb = realloc(buf, cap);
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		buf = nb;
		n = pread(fd, buf, cap, 0);
		if (n < 0) {
			ret = -errno;
			break;
		}
		ret = awd_gzip_header_parse(buf, (size_t)n, h);
		if (ret != -EAGAIN || (size_t)n < cap || cap >= (1u << 20))
			break;
		cap *= 4;
	}
	*bufp = buf;
	return ret;
}

static bool foreground(void)
{
	struct sigaction sa;

	/* as gzip: not started in the background with SIGINT ignored */
	return sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler != SIG_IGN;
}

static bool yesno(void)
{
	int c = getchar(), first = c;

	while (c != EOF && c != '\n')
		c = getchar();
	return first == 'y' || first == 'Y';
}

/*
 * gzip's check_ofname() and create_outfile(): never write through an
 * existing name (a symbolic link to another file, a hard link to the
 * input): without -f an existing output is kept, with a warning (on a
 * terminal the user is asked first); with -f the name is removed first.
 * The output is then created with O_EXCL.
 */
static int create_output(struct zrun *r, const char *ofname)
{
	struct stat ost;
	int fd;

	for (;;) {
		if (lstat(ofname, &ost) == 0) {
			if (!r->o->force) {
				bool ok = false;

				fprintf(stderr, "%s: %s already exists;",
					awd_prog, ofname);
				if (foreground() && isatty(STDIN_FILENO)) {
					fputs(" do you wish to overwrite (y or n)? ",
					      stderr);
					fflush(stderr);
					ok = yesno();
				}
				if (!ok) {
					fputs("\tnot overwritten\n", stderr);
					set_warn(r);
					return -1;
				}
			}
			if (unlink(ofname) < 0 && errno != ENOENT) {
				awd_msg("%s: %s", ofname, strerror(errno));
				set_err(r);
				return -1;
			}
		} else if (errno != ENOENT) {
			awd_msg("%s: %s", ofname, strerror(errno));
			set_err(r);
			return -1;
		}
		fd = open(ofname, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY |
			  O_CLOEXEC, 0600);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST) {
			awd_msg("%s: %s", ofname, strerror(errno));
			set_err(r);
			return -1;
		}
	}
}

/*
 * gzip's copy_stat(): times (the stored time stamp with -N when
 * decompressing), group, permission bits (no set-ID or sticky bits), owner.
 */
static void copy_stat(struct zrun *r, int fd, const char *ofname,
		      const struct stat *st, bool restore, uint32_t mtime)
{
	struct timespec ts[2] = { st->st_atim, st->st_mtim };

	if (restore) {
		ts[1].tv_sec = (time_t)mtime;
		ts[1].tv_nsec = 0;
	}
	if (futimens(fd, ts) < 0)
		zwarn(r, "%s: %s", ofname, strerror(errno));
	if (fchown(fd, (uid_t)-1, st->st_gid) < 0) {
		/* as gzip: not allowed is fine */
	}
	if (fchmod(fd, st->st_mode & 0777) < 0)
		zwarn(r, "%s: %s", ofname, strerror(errno));
	if (fchown(fd, st->st_uid, (gid_t)-1) < 0) {
		/* idem */
	}
}

static void treat_file(struct zrun *r, const char *path);
static void std_stream(struct zrun *r);

/* -r: every entry of the directory @fd (closed here), as gzip's treat_dir. */
static void treat_dir(struct zrun *r, int fd, const char *dir)
{
	size_t n = 0, cap = 0, dl = strlen(dir);
	DIR *d = fdopendir(fd);
	char **names = NULL, **nn;
	struct dirent *de;
	bool oom = false;

	if (!d) {
		awd_msg("%s: %s", dir, strerror(errno));
		close(fd);
		set_err(r);
		return;
	}
	/* the whole list first: the outputs go to the same directory */
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			nn = realloc(names, cap * sizeof(*names));
			if (!nn) {
				oom = true;
				break;
			}
			names = nn;
		}
		if (asprintf(&names[n], "%s%s%s", dir,
			     dl && dir[dl - 1] != '/' ? "/" : "",
			     de->d_name) < 0) {
			oom = true;
			break;
		}
		n++;
	}
	if (oom) {
		awd_msg("%s: %s", dir, strerror(ENOMEM));
		set_err(r);
	}
	closedir(d);
	for (size_t i = 0; i < n; i++) {
		treat_file(r, names[i]);
		free(names[i]);
	}
	free(names);
}

/* One command-line name (or, with -r, one found in a directory). */
static void treat_file(struct zrun *r, const char *path)
{
	const struct zopts *o = r->o;
	struct zio z = { .ctx = r->ctx, .o = o, .in = -1,
			 .out = STDOUT_FILENO };
	char *ifname = NULL, *ofname = NULL;
	struct awd_gzip_header h = { 0 };
	bool restore = false;
	uint8_t *hbuf = NULL;
	struct stat st;
	int ret;

	if (!strcmp(path, "-")) {
		std_stream(r);
		return;
	}
	z.in = open_input(r, path, &st, &ifname);
	if (z.in < 0)
		return;
	z.name = ifname;
	if (S_ISDIR(st.st_mode)) {
		if (o->recursive) {
			treat_dir(r, z.in, ifname);
			free(ifname);
			return;
		}
		zwarn(r, "%s is a directory -- ignored", ifname);
		goto out;
	}
	if (!(o->to_stdout || o->test || o->list)) {
		if (!S_ISREG(st.st_mode)) {
			zwarn(r, "%s is not a directory or a regular file - ignored",
			      ifname);
			goto out;
		}
		if (st.st_mode & S_ISUID) {
			zwarn(r, "%s is set-user-ID on execution - ignored",
			      ifname);
			goto out;
		}
		if (st.st_mode & S_ISGID) {
			zwarn(r, "%s is set-group-ID on execution - ignored",
			      ifname);
			goto out;
		}
		if (!o->force && (st.st_mode & S_ISVTX)) {
			zwarn(r, "%s has the sticky bit set - file ignored",
			      ifname);
			goto out;
		}
		if (!o->force && st.st_nlink >= 2) {
			zwarn(r, "%s has %lu other link%s -- file ignored",
			      ifname, (unsigned long)st.st_nlink - 1,
			      st.st_nlink == 2 ? "" : "s");
			goto out;
		}
	}
	if (S_ISREG(st.st_mode))
		z.size = (uint64_t)st.st_size;
	if (!o->decompress && !no_name(o)) {
		z.hname = last_component(ifname);
		if (S_ISREG(st.st_mode) && st.st_mtim.tv_sec > 0 &&
		    st.st_mtim.tv_sec <= UINT32_MAX)
			z.mtime = (uint32_t)st.st_mtim.tv_sec;
	}
	if (!o->to_stdout || o->list || o->test) {
		if (make_ofname(r, ifname, &ofname))
			goto out;
	}
	if (o->decompress && o->format == AWD_FORMAT_GZIP &&
	    S_ISREG(st.st_mode) && (o->list || (!o->to_stdout && !o->test))) {
		ret = peek_header(z.in, &hbuf, &h);
		if (ret < 0) {
			if (ret == -EAGAIN)
				awd_msg("%s: unexpected end of file", ifname);
			else if (ret == -EBADMSG)
				awd_msg("%s: not in gzip format", ifname);
			else
				awd_msg("%s: read error: %s", ifname,
					strerror(-ret));
			set_err(r);
			goto out;
		}
		z.header_bytes = (uint64_t)ret + 8;
		if (!no_name(o) && h.name) {
			/* -N: the stored name, in the input's directory */
			const char *base = last_component(ofname);
			char *nn;

			if (asprintf(&nn, "%.*s%s", (int)(base - ofname), ofname,
				     last_component(h.name)) < 0) {
				awd_msg("%s", strerror(ENOMEM));
				set_err(r);
				goto out;
			}
			free(ofname);
			ofname = nn;
		}
		restore = !no_name(o) && h.mtime;
	}
	if (o->list) {
		list_input(r, &z, S_ISREG(st.st_mode),
			   restore ? (time_t)h.mtime :
			   S_ISREG(st.st_mode) ? st.st_mtim.tv_sec : 0, ofname);
		goto out;
	}
	if (!o->to_stdout && !o->test) {
		/* gzip would remove the input after writing it (-dNf) */
		if (!strcmp(ofname, ifname)) {
			awd_msg("%s: cannot %scompress onto itself", ifname,
				o->decompress ? "de" : "");
			set_err(r);
			goto out;
		}
		z.out = create_output(r, ofname);
		if (z.out < 0) {
			z.out = STDOUT_FILENO;
			goto out;
		}
	} else {
		free(ofname);
		ofname = NULL;
	}
	z.progress = isatty(STDERR_FILENO) && !o->quiet &&
		     z.size >= 16u * 1024 * 1024 &&
		     !(o->to_stdout && isatty(STDOUT_FILENO));
	ret = run_stream(&z);
	if (ofname) {
		if (!ret)
			copy_stat(r, z.out, ofname, &st, restore, h.mtime);
		if (close(z.out) < 0 && !ret) {
			awd_msg("%s: %s", ofname, strerror(errno));
			ret = -EIO;
		}
		if (ret) {
			unlink(ofname);
		} else {
			report(&z, ofname, false);
			if (!o->keep && unlink(ifname) < 0)
				zwarn(r, "%s: %s", ifname, strerror(errno));
		}
	} else if (!ret) {
		report(&z, NULL, false);
	}
	if (ret)
		set_err(r);
	else if (z.warn)
		set_warn(r);
out:
	close(z.in);
	free(hbuf);
	free(ofname);
	free(ifname);
}

static void std_stream(struct zrun *r)
{
	struct zopts so = *r->o;
	struct zio z = { .ctx = r->ctx, .o = &so, .name = "stdin",
			 .in = STDIN_FILENO, .out = STDOUT_FILENO };
	struct stat st;
	bool reg = fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode);

	so.to_stdout = true;
	/* as gzip: a regular file on stdin gives its time stamp, no name */
	if (!so.decompress && !no_name(&so) && reg &&
	    st.st_mtim.tv_sec > 0 && st.st_mtim.tv_sec <= UINT32_MAX)
		z.mtime = (uint32_t)st.st_mtim.tv_sec;
	if (so.list) {
		z.o = r->o;
		list_input(r, &z, false, reg ? st.st_mtim.tv_sec : 0,
			   "stdout");
		return;
	}
	if (run_stream(&z)) {
		set_err(r);
		return;
	}
	report(&z, NULL, true);
	if (z.warn)
		set_warn(r);
}

static void zip_usage(bool decompress)
{
	printf("usage: awd %s [options] [files]\n"
	       "  -1 .. -9     compression level (fast .. best; default 6)\n"
	       "  -c           write to stdout, keep the input files\n"
	       "  -d           decompress\n"
	       "  -f           overwrite outputs; write compressed data to a\n"
	       "               terminal; with -dc copy non-gzip input as is\n"
	       "  -k           keep the input files\n"
	       "  -l           list sizes, ratio and name of compressed files\n"
	       "  -n           do not store (compressing) or restore\n"
	       "               (decompressing) the file name and time stamp\n"
	       "  -N           store them (default) or restore them\n"
	       "  -q           no warnings\n"
	       "  -r           compress or decompress the files in directories\n"
	       "  -S SUF       suffix SUF instead of .gz\n"
	       "  -t           test the compressed files\n"
	       "  -v           report each file's ratio\n"
	       "  -F FORMAT    gzip (default, .gz), zlib (.zz) or raw (.deflate)\n"
	       "  -D DEVICE    accel-wd device (default $AWD_DEVICE or the first free)\n"
	       "With no files, or '-', read stdin and write stdout.\n"
	       "Without -f, symbolic links, files with other hard links and\n"
	       "existing outputs are left alone, as gzip does.\n",
	       decompress ? "unzip" : "zip");
}

int cmd_zip(int argc, char **argv, bool decompress)
{
	static const struct option lopts[] = {
		{ "stdout", no_argument, NULL, 'c' },
		{ "to-stdout", no_argument, NULL, 'c' },
		{ "decompress", no_argument, NULL, 'd' },
		{ "uncompress", no_argument, NULL, 'd' },
		{ "force", no_argument, NULL, 'f' },
		{ "keep", no_argument, NULL, 'k' },
		{ "list", no_argument, NULL, 'l' },
		{ "no-name", no_argument, NULL, 'n' },
		{ "name", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "recursive", no_argument, NULL, 'r' },
		{ "suffix", required_argument, NULL, 'S' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "fast", no_argument, NULL, '1' },
		{ "best", no_argument, NULL, '9' },
		{ "format", required_argument, NULL, 'F' },
		{ "device", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct zopts o = { .level = AWD_LEVEL_DEFAULT,
			   .format = AWD_FORMAT_GZIP,
			   .decompress = decompress, .no_name = -1 };
	struct zrun r = { .o = &o };
	int c;

	argv[0] = (char *)awd_prog;     /* getopt's messages: "awd zip: " */
	while ((c = getopt_long(argc, argv, "123456789cdfklnNqrS:tvF:D:h",
				lopts, NULL)) != -1) {
		switch (c) {
		case '1': case '2': case '3': case '4': case '5':
		case '6': case '7': case '8': case '9':
			o.level = c - '0';
			break;
		case 'c':
			o.to_stdout = true;
			break;
		case 'd':
			o.decompress = true;
			break;
		case 'f':
			o.force = true;
			break;
		case 'k':
			o.keep = true;
			break;
		case 'l':
			o.list = true;
			o.decompress = true;
			break;
		case 'n':
			o.no_name = 1;
			break;
		case 'N':
			o.no_name = 0;
			break;
		case 'q':               /* as gzip, -q and -v undo each other */
			o.quiet = true;
			o.verbose = false;
			break;
		case 'r':
			o.recursive = true;
			break;
		case 'S':
			o.suffix = optarg;
			break;
		case 't':
			o.test = true;
			o.decompress = true;
			break;
		case 'v':
			o.verbose = true;
			o.quiet = false;
			break;
		case 'F':
			if (!strcmp(optarg, "gzip"))
				o.format = AWD_FORMAT_GZIP;
			else if (!strcmp(optarg, "zlib"))
				o.format = AWD_FORMAT_ZLIB;
			else if (!strcmp(optarg, "raw") ||
				 !strcmp(optarg, "deflate"))
				o.format = AWD_FORMAT_RAW;
			else {
				awd_msg("unknown format '%s' (gzip, zlib, raw)",
					optarg);
				return EXIT_ERR;
			}
			break;
		case 'D':
			o.dev = optarg;
			break;
		case 'h':
			zip_usage(decompress);
			return EXIT_OK;
		default:
			fprintf(stderr, "Try '%s -h' for more information.\n",
				awd_prog);
			return EXIT_ERR;
		}
	}
	/* gzip's MAX_SUFFIX */
	if (o.suffix && (!*o.suffix || strlen(o.suffix) > 30)) {
		awd_msg("invalid suffix '%s'", o.suffix);
		return EXIT_ERR;
	}
	if (!o.decompress && !o.force && !o.test &&
	    (optind >= argc || o.to_stdout ||
	     (optind == argc - 1 && !strcmp(argv[optind], "-"))) &&
	    isatty(STDOUT_FILENO)) {
		awd_msg("compressed data not written to a terminal. Use -f to force compression.");
		return EXIT_ERR;
	}
	if (o.decompress && !o.force &&
	    (optind >= argc || (optind == argc - 1 && !strcmp(argv[optind], "-"))) &&
	    isatty(STDIN_FILENO)) {
		awd_msg("compressed data not read from a terminal. Use -f to force decompression.");
		return EXIT_ERR;
	}
	if (awd_tool_open(&r.ctx, o.dev, 0))
		return EXIT_ERR;
	if (optind >= argc)
		std_stream(&r);
	for (int i = optind; i < argc; i++)
		treat_file(&r, argv[i]);
	if (o.list && !o.quiet && argc - optind > 1)
		list_totals(&r);
	if (fflush(stdout) != 0) {
		awd_msg("write error: %s", strerror(errno));
		set_err(&r);
	}
	awd_ctx_close(&r.ctx);
	return r.rc;
}

// SPDX-License-Identifier: MIT
/*
 * awd zip / awd unzip: gzip's command line over the device's streams.
 * Files are processed in chunks of up to 1 MiB (or max_xfer); output goes
 * to FILE.gz (zip) or FILE without .gz (unzip), or to stdout with -c or
 * when reading stdin. Options as gzip's: -1..-9, -c, -d, -f, -k, -n, -N,
 * -q, -t, -v; -F selects zlib or raw deflate instead of gzip. As gzip,
 * compressing a file stores its name and time stamp in the header
 * (replacing the device's minimal header, which the checksum and length
 * in the trailer do not cover); -n leaves them out.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "awd-tool.h"

#define CHUNK_MAX   (1u << 20)

struct zopts {
	int level;
	enum awd_format format;
	bool decompress, to_stdout, keep, force, quiet, verbose, test;
	bool no_name;
	const char *dev;
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
};

static const char *suffix(enum awd_format f)
{
	return f == AWD_FORMAT_GZIP ? ".gz" : f == AWD_FORMAT_ZLIB ? ".zz" :
	       ".deflate";
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
			if (ret == -EBADMSG || (ret == -EAGAIN && eof)) {
				if (z->o->force && z->o->to_stdout) {
					ret = copy_through(z, ibuf, have, icap);
					goto out;
				}
				awd_msg("%s: not in gzip format", z->name);
				ret = -EBADMSG;
				goto out;
			}
		}
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

static void report(const struct zio *z, const char *outname)
{
	double ratio;
	uint64_t in = z->o->decompress ? z->out_bytes : z->in_bytes;
	uint64_t out = z->o->decompress ? z->in_bytes : z->out_bytes;

	if (!z->o->verbose)
		return;
	ratio = in ? 100.0 * (1.0 - (double)out / (double)in) : 0.0;
	if (z->o->test)
		fprintf(stderr, "%s:\t OK\n", z->name);
	else
		fprintf(stderr, "%s:\t%5.1f%% -- %s %s\n", z->name, ratio,
			outname ? "replaced with" : "written to",
			outname ? outname : "stdout");
}

/* Returns EXIT_OK, EXIT_WARN or EXIT_ERR for one file. */
static int one_file(struct awd_ctx *ctx, const struct zopts *o,
		    const char *path)
{
	struct zio z = { .ctx = ctx, .o = o, .name = path, .in = -1,
			 .out = STDOUT_FILENO };
	const char *sfx = suffix(o->format);
	char *outname = NULL;
	struct stat st;
	int ret, rc = EXIT_OK;

	z.in = open(path, O_RDONLY | O_CLOEXEC);
	if (z.in < 0) {
		awd_msg("%s: %s", path, strerror(errno));
		return EXIT_ERR;
	}
	if (fstat(z.in, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (!o->quiet)
			awd_msg("%s is not a regular file -- ignored", path);
		close(z.in);
		return EXIT_WARN;
	}
	z.size = (uint64_t)st.st_size;
	if (!o->decompress && !o->no_name) {
		const char *base = strrchr(path, '/');

		z.hname = base ? base + 1 : path;
		z.mtime = st.st_mtim.tv_sec > 0 && st.st_mtim.tv_sec <= UINT32_MAX ?
			  (uint32_t)st.st_mtim.tv_sec : 0;
	}
	if (!o->to_stdout && !o->test) {
		size_t pl = strlen(path), sl = strlen(sfx);

		if (o->decompress) {
			if (pl <= sl || strcmp(path + pl - sl, sfx)) {
				if (!o->quiet)
					awd_msg("%s: unknown suffix -- ignored",
						path);
				close(z.in);
				return EXIT_WARN;
			}
			outname = strndup(path, pl - sl);
		} else {
			if (pl > sl && !strcmp(path + pl - sl, sfx)) {
				if (!o->quiet)
					awd_msg("%s already has %s suffix -- unchanged",
						path, sfx);
				close(z.in);
				return EXIT_WARN;
			}
			if (asprintf(&outname, "%s%s", path, sfx) < 0)
				outname = NULL;
		}
		if (!outname) {
			awd_msg("out of memory");
			close(z.in);
			return EXIT_ERR;
		}
		if (!o->force && access(outname, F_OK) == 0) {
			awd_msg("%s already exists; use -f to overwrite",
				outname);
			free(outname);
			close(z.in);
			return EXIT_ERR;
		}
		z.out = open(outname, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			     0600);
		if (z.out < 0) {
			awd_msg("%s: %s", outname, strerror(errno));
			free(outname);
			close(z.in);
			return EXIT_ERR;
		}
	}
	z.progress = isatty(STDERR_FILENO) && !o->quiet &&
		     z.size >= 16u * 1024 * 1024 &&
		     !(o->to_stdout && isatty(STDOUT_FILENO));
	ret = run_stream(&z);
	close(z.in);
	if (outname) {
		if (!ret) {
			struct timespec ts[2] = { st.st_atim, st.st_mtim };

			(void)fchmod(z.out, st.st_mode & 07777);
			(void)futimens(z.out, ts);
		}
		if (close(z.out) < 0 && !ret) {
			awd_msg("%s: %s", outname, strerror(errno));
			ret = -EIO;
		}
		if (ret) {
			unlink(outname);
		} else {
			report(&z, outname);
			if (!o->keep && unlink(path) < 0) {
				awd_msg("%s: %s", path, strerror(errno));
				rc = EXIT_WARN;
			}
		}
		free(outname);
	} else if (!ret) {
		report(&z, NULL);
	}
	if (ret)
		return EXIT_ERR;
	return z.warn ? EXIT_WARN : rc;
}

static int std_stream(struct awd_ctx *ctx, const struct zopts *o)
{
	struct zio z = { .ctx = ctx, .o = o, .name = "stdin",
			 .in = STDIN_FILENO, .out = STDOUT_FILENO };
	struct stat st;
	int ret;

	/* as gzip: a regular file on stdin gives its time stamp, no name */
	if (!o->decompress && !o->no_name && fstat(STDIN_FILENO, &st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_mtim.tv_sec > 0 &&
	    st.st_mtim.tv_sec <= UINT32_MAX)
		z.mtime = (uint32_t)st.st_mtim.tv_sec;
	ret = run_stream(&z);

	if (ret)
		return EXIT_ERR;
	report(&z, NULL);
	return z.warn ? EXIT_WARN : EXIT_OK;
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
	       "  -n           do not store the file name and time stamp\n"
	       "  -N           store them (the default when compressing files)\n"
	       "  -q           no warnings\n"
	       "  -t           test the compressed files\n"
	       "  -v           report each file's ratio\n"
	       "  -F FORMAT    gzip (default, .gz), zlib (.zz) or raw (.deflate)\n"
	       "  -D DEVICE    accel-wd device (default $AWD_DEVICE or the first free)\n"
	       "With no files, or '-', read stdin and write stdout.\n",
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
		{ "no-name", no_argument, NULL, 'n' },
		{ "quiet", no_argument, NULL, 'q' },
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
			   .decompress = decompress };
	struct awd_ctx *ctx;
	int c, rc = EXIT_OK;

	while ((c = getopt_long(argc, argv, "123456789cdfknqtvF:D:hN", lopts,
				NULL)) != -1) {
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
		case 'n':
			o.no_name = true;
			break;
		case 'N':
			o.no_name = false;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 't':
			o.test = true;
			o.decompress = true;
			break;
		case 'v':
			o.verbose = true;
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
			return EXIT_ERR;
		}
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
	if (awd_tool_open(&ctx, o.dev, 0))
		return EXIT_ERR;
	if (optind >= argc) {
		o.to_stdout = true;
		rc = std_stream(ctx, &o);
	}
	for (int i = optind; i < argc; i++) {
		int r;

		if (!strcmp(argv[i], "-")) {
			struct zopts so = o;

			so.to_stdout = true;
			r = std_stream(ctx, &so);
		} else {
			r = one_file(ctx, &o, argv[i]);
		}
		if (r == EXIT_ERR || (r == EXIT_WARN && rc == EXIT_OK))
			rc = r;
	}
	awd_ctx_close(&ctx);
	return rc;
}

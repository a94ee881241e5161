// SPDX-License-Identifier: MIT
/*
 * awd: command line of the accel-wd accelerator.
 *   awd zip | unzip    gzip-compatible compression on the device
 *   awd rsa            raw and padded RSA on the device
 *   awd stat           device and queue information and counters
 *   awd bench          device against zlib and GMP in one run
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awd-tool.h"
#include "accel_wd_crec.h"
#include "accel_wd_sgl.h"

/* ---- awd stat ----------------------------------------------------------- */

static void print_file(const char *dir, const char *name)
{
	char path[512], line[512];
	FILE *f;
	bool first = true;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (first)
			printf("  %-14s %s\n", name, line);
		else
			printf("  %-14s %s\n", "", line);
		first = false;
	}
	fclose(f);
}

static int stat_sysfs(void)
{
	static const char *const attrs[] = {
		"hw_version", "caps", "mode", "queues", "queues_in_use",
		"limits", "resets", "pinned_pages", "queue_stats",
	};
	const char *drv = "/sys/bus/pci/drivers/accel_wd";
	struct dirent *de;
	DIR *d = opendir(drv);
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		char dir[300];

		if (!strchr(de->d_name, ':'))
			continue;       /* PCI addresses only */
		snprintf(dir, sizeof(dir), "%s/%s", drv, de->d_name);
		printf("device %s\n", de->d_name);
		for (size_t i = 0; i < ARRAY_SIZE(attrs); i++)
			print_file(dir, attrs[i]);
		n++;
	}
	closedir(d);
	return n;
}

static void print_caps_bits(uint32_t c)
{
	static const char *const names[] = {
		"deflate", "inflate", "rsa", "stream", "pasid", "ats", "pri",
		"wbits", "telemetry", "zlib-exact",
	};

	for (unsigned int i = 0; i < 32; i++) {
		if (!(c & (1u << i)))
			continue;
		if (i < ARRAY_SIZE(names))
			printf(" %s", names[i]);
		else
			printf(" bit%u", i);
	}
}

/* The queue format and what its parameters mean (accel_wd_*.h). */
static void print_format(const struct awd_ctx *ctx)
{
	uint32_t p[AWD_CTX_FMT_PARAMS];
	const char *name = "?";
	int fmt = awd_ctx_format(ctx, &name, p);

	printf("  %-14s %s", "format", name);
	if (fmt == AWD_FORMAT_SGL)
		printf(" (scatter-gather lists: %u entries, %u lists per buffer at most)",
		       p[AWD_SGL_PARAM_MAX_ENTRIES], p[AWD_SGL_PARAM_MAX_LISTS]);
	else if (fmt == AWD_FORMAT_CREC)
		printf(" (portal and completion records: %u descriptors per batch at most)",
		       p[AWD_CREC_PARAM_MAX_BATCH]);
	else if (fmt == AWD_FORMAT_RING)
		printf(" (descriptor and completion rings)");
	printf("\n");
}

/* ---- awd stat: telemetry ---------------------------------------------- */

/* A time in ns as "850 ns", "12.3 us", "4.56 ms", "1.23 s". */
static const char *fmt_ns(char *buf, size_t len, double ns)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	unsigned int u = 0;

	while (ns >= 1000 && u < 3) {
		ns /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", ns, unit[u]);
	else
		snprintf(buf, len, "%.*f %s", ns < 10 ? 2 : ns < 100 ? 1 : 0,
			 ns, unit[u]);
	return buf;
}

/* Lower bound of histogram bucket i (2^i ns; bucket 0 is [0, 2)), short. */
static const char *fmt_bucket(char *buf, size_t len, unsigned int i)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	uint64_t v = i ? 1ull << i : 0;
	unsigned int u = 0;

	/* 2^10 ns is shown as 1us: the labels round to 1024 per unit */
	while (i >= 10 && u < 3) {
		v >>= 10;
		i -= 10;
		u++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)v, unit[u]);
	return buf;
}

static double ratio(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0;
}

/* The maximum of @flag, or "-" when nothing happened or it is hidden. */
static const char *fmt_max(char *buf, size_t len, uint64_t v, uint64_t count,
			   const struct awd_telemetry *t, uint32_t flag)
{
	if (t && (t->flags & flag))
		return "hidden (an earlier user's was longer)";
	if (!count)
		return "-";
	return fmt_ns(buf, len, (double)v);
}

static void print_tm_scope(const char *title, const struct awd_telemetry *t,
			   const struct awd_telemetry_scope *s, bool queue)
{
	const struct awd_telemetry *qt = queue ? t : NULL;
	char a[32], b[64];
	uint64_t xl = s->atc_hits + s->ats_reqs;
	bool any = false;

	printf("telemetry %s\n", title);
	printf("  %-14s %llu\n", "requests", (unsigned long long)s->reqs);
	printf("  %-14s mean %s, max %s\n", "latency",
	       s->reqs ? fmt_ns(a, sizeof(a), ratio(s->lat_sum_ns, s->reqs)) :
	       "-", fmt_max(b, sizeof(b), s->lat_max_ns, s->reqs, qt,
			    AWD_TELEMETRY_Q_LAT_MAX_UNKNOWN));
	printf("  %-14s", "histogram");
	for (unsigned int i = 0; i < AWD_TELEMETRY_BUCKETS; i++) {
		if (!s->lat_hist[i])
			continue;
		printf(" %s:%llu", fmt_bucket(a, sizeof(a), i),
		       (unsigned long long)s->lat_hist[i]);
		any = true;
	}
	printf("%s\n", any ? "" : " -");
	printf("  %-14s mean %.2f, max ", "occupancy",
	       ratio(s->occ_sum, s->occ_samples));
	if (qt && (t->flags & AWD_TELEMETRY_Q_OCC_MAX_UNKNOWN))
		printf("hidden\n");
	else
		printf("%llu\n", (unsigned long long)s->occ_max);
	printf("  %-14s hit ratio ", "atc");
	if (xl)
		printf("%.1f%%", 100 * ratio(s->atc_hits, xl));
	else
		printf("-");
	printf(" (%llu hits), ats requests %llu\n",
	       (unsigned long long)s->atc_hits,
	       (unsigned long long)s->ats_reqs);
	printf("  %-14s %llu pages in %llu waits, latency mean %s, max %s\n",
	       "page requests", (unsigned long long)s->page_reqs,
	       (unsigned long long)s->pr_waits,
	       s->pr_waits ? fmt_ns(a, sizeof(a),
				    ratio(s->pr_lat_sum_ns, s->pr_waits)) : "-",
	       fmt_max(b, sizeof(b), s->pr_lat_max_ns, s->pr_waits, qt,
		       AWD_TELEMETRY_Q_PR_LAT_MAX_UNKNOWN));
	if (!queue)
		printf("  %-14s %llu, wait mean %s, max %s\n", "invalidations",
		       (unsigned long long)s->inv,
		       s->inv ? fmt_ns(a, sizeof(a),
				       ratio(s->inv_wait_sum_ns, s->inv)) : "-",
		       fmt_max(b, sizeof(b), s->inv_wait_max_ns, s->inv, NULL,
			       0));
	printf("  %-14s in %llu, out %llu\n", "bytes",
	       (unsigned long long)s->bytes_in,
	       (unsigned long long)s->bytes_out);
}

/*
 * The device's telemetry: the queue index this command got (its whole
 * history when the caller may see it, else since this open: nothing) and
 * the device. 0, or an error already reported.
 */
static int stat_telemetry(struct awd_ctx *ctx)
{
	struct awd_telemetry t;
	char title[96];
	int ret;

	ret = awd_ctx_telemetry(ctx, AWD_TELEMETRY_HISTORY, &t);
	if (ret == -EPERM)
		ret = awd_ctx_telemetry(ctx, 0, &t);
	if (ret == -EOPNOTSUPP) {
		printf("  %-14s not supported by this device or driver\n",
		       "telemetry");
		return 0;
	}
	if (ret) {
		awd_msg("telemetry: %s", awd_strerror(ret));
		return ret;
	}
	printf("  %-14s %s\n", "timing model",
	       t.dev.timing_model ? "on (modelled times)" : "off");
	snprintf(title, sizeof(title), "of queue %u (%s)", t.queue,
		 t.flags & AWD_TELEMETRY_HISTORY ?
		 "all its users since the device started" :
		 "since this command opened it");
	print_tm_scope(title, &t, &t.q, true);
	print_tm_scope("of the device (every queue)", &t, &t.dev, false);
	return 0;
}

static int cmd_stat(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "device", required_argument, NULL, 'D' },
		{ "sysfs", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = NULL;
	bool sysfs_only = false;
	struct awd_ctx *ctx;
	struct awd_caps caps;
	struct awd_stats st;
	int c, ret, ndev, fmt;

	while ((c = getopt_long(argc, argv, "D:sh", lopts, NULL)) != -1) {
		switch (c) {
		case 'D':
			dev = optarg;
			break;
		case 's':
			sysfs_only = true;
			break;
		case 'h':
			printf("usage: awd stat [-D device] [-s]\n"
			       "  Show each accel-wd device (driver sysfs), then open a\n"
			       "  queue and show what the library sees of it, and the\n"
			       "  device's telemetry of that queue and of the device.\n"
			       "  -s  sysfs only, do not open a queue\n");
			return EXIT_OK;
		default:
			return EXIT_ERR;
		}
	}
	ndev = stat_sysfs();
	if (sysfs_only)
		return ndev ? EXIT_OK : EXIT_ERR;
	ret = awd_tool_open(&ctx, dev, 0);
	if (ret)
		return EXIT_ERR;
	awd_ctx_caps(ctx, &caps);
	fmt = awd_ctx_format(ctx, NULL, NULL);
	printf("queue %u of %s (library %s)\n", caps.queue, caps.dev,
	       awd_version());
	printf("  %-14s %u.%u\n", "hw_version", caps.hw_version >> 16,
	       caps.hw_version & 0xffff);
	printf("  %-14s", "caps");
	print_caps_bits(caps.hw_caps);
	printf("\n  %-14s %s\n", "mode",
	       caps.mode == AWD_CTX_MODE_SVA ? "sva" : "nosva");
	if (caps.mode == AWD_CTX_MODE_SVA)
		printf("  %-14s %u\n", "pasid", caps.pasid);
	printf("  %-14s %s\n", "completion", caps.irq ? "interrupt" : "polled");
	print_format(ctx);
	printf("  %-14s %u entries, %u in flight max\n",
	       fmt == AWD_FORMAT_CREC ? "portal" : "ring",
	       caps.ring_entries, caps.max_inflight);
	printf("  %-14s %u bytes\n", "max_xfer", caps.max_xfer);
	printf("  %-14s %u\n", "rsa_max_bits", caps.rsa_max_bits);
	printf("  %-14s %u bytes\n", "stream_ctx", caps.stream_ctx_size);
	printf("  %-14s %u\n", "num_queues", caps.num_queues);
	ret = awd_ctx_stats(ctx, &st);
	if (ret) {
		awd_msg("queue statistics: %s", awd_strerror(ret));
	} else {
		static const char *const qs[] = { "idle", "running", "error",
						  "dead" };

		printf("  %-14s %s", "state", st.queue_state < 4 ?
		       qs[st.queue_state] : "unknown");
		if (st.queue_state == 2)
			printf(" (hw error %u)", st.hw_error);
		printf("\n  %-14s irqs %llu, hw errors %llu, starts %llu, pinned pages %llu\n",
		       "driver", (unsigned long long)st.irqs,
		       (unsigned long long)st.hw_errors,
		       (unsigned long long)st.starts,
		       (unsigned long long)st.pinned_pages);
	}
	if (!ret)
		ret = stat_telemetry(ctx);
	awd_ctx_close(&ctx);
	return ret ? EXIT_ERR : EXIT_OK;
}

/* ---- main --------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: awd <command> [options] [files]\n"
		"commands:\n"
		"  zip [-1..-9] [-cdfklnNqrtv] [-S suf] [-F raw|zlib|gzip] [files]\n"
		"                 compress (gzip format by default) on the device\n"
		"  unzip [-cfklnNqrtv] [-S suf] [files]\n"
		"                 decompress (same as zip -d)\n"
		"  rsa ...        RSA with keys in PEM files or hex (awd rsa -h)\n"
		"  stat [-s]      devices, queue capabilities and counters\n"
		"  bench [-t SEC] [-q DEPTH] [-f FILE] [-m] [-p]\n"
		"                 device against zlib/GMP: throughput, ratios\n"
		"  version        library version\n"
		"Every command takes -D <device> (default: $AWD_DEVICE, else the\n"
		"first /dev/accel_wdN with a free queue) and -h. With AWD_WAIT=1 in\n"
		"the environment a command waits for a queue (first come, first\n"
		"served) instead of failing while every queue is taken.\n"
		"Exit status: 0 success, 1 error, 2 warning.\n");
}

int main(int argc, char **argv)
{
	static char prog[32];
	const char *cmd;

	if (argc < 2) {
		usage(stderr);
		return EXIT_ERR;
	}
	cmd = argv[1];
	snprintf(prog, sizeof(prog), "awd %s", cmd);
	awd_prog = prog;
	argv++;
	argc--;
	if (!strcmp(cmd, "zip") || !strcmp(cmd, "gzip"))
		return cmd_zip(argc, argv, false);
	if (!strcmp(cmd, "unzip") || !strcmp(cmd, "gunzip"))
		return cmd_zip(argc, argv, true);
	if (!strcmp(cmd, "rsa"))
		return cmd_rsa(argc, argv);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc, argv);
	if (!strcmp(cmd, "bench"))
		return cmd_bench(argc, argv);
	if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
		printf("awd (libaccelwd) %s\n", awd_version());
		return EXIT_OK;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") ||
	    !strcmp(cmd, "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	awd_prog = "awd";
	awd_msg("unknown command '%s' (awd -h lists them)", cmd);
	return EXIT_ERR;
}

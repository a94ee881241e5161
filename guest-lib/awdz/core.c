// SPDX-License-Identifier: MIT
/*
 * libawdz: loading the system zlib, configuration, counters, and the
 * device context of each thread.
 */
#include "awdz.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct awdz_real awdz_real;
struct awdz_conf awdz_conf;
__thread int awdz_in_real;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static size_t env_size(const char *name, size_t def)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || end == v)
		return def;
	if (*end == 'k' || *end == 'K')
		n <<= 10;
	else if (*end == 'm' || *end == 'M')
		n <<= 20;
	return (size_t)n;
}

static bool env_bool(const char *name)
{
	const char *v = getenv(name);

	return v && *v && strcmp(v, "0");
}

static void load_zlib(void)
{
	const char *path = getenv("AWDZ_LIBZ");
	void *h;

	if (!path || !*path)
		path = "libz.so.1";
	/*
	 * DEEPBIND: a libz.so.1 loaded here first binds its own calls to
	 * itself; when the program had loaded it already, awdz_in_real
	 * sends its calls back to it.
	 */
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
	if (!h) {
		fprintf(stderr, "libawdz: cannot load the system zlib: %s\n",
			dlerror());
		abort();
	}
#define AWDZ_SYM(name)							\
	awdz_real.name = (__typeof__(name) *)dlsym(h, #name);		\
	if (!awdz_real.name || awdz_real.name == &name) {		\
		fprintf(stderr, "libawdz: %s has no usable %s\n",	\
			path, #name);					\
		abort();						\
	}
#include "awdz-syms.h"
#undef AWDZ_SYM
}

static void atfork_child(void);

static void init(void)
{
	load_zlib();
	pthread_atfork(awdz_stream_lock, awdz_stream_unlock, atfork_child);
	awdz_conf.disable = env_bool("AWDZ_DISABLE");
	awdz_conf.stats = env_bool("AWDZ_STATS");
	awdz_conf.debug = env_bool("AWDZ_DEBUG");
	awdz_conf.min_deflate = env_size("AWDZ_MIN_DEFLATE", 4096);
	awdz_conf.min_inflate = env_size("AWDZ_MIN_INFLATE", 1024);
	awdz_conf.max_buf = env_size("AWDZ_MAX_BUF", 0);
	awdz_conf.timeout_ms = (int)env_size("AWDZ_TIMEOUT_MS", 10000);
	if (awdz_conf.timeout_ms <= 0)
		awdz_conf.timeout_ms = -1;
}

void awdz_init(void)
{
	pthread_once(&init_once, init);
}

/* ---- counters ---- */

static const char *const op_name[AWDZ_OP_NR] = {
	[AWDZ_OP_DEFLATE] = "deflate",
	[AWDZ_OP_INFLATE] = "inflate",
	[AWDZ_OP_COMPRESS] = "compress",
	[AWDZ_OP_UNCOMPRESS] = "uncompress",
};

static const char *const ctr_name[AWDZ_C_NR] = {
	[AWDZ_C_HW] = "hw",
	[AWDZ_C_SW] = "sw",
	[AWDZ_C_HW_IN] = "hw_bytes_in",
	[AWDZ_C_HW_OUT] = "hw_bytes_out",
};

static const char *const reason_name[AWDZ_FB_NR] = {
	[AWDZ_FB_DISABLED] = "disabled",
	[AWDZ_FB_NO_DEVICE] = "no_device",
	[AWDZ_FB_BUSY] = "busy",
	[AWDZ_FB_DEVICE_ERROR] = "device_error",
	[AWDZ_FB_TIMEOUT] = "timeout",
	[AWDZ_FB_SMALL] = "small",
	[AWDZ_FB_LARGE] = "large",
	[AWDZ_FB_PARAM] = "param",
	[AWDZ_FB_FLUSH] = "flush",
	[AWDZ_FB_DICT] = "dictionary",
	[AWDZ_FB_PARAMS] = "params_midstream",
	[AWDZ_FB_HEADER] = "gzip_header",
	[AWDZ_FB_API] = "api",
	[AWDZ_FB_ROOM] = "room",
	[AWDZ_FB_INPUT] = "input",
};

/* bumped in a fork()ed child: contexts of the parent are not ours */
static unsigned int fork_gen;
static uint64_t ctr[AWDZ_OP_NR][AWDZ_C_NR];
static uint64_t fb[AWDZ_OP_NR][AWDZ_FB_NR];

void awdz_count(enum awdz_op op, enum awdz_ctr c, uint64_t n)
{
	__atomic_add_fetch(&ctr[op][c], n, __ATOMIC_RELAXED);
}

void awdz_fallback(enum awdz_op op, enum awdz_reason why)
{
	if (awdz_conf.debug)
		fprintf(stderr, "libawdz: %s in software: %s\n", op_name[op],
			reason_name[why]);
	__atomic_add_fetch(&ctr[op][AWDZ_C_SW], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&fb[op][why], 1, __ATOMIC_RELAXED);
}

/*
 * The counters, for tests (exported by libawdz-mock.so only; libawdz.so's
 * version script keeps awd* local). @reason < 0: counter @c, else the
 * fallback count of @reason.
 */
AWDZ_EXPORT uint64_t awdz_counter(int op, int c, int reason);

AWDZ_EXPORT uint64_t awdz_counter(int op, int c, int reason)
{
	if (op < 0 || op >= AWDZ_OP_NR)
		return 0;
	if (reason >= 0)
		return reason < AWDZ_FB_NR ?
		       __atomic_load_n(&fb[op][reason], __ATOMIC_RELAXED) : 0;
	return c >= 0 && c < AWDZ_C_NR ?
	       __atomic_load_n(&ctr[op][c], __ATOMIC_RELAXED) : 0;
}

/*
 * In a fork()ed child: its counters start at 0 (each process prints its
 * own), the parent's contexts are not its own, the table lock is free.
 */
static void atfork_child(void)
{
	memset(ctr, 0, sizeof(ctr));
	memset(fb, 0, sizeof(fb));
	__atomic_add_fetch(&fork_gen, 1, __ATOMIC_RELAXED);
	awdz_stream_unlock();
}

/*
 * AWDZ_STATS=1: one "awdz: NAME=VALUE" line per counter on stderr at exit
 * (fallback reasons only when non-zero).
 */
static void print_stats(void)
{
	char buf[4096];
	size_t n = 0;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "awdz: pid=%d\n",
			      (int)getpid());
	for (int op = 0; op < AWDZ_OP_NR; op++) {
		for (int c = 0; c < AWDZ_C_NR; c++)
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
					      "awdz: %s.%s=%llu\n", op_name[op],
					      ctr_name[c],
					      (unsigned long long)ctr[op][c]);
		for (int r = 0; r < AWDZ_FB_NR; r++)
			if (fb[op][r])
				n += (size_t)snprintf(buf + n, sizeof(buf) - n,
						      "awdz: %s.fallback.%s=%llu\n",
						      op_name[op], reason_name[r],
						      (unsigned long long)fb[op][r]);
	}
	/* one write: lines of concurrent processes do not interleave */
	if (write(STDERR_FILENO, buf, n < sizeof(buf) ? n : sizeof(buf) - 1) < 0)
		return;
}

__attribute__((destructor)) static void awdz_fini(void)
{
	if (awdz_conf.stats)
		print_stats();
}

/* ---- the device context of each thread ---- */

static pthread_key_t ctx_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
/* the device is absent or refused us: do not try again */
static int hw_gone;

static __thread struct awd_ctx *tctx;
static __thread struct awd_caps tcaps;
static __thread unsigned int tctx_gen;
/* after a timeout or a queue that would not restart: when to try again */
static __thread struct timespec tctx_retry;

static void ctx_destroy(void *p)
{
	struct awd_ctx *ctx = p;

	awd_ctx_close(&ctx);
	tctx = NULL;
}

static void key_init(void)
{
	pthread_key_create(&ctx_key, ctx_destroy);
}

static void ctx_drop(void)
{
	if (tctx) {
		awd_ctx_close(&tctx);
		pthread_setspecific(ctx_key, NULL);
	}
}

static void backoff(void)
{
	clock_gettime(CLOCK_MONOTONIC, &tctx_retry);
	tctx_retry.tv_sec += 1;
}

struct awd_ctx *awdz_hw_ctx(struct awd_caps *caps, enum awdz_reason *why)
{
	struct timespec now;
	int ret;

	if (awdz_conf.disable) {
		*why = AWDZ_FB_DISABLED;
		return NULL;
	}
	if (__atomic_load_n(&hw_gone, __ATOMIC_RELAXED)) {
		*why = AWDZ_FB_NO_DEVICE;
		return NULL;
	}
	pthread_once(&key_once, key_init);
	if (tctx && tctx_gen != __atomic_load_n(&fork_gen, __ATOMIC_RELAXED))
		ctx_drop();     /* the child's copy of the parent's queue */
	if (!tctx) {
		if (tctx_retry.tv_sec) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec < tctx_retry.tv_sec ||
			    (now.tv_sec == tctx_retry.tv_sec &&
			     now.tv_nsec < tctx_retry.tv_nsec)) {
				*why = AWDZ_FB_DEVICE_ERROR;
				return NULL;
			}
			tctx_retry.tv_sec = 0;
		}
		ret = awd_ctx_open(&tctx, NULL, 0);
		if (ret == -EBUSY || ret == -EAGAIN || ret == -ENOMEM) {
			*why = AWDZ_FB_BUSY;
			return NULL;
		}
		if (ret) {
			__atomic_store_n(&hw_gone, 1, __ATOMIC_RELAXED);
			*why = AWDZ_FB_NO_DEVICE;
			return NULL;
		}
		if (awd_ctx_caps(tctx, &tcaps) || !tcaps.max_xfer) {
			ctx_drop();
			__atomic_store_n(&hw_gone, 1, __ATOMIC_RELAXED);
			*why = AWDZ_FB_NO_DEVICE;
			return NULL;
		}
		tctx_gen = __atomic_load_n(&fork_gen, __ATOMIC_RELAXED);
		pthread_setspecific(ctx_key, tctx);
	}
	if (caps)
		*caps = tcaps;
	return tctx;
}

/*
 * After a failed request: make the queue usable again, or give it up.
 * A reset hands back what was in flight (our request, cancelled) at the
 * next poll: reap it now, while the request is still ours.
 */
static void recover(int err)
{
	struct awd_req *done;

	switch (err) {
	case -EIO:
	case -ECANCELED:
		if (awd_ctx_reset(tctx)) {
			ctx_drop();
			backoff();
			return;
		}
		while (awd_poll(tctx, &done, 1) > 0)
			;
		return;
	case -ENODEV:
		ctx_drop();
		__atomic_store_n(&hw_gone, 1, __ATOMIC_RELAXED);
		return;
	case -EPERM:            /* a context from before fork() */
		ctx_drop();
		return;
	default:
		return;
	}
}

static int hw_run(struct awd_req *req, enum awdz_reason *why)
{
	struct awd_req *done;
	int ret;

	if (!awdz_hw_ctx(NULL, why))
		return -ENODEV;
	ret = awd_submit(tctx, req);
	if (ret == -EAGAIN) {
		*why = AWDZ_FB_BUSY;
		return ret;
	}
	if (ret) {
		*why = AWDZ_FB_DEVICE_ERROR;
		recover(ret);
		return ret;
	}
	/* only this request is in flight on the context */
	ret = awd_wait(tctx, &done, 1, awdz_conf.timeout_ms);
	while (ret == -EINTR)
		ret = awd_wait(tctx, &done, 1, awdz_conf.timeout_ms);
	if (ret == 0) {
		/* the queue got stuck: take the request back, rest a while */
		*why = AWDZ_FB_TIMEOUT;
		if (awd_ctx_reset(tctx) == 0)
			awd_wait(tctx, &done, 1, 0);
		ctx_drop();
		backoff();
		return -ETIMEDOUT;
	}
	if (ret < 0) {
		*why = AWDZ_FB_DEVICE_ERROR;
		recover(ret);
		return ret;
	}
	ret = req->result;
	if (ret == -ENOBUFS || ret == -EMSGSIZE)
		*why = AWDZ_FB_LARGE;
	else if (ret == -EBADMSG)
		*why = AWDZ_FB_INPUT;
	else if (ret)
		*why = AWDZ_FB_DEVICE_ERROR;
	if (ret)
		recover(ret);
	return ret;
}

int awdz_hw_run(struct awd_req *req, enum awdz_reason *why)
{
	int ret = hw_run(req, why);

	if (ret && awdz_conf.debug)
		fprintf(stderr, "libawdz: %s of %zu bytes into %zu: %s (%s)\n",
			req->op == AWD_REQ_COMPRESS ? "compress" : "decompress",
			req->src_len, req->dst_len, awd_strerror(ret),
			reason_name[*why]);
	return ret;
}

size_t awdz_deflate_window(const struct awd_caps *caps, enum awd_format fmt)
{
	size_t n = caps->max_xfer;

	while (n && awd_compress_bound(fmt, n) > caps->max_xfer)
		n -= (awd_compress_bound(fmt, n) - caps->max_xfer + 1) / 2 + 1;
	if (awdz_conf.max_buf && awdz_conf.max_buf < n)
		n = awdz_conf.max_buf;
	return n;
}

int awdz_drain(z_streamp strm, struct awdz_stream *s)
{
	size_t n = s->out_len - s->out_pos;

	if (n > strm->avail_out)
		n = strm->avail_out;
	memcpy(strm->next_out, s->out + s->out_pos, n);
	awdz_advance_out(strm, n);
	s->out_pos += n;
	if (s->out_pos < s->out_len)
		return n ? Z_OK : Z_BUF_ERROR;
	s->mode = AWDZ_DONE;
	return Z_STREAM_END;
}

/* SPDX-License-Identifier: MIT */
/*
 * libawdz internals: the real zlib behind the shim, the re-entry guard,
 * counters and the device context of each thread.
 *
 * Every file of libawdz includes this first: it switches off the 64-bit
 * name aliases of <zlib.h> (gzopen -> gzopen64 ...) so that each ABI
 * symbol is defined under its own name.
 */
#ifndef AWDZ_H
#define AWDZ_H

#undef _FILE_OFFSET_BITS
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include <accelwd.h>

#define AWDZ_EXPORT __attribute__((visibility("default")))

/* The system zlib's entry points, resolved with dlsym() at first use. */
struct awdz_real {
#define AWDZ_SYM(name) __typeof__(name) *name;
#include "awdz-syms.h"
#undef AWDZ_SYM
};
extern struct awdz_real awdz_real;

/*
 * Non-zero while this thread is inside the real zlib. zlib calls its own
 * exported functions through its PLT (deflateInit_ -> deflateInit2_,
 * compress2 -> deflate, gzwrite -> deflate ...); when libz.so.1 was
 * loaded before us those calls land here, and must go straight back.
 */
extern __thread int awdz_in_real;

void awdz_init(void);

/* Call the real zlib function @fn with the guard held. */
#define REAL(fn, ...) ({						\
	__typeof__(awdz_real.fn(__VA_ARGS__)) __r;			\
	awdz_in_real++;							\
	__r = awdz_real.fn(__VA_ARGS__);				\
	awdz_in_real--;							\
	__r;								\
})

/* ---- counters ---- */

enum awdz_op {
	AWDZ_OP_DEFLATE,
	AWDZ_OP_INFLATE,
	AWDZ_OP_COMPRESS,
	AWDZ_OP_UNCOMPRESS,
	AWDZ_OP_NR
};

/* Why work went to the software zlib (one count per stream or call). */
enum awdz_reason {
	AWDZ_FB_DISABLED,       /* AWDZ_DISABLE set */
	AWDZ_FB_NO_DEVICE,      /* no device, or no permission */
	AWDZ_FB_BUSY,           /* every queue in use */
	AWDZ_FB_DEVICE_ERROR,   /* the device failed the request */
	AWDZ_FB_TIMEOUT,        /* no completion within AWDZ_TIMEOUT_MS */
	AWDZ_FB_SMALL,          /* input under the threshold */
	AWDZ_FB_LARGE,          /* input or output over the window */
	AWDZ_FB_PARAM,          /* windowBits, memLevel, strategy, level */
	AWDZ_FB_FLUSH,          /* a flush other than Z_FINISH */
	AWDZ_FB_DICT,           /* preset dictionary */
	AWDZ_FB_PARAMS,         /* deflateParams() after data */
	AWDZ_FB_HEADER,         /* deflateSetHeader()/inflateGetHeader() */
	AWDZ_FB_API,            /* another call that needs zlib's state */
	AWDZ_FB_ROOM,           /* output room the device result did not fit */
	AWDZ_FB_INPUT,          /* inflate: input not one complete stream */
	AWDZ_FB_NR
};

enum awdz_ctr {
	AWDZ_C_HW,              /* done on the device */
	AWDZ_C_SW,              /* done by zlib (sum of the reasons) */
	AWDZ_C_HW_IN,           /* device bytes in */
	AWDZ_C_HW_OUT,          /* device bytes out */
	AWDZ_C_NR
};

void awdz_count(enum awdz_op op, enum awdz_ctr c, uint64_t n);
void awdz_fallback(enum awdz_op op, enum awdz_reason why);

/* ---- configuration (environment, read once) ---- */

struct awdz_conf {
	bool disable;           /* AWDZ_DISABLE */
	bool stats;             /* AWDZ_STATS */
	bool debug;             /* AWDZ_DEBUG: say why a request failed */
	size_t min_deflate;     /* AWDZ_MIN_DEFLATE */
	size_t min_inflate;     /* AWDZ_MIN_INFLATE */
	size_t max_buf;         /* AWDZ_MAX_BUF, 0: the device's max_xfer */
	int timeout_ms;         /* AWDZ_TIMEOUT_MS */
};
extern struct awdz_conf awdz_conf;

/* ---- the device ---- */

/*
 * Run one request on this thread's context. Returns 0, or a negative
 * errno and sets *@why to the fallback reason.
 */
int awdz_hw_run(struct awd_req *req, enum awdz_reason *why);

/*
 * This thread's context (opened on first use), or NULL with *@why set.
 * @caps, if not NULL, receives its capabilities.
 */
struct awd_ctx *awdz_hw_ctx(struct awd_caps *caps, enum awdz_reason *why);

/* ---- streams the shim knows (z_stream -> state) ---- */

enum awdz_mode {
	AWDZ_COLLECT,           /* deflate: input buffered, nothing out yet */
	AWDZ_FRESH = AWDZ_COLLECT,  /* inflate: nothing seen yet */
	AWDZ_DRAIN,             /* the device's result is being copied out */
	AWDZ_DONE,              /* all of it was copied out: stream end */
	AWDZ_SW,                /* zlib does the stream (after fallback) */
};

struct awdz_stream {
	z_streamp strm;
	struct awdz_stream *next;       /* hash chain */
	enum awdz_mode mode;
	bool inflate;
	bool called;            /* deflate: called since init or reset */
	int level, wbits, memlevel, strategy;
	/* deflate: buffered input; in SW mode in_pos..in_len still due */
	uint8_t *in;
	size_t in_len, in_pos, in_cap;
	/* device output not yet copied to the caller */
	uint8_t *out;
	size_t out_len, out_pos, out_cap;
};

struct awdz_stream *awdz_stream_new(z_streamp strm, bool inflate);
struct awdz_stream *awdz_stream_get(z_streamp strm);
void awdz_stream_free(z_streamp strm);
void awdz_stream_lock(void);
void awdz_stream_unlock(void);
/* a copy for deflateCopy()/inflateCopy(); 0 or -1 */
int awdz_stream_copy(z_streamp dest, z_streamp source);

/*
 * Largest input one device deflate request takes in @format: its
 * worst-case output must fit max_xfer; AWDZ_MAX_BUF can lower it.
 */
size_t awdz_deflate_window(const struct awd_caps *caps, enum awd_format fmt);

/* z_stream counters are uLong: 64-bit here */
static inline void awdz_advance_in(z_streamp strm, size_t n)
{
	strm->next_in += n;
	strm->avail_in -= (uInt)n;
	strm->total_in += n;
}

static inline void awdz_advance_out(z_streamp strm, size_t n)
{
	strm->next_out += n;
	strm->avail_out -= (uInt)n;
	strm->total_out += n;
}

/* Copy pending device output to the caller; Z_STREAM_END when all out. */
int awdz_drain(z_streamp strm, struct awdz_stream *s);

#endif /* AWDZ_H */

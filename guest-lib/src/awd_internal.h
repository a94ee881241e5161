/* SPDX-License-Identifier: MIT */
/*
 * libaccelwd internals shared by the source files; not installed.
 */
#ifndef AWD_INTERNAL_H
#define AWD_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "accelwd.h"
#include "accel_wd_uapi.h"

#define AWD_EXPORT __attribute__((visibility("default")))

/* Public enum values are the device's: keep them in step. */
_Static_assert(AWD_FORMAT_RAW == AWD_FMT_RAW, "fmt raw");
_Static_assert(AWD_FORMAT_ZLIB == AWD_FMT_ZLIB, "fmt zlib");
_Static_assert(AWD_FORMAT_GZIP == AWD_FMT_GZIP, "fmt gzip");
_Static_assert(AWD_RSA_FORM_PUBLIC == AWD_RSA_PUBLIC, "rsa public");
_Static_assert(AWD_RSA_FORM_PRIVATE == AWD_RSA_PRIVATE, "rsa private");
_Static_assert(AWD_RSA_FORM_CRT == AWD_RSA_CRT, "rsa crt");
_Static_assert(AWD_CTX_MODE_SVA == AWD_MODE_SVA, "mode sva");
_Static_assert(AWD_CTX_MODE_NOSVA == AWD_MODE_NOSVA, "mode nosva");

/* awd_req.priv[] use */
enum {
	PRIV_TAG = 0,          /* tag given to the device, 0 when idle */
	PRIV_NEXT = 1,         /* done-list link (struct awd_req *) */
	PRIV_BOUNCE_SRC = 2,   /* no-SVA: struct awd_block *, 0 if none */
	PRIV_BOUNCE_DST = 3,
	PRIV_STATE = 4,        /* REQ_* */
	PRIV_DESC_FLAGS = 5,   /* extra AWD_DF_* (stream) and ctx address */
};
#define REQ_IDLE        0
#define REQ_INFLIGHT    0x51f1u
#define REQ_DONE        0xd0e1u

struct awd_arena;
struct awd_block;
struct awd_fmt_ops;

struct awd_ctx {
	int fd;
	unsigned int flags;               /* AWD_OPEN_* */
	struct awd_info info;
	char dev[64];
	uint8_t *db;                      /* doorbell page */
	void *sq;                         /* SQ region: the format's */
	void *cq;                         /* CQ region: the format's */
	const struct awd_fmt_ops *fmt;    /* queue format adapter (fmt.h) */
	void *fmt_priv;                   /* its state */
	uint32_t entries, mask, max_inflight;
	uint32_t inflight;
	uint32_t gen;                     /* tag generation */
	struct awd_req **slots;           /* by tag slot */
	uint32_t *free_slots;             /* stack of free slot numbers */
	uint32_t nfree;
	struct awd_req *done_head, *done_tail;  /* reaped, not yet returned */
	uint8_t *fork_guard;              /* MADV_WIPEONFORK page: 0 in a child */
	pid_t owner;                      /* without MADV_WIPEONFORK (< 4.14) */
	bool broken;                      /* device returned garbage */
	bool irq;
	uint64_t last_cpl_ns;             /* last reap that found some, 0: idle */
	uint64_t cpl_gap_ns;              /* running mean interval per completion */
	unsigned int users;               /* streams + keys made on it */
	struct awd_arena *arena;          /* no-SVA bounce memory */
	struct awd_stats st;
};

/* ctx.c */
int awd__ctx_check(const struct awd_ctx *ctx);
bool awd__nosva(const struct awd_ctx *ctx);
/* submit with extra descriptor flags and a stream context address */
int awd__submit(struct awd_ctx *ctx, struct awd_req *req, uint32_t dflags,
		uint64_t ctx_addr);
int awd__run(struct awd_ctx *ctx, struct awd_req *req, uint32_t dflags,
	     uint64_t ctx_addr);

/*
 * nosva.c: registered bounce memory. -EAGAIN: none free until requests
 * complete (only returned while some are in flight).
 */
int awd__bounce_get(struct awd_ctx *ctx, size_t len, struct awd_block **bp);
void awd__bounce_put(struct awd_ctx *ctx, struct awd_block *b);
uint8_t *awd__block_ptr(const struct awd_block *b);
uint64_t awd__block_iova(const struct awd_block *b);
void awd__arena_free(struct awd_ctx *ctx);

/* rsa.c */
uint64_t awd__rsa_key_addr(const struct awd_rsa_key *key, unsigned int form);
const struct awd_ctx *awd__rsa_key_ctx(const struct awd_rsa_key *key);

/* gz.c: wrappers as the device writes them */
size_t awd__wrap_header(unsigned int fmt, unsigned int level, uint8_t *h);
size_t awd__wrap_trailer(unsigned int fmt, uint32_t sum, uint64_t total_in,
			 uint8_t *t);
/* sha.c */
void awd__sha1(const void *msg, size_t len, uint8_t out[20]);
void awd__sha256(const void *msg, size_t len, uint8_t out[32]);

#define AWD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Device-shared words: acquire loads and release stores, no volatile. */
static inline uint32_t awd__load_acquire32(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void awd__store_release32(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

#endif /* AWD_INTERNAL_H */

/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd engines: pure computation over scatter lists of host memory.
 * No QEMU types here: the engines are compiled on the host by tests/unit
 * with a shim qemu/osdep.h. They know nothing of rings or translation.
 */
#ifndef HW_ACCEL_WD_ENGINE_H
#define HW_ACCEL_WD_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct AwdSeg {
    uint8_t *base;
    size_t len;
} AwdSeg;

typedef struct AwdSgl {
    AwdSeg *seg;
    unsigned nseg;
    size_t total;               /* bytes in seg[] */
    /*
     * A destination mapped on demand (extend set): when a cursor reaches
     * the end of seg[] and total < limit, extend() maps more. It appends
     * to seg[], or lays seg[] out anew and bumps gen (cursors then find
     * their byte position again). false: no more, its owner knows why.
     */
    bool (*extend)(void *opaque);
    void *extend_opaque;
    size_t limit;
    uint32_t gen;
} AwdSgl;

/* Bytes a scatter list may hold, mapped or not */
static inline size_t awd_sgl_limit(const AwdSgl *sgl)
{
    return sgl->extend ? sgl->limit : sgl->total;
}

/* Polled between chunks of work; true means stop now (no result). */
typedef bool (*AwdAbortFn)(void *opaque);

typedef struct AwdEngineResult {
    uint32_t status;            /* enum awd_status */
    uint32_t consumed;
    uint32_t produced;
    uint32_t checksum;
    uint32_t flags;             /* AWD_CF_STREAM_END */
} AwdEngineResult;

/* ---- checksums (engine-csum.c) ---- */

/*
 * The check value of AWD_FMT_@fmt, as zlib's crc32() for gzip, else its
 * adler32(), computes it: for any length, chained the same way.
 */
uint32_t awd_csum_init(unsigned fmt);
uint32_t awd_csum(unsigned fmt, uint32_t sum, const uint8_t *p, size_t n);
/*
 * After ISA-L's AVX-512 code: it returns with the upper halves of the
 * vector registers dirty, and the legacy-SSE code of zlib's deflate then
 * runs ~25% slower on the same thread (tests/unit/bench-engine).
 */
void awd_simd_settle(void);

/* ---- deflate / inflate (engine-deflate.c) ---- */
typedef struct AwdDeflateEngine AwdDeflateEngine;

typedef struct AwdDeflateOp {
    bool compress;
    unsigned fmt;               /* AWD_FMT_* */
    unsigned level;             /* 1..9, compress only */
    unsigned wbits;             /* 9..15: 2^wbits window (compress); 0: 15 */
    bool stream;                /* ctx holds the stream state */
    bool stream_init;           /* start a new stream in ctx */
    bool final;                 /* last input of the stream */
    const AwdSgl *src;
    const AwdSgl *dst;
    uint8_t *ctx;               /* AWD_ENGINE_STREAM_CTX_SIZE bytes or NULL */
    AwdAbortFn abort;
    void *opaque;
} AwdDeflateOp;

/* Bytes of a stream context (history window plus a small header). */
#define AWD_ENGINE_STREAM_CTX_SIZE (32768 + 256)

AwdDeflateEngine *awd_deflate_engine_new(void);
void awd_deflate_engine_free(AwdDeflateEngine *e);
/*
 * Run one operation. Returns false if aborted (result undefined), else
 * fills @res. On success with a stream, @ctx was updated in place; on error
 * @ctx is unchanged so the descriptor can be retried.
 */
bool awd_deflate_run(AwdDeflateEngine *e, const AwdDeflateOp *op,
                     AwdEngineResult *res);
/* Worst-case compressed size of @len bytes in @fmt (single shot). */
size_t awd_deflate_bound(unsigned fmt, size_t len);
/*
 * The zlib or gzip (@fmt) header at the start of @src as zlib's inflate
 * checks it: its length, 0 if @src ends inside it, -1 if it is invalid.
 */
long awd_deflate_header_len(unsigned fmt, const AwdSgl *src);

/* ---- ISA-L (engine-isal.c) ---- */
typedef struct AwdIsal AwdIsal;

/* Was the device built with libisal? */
bool awd_isal_available(void);
AwdIsal *awd_isal_new(void);            /* NULL without libisal */
void awd_isal_free(AwdIsal *z);
/*
 * Single-shot compression at levels 1-3 (32 KiB window). Returns false if
 * aborted; else *done tells whether it ran the operation (and filled @res)
 * or left it to awd_deflate_run().
 */
bool awd_isal_compress(AwdIsal *z, const AwdDeflateOp *op,
                       AwdEngineResult *res, bool *done);
/*
 * Single-shot decompression (raw, zlib, gzip). Returns false if aborted;
 * else *done tells whether it completed the operation (@res filled,
 * AWD_STS_OK) or left it to awd_deflate_run(): streams, a gzip header
 * with FHCRC, and every input it did not decode cleanly (corrupt,
 * truncated, bad check value, destination too small), so that a failing
 * request gets zlib's status, consumed and produced. The destination may
 * hold output of the attempt.
 */
bool awd_isal_inflate(AwdIsal *z, const AwdDeflateOp *op,
                      AwdEngineResult *res, bool *done);
/* awd_isal_compress() or awd_isal_inflate(), as @op says */
bool awd_isal_run(AwdIsal *z, const AwdDeflateOp *op, AwdEngineResult *res,
                  bool *done);

/* ---- RSA (engine-rsa.c) ---- */
typedef struct AwdRsaOp {
    unsigned form;              /* AWD_RSA_PUBLIC, _PRIVATE, _CRT */
    size_t len;                 /* operand bytes (modulus size) */
    const uint8_t *in;          /* len bytes, big-endian */
    const uint8_t *key;         /* layout per form, see accel_wd_hw.h */
    uint8_t *out;               /* len bytes, big-endian */
} AwdRsaOp;

/* Key material bytes for @form and @len, or 0 if @len is invalid. */
size_t awd_rsa_key_len(unsigned form, size_t len);
/* Returns an enum awd_status. */
uint32_t awd_rsa_run(const AwdRsaOp *op);

#endif /* HW_ACCEL_WD_ENGINE_H */

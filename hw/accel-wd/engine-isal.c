/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd ISA-L engine: single-shot compression at levels 1-3 with
 * Intel's ISA-L igzip, selected by the isal=on property. It writes the
 * same formats (raw deflate, zlib, gzip; 32 KiB window) that any inflate
 * reads, not zlib's bytes. Streams, other levels and windows, and all
 * decompression stay with zlib (engine-deflate.c). Without libisal at
 * build time awd_isal_available() is false and the property is refused.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#include "accel_wd_hw.h"
#include "engine.h"
#include "engine-sgl.h"

#ifdef CONFIG_AWD_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>

struct AwdIsal {
    struct isal_zstream zs;
    uint8_t *level_buf;
    size_t level_buf_size;
};

bool awd_isal_available(void)
{
    return true;
}

AwdIsal *awd_isal_new(void)
{
    return calloc(1, sizeof(AwdIsal));
}

void awd_isal_free(AwdIsal *z)
{
    if (z) {
        free(z->level_buf);
        free(z);
    }
}

static size_t level_buf_size(unsigned level)
{
    return level == 1 ? ISAL_DEF_LVL1_DEFAULT :
           level == 2 ? ISAL_DEF_LVL2_DEFAULT : ISAL_DEF_LVL3_DEFAULT;
}

bool awd_isal_compress(AwdIsal *z, const AwdDeflateOp *op,
                       AwdEngineResult *res, bool *done)
{
    struct isal_zstream *zs = &z->zs;
    size_t src_len = op->src->total, fed = 0, need, given = 0;
    SgCur in, out;
    uint32_t sum;

    *done = false;
    if (!op->compress || op->stream || op->level < 1 || op->level > 3 ||
        (op->wbits && op->wbits != 15) || op->fmt > AWD_FMT_GZIP) {
        return true;                /* not ours: zlib does it */
    }
    need = level_buf_size(op->level);
    if (z->level_buf_size < need) {
        uint8_t *b = realloc(z->level_buf, need);

        if (!b) {
            return true;            /* zlib then */
        }
        z->level_buf = b;
        z->level_buf_size = need;
    }
    memset(res, 0, sizeof(*res));
    /* init alone leaves state of the last stream that corrupts the next */
    memset(zs, 0, sizeof(*zs));
    isal_deflate_init(zs);
    zs->level = op->level;
    zs->level_buf = z->level_buf;
    zs->level_buf_size = need;
    zs->gzip_flag = op->fmt == AWD_FMT_GZIP ? IGZIP_GZIP :
                    op->fmt == AWD_FMT_ZLIB ? IGZIP_ZLIB : IGZIP_DEFLATE;
    zs->flush = NO_FLUSH;
    sum = awd_csum_init(op->fmt);
    cur_init(&in, op->src);
    cur_init(&out, op->dst);

    for (;;) {
        uint32_t out_before, in_before;
        int ret;

        if (op->abort && op->abort(op->opaque)) {
            return false;
        }
        /* next input segment once the last one is used up */
        if (!zs->avail_in && fed < src_len) {
            uint8_t *p;
            size_t k = MIN(MIN(cur_span(&in, &p), src_len - fed), UINT32_MAX);

            if (!k) {
                break;              /* cannot happen: the source is mapped */
            }
            zs->next_in = p;
            zs->avail_in = k;
            sum = awd_csum(op->fmt, sum, p, k);
            cur_advance(&in, k);
            fed += k;
        }
        zs->end_of_stream = fed == src_len;
        if (!zs->avail_out) {
            uint8_t *p;

            /* the last span is used up: step over it, then the next */
            cur_advance(&out, given);
            given = MIN(cur_span(&out, &p), UINT32_MAX);
            if (!given) {
                break;              /* destination full */
            }
            zs->next_out = p;
            zs->avail_out = given;
        }
        out_before = zs->avail_out;
        in_before = zs->avail_in;
        ret = isal_deflate(zs);
        awd_simd_settle();
        if (ret != COMP_OK) {
            res->status = AWD_STS_INVALID_PARAM;
            *done = true;
            return true;
        }
        if (zs->internal_state.state == ZSTATE_END) {
            res->status = AWD_STS_OK;
            res->consumed = src_len;
            res->produced = zs->total_out;
            res->checksum = sum;
            res->flags |= AWD_CF_STREAM_END;
            *done = true;
            return true;
        }
        if (zs->avail_out == out_before && zs->avail_in == in_before &&
            zs->avail_out) {
            /* neither input used nor output made with room: a bug */
            res->status = AWD_STS_INVALID_PARAM;
            *done = true;
            return true;
        }
    }
    res->status = AWD_STS_DST_TOO_SMALL;
    res->consumed = 0;
    res->produced = MIN(awd_deflate_bound(op->fmt, src_len), UINT32_MAX);
    *done = true;
    return true;
}

#else

bool awd_isal_available(void)
{
    return false;
}

AwdIsal *awd_isal_new(void)
{
    return NULL;
}

void awd_isal_free(AwdIsal *z)
{
}

bool awd_isal_compress(AwdIsal *z, const AwdDeflateOp *op,
                       AwdEngineResult *res, bool *done)
{
    *done = false;
    return true;
}

#endif

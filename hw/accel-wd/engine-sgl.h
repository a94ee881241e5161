/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd engines: a cursor over a scatter list. It keeps its byte
 * position, so a list laid out anew under it (gen bumped) is found again,
 * and it asks a list mapped on demand for more when it reaches the end.
 */
#ifndef HW_ACCEL_WD_ENGINE_SGL_H
#define HW_ACCEL_WD_ENGINE_SGL_H

#include "engine.h"

typedef struct SgCur {
    const AwdSgl *sgl;
    unsigned idx;
    size_t off;
    size_t pos;                 /* bytes before the cursor */
    uint32_t gen;
} SgCur;

static inline void cur_init(SgCur *c, const AwdSgl *sgl)
{
    c->sgl = sgl;
    c->idx = 0;
    c->off = 0;
    c->pos = 0;
    c->gen = sgl->gen;
}

/* Find segment and offset of c->pos again in a list laid out anew */
static inline void cur_seek(SgCur *c)
{
    size_t left = c->pos;

    c->idx = 0;
    while (c->idx < c->sgl->nseg && left >= c->sgl->seg[c->idx].len) {
        left -= c->sgl->seg[c->idx].len;
        c->idx++;
    }
    c->off = left;
    c->gen = c->sgl->gen;
}

/* Map more of an on-demand list; false if nothing came of it */
static inline bool cur_extend(const AwdSgl *s)
{
    size_t before = s->total;

    return s->extend(s->extend_opaque) && s->total > before;
}

/* Contiguous bytes at the cursor (0 at the end). */
static inline size_t cur_span(SgCur *c, uint8_t **p)
{
    const AwdSgl *s = c->sgl;

    for (;;) {
        if (c->gen != s->gen) {
            cur_seek(c);
        }
        while (c->idx < s->nseg && c->off >= s->seg[c->idx].len) {
            c->idx++;
            c->off = 0;
        }
        if (c->idx < s->nseg) {
            *p = s->seg[c->idx].base + c->off;
            return s->seg[c->idx].len - c->off;
        }
        if (!s->extend || s->total >= s->limit || !cur_extend(s)) {
            *p = NULL;
            return 0;
        }
    }
}

static inline void cur_advance(SgCur *c, size_t n)
{
    uint8_t *p;

    while (n) {
        size_t span = cur_span(c, &p);
        size_t k = MIN(span, n);

        if (!span) {
            return;
        }
        c->off += k;
        c->pos += k;
        n -= k;
    }
}

static inline size_t cur_write(SgCur *c, const uint8_t *buf, size_t n)
{
    size_t done = 0;
    uint8_t *p;

    while (done < n) {
        size_t k = MIN(cur_span(c, &p), n - done);

        if (!k) {
            break;
        }
        memcpy(p, buf + done, k);
        cur_advance(c, k);
        done += k;
    }
    return done;
}

static inline size_t cur_read(SgCur *c, uint8_t *buf, size_t n)
{
    size_t done = 0;
    uint8_t *p;

    while (done < n) {
        size_t k = MIN(cur_span(c, &p), n - done);

        if (!k) {
            break;
        }
        memcpy(buf + done, p, k);
        cur_advance(c, k);
        done += k;
    }
    return done;
}

#endif /* HW_ACCEL_WD_ENGINE_SGL_H */

/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host unit tests of the accel-wd engines: a destination scatter list
 * mapped on demand, as the device maps a process's output buffer.
 */
#ifndef AWD_UNIT_LAZY_SGL_H
#define AWD_UNIT_LAZY_SGL_H

#include "engine.h"

/*
 * A destination mapped on demand: @window bytes at a time, in pages of
 * 4093 bytes; every third extension lays all segments out anew (other
 * page sizes, gen bumped); nothing beyond @stop bytes.
 */
typedef struct Lazy {
    AwdSgl sgl;
    uint8_t *buf;
    size_t window, stop;
    unsigned calls;
    AwdSeg segs[4096];
} Lazy;

static inline void lazy_layout(Lazy *l, size_t len, size_t page)
{
    l->sgl.nseg = 0;
    for (size_t off = 0; off < len; off += page) {
        l->segs[l->sgl.nseg++] = (AwdSeg) { l->buf + off,
                                            MIN(page, len - off) };
    }
    l->sgl.total = len;
}

static inline bool lazy_extend(void *opaque)
{
    Lazy *l = opaque;
    size_t len = MIN(l->sgl.total + l->window, l->sgl.limit);

    if (len > l->stop) {
        return false;
    }
    if (++l->calls % 3 == 0) {
        lazy_layout(l, len, 1000 + l->calls);
        l->sgl.gen++;
    } else {
        size_t off = l->sgl.total;

        while (off < len) {
            size_t k = MIN(4093, len - off);

            l->segs[l->sgl.nseg++] = (AwdSeg) { l->buf + off, k };
            off += k;
        }
        l->sgl.total = len;
    }
    return true;
}

/* @limit bytes of @buf, 8 KiB mapped at first, @window per extension */
static inline void lazy_init(Lazy *l, uint8_t *buf, size_t limit,
                             size_t window, size_t stop)
{
    memset(l, 0, sizeof(*l));
    l->buf = buf;
    l->window = window;
    l->stop = stop;
    l->sgl.seg = l->segs;
    l->sgl.extend = lazy_extend;
    l->sgl.extend_opaque = l;
    l->sgl.limit = limit;
    lazy_layout(l, 8192, 4093);
}

#endif

/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd engines: the CRC-32 and Adler-32 the formats carry. Hardware
 * computes them beside the data path; here ISA-L's vectorised versions
 * (PCLMULQDQ folding, AVX2) stand in for that when the device is built with
 * libisal: zlib's own run at 4-6 GB/s, 10-20% of its inflate time. The
 * values are the same either way.
 */
#include "qemu/osdep.h"
#include <zlib.h>
#ifdef CONFIG_AWD_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif
#include "accel_wd_hw.h"
#include "engine.h"

void awd_simd_settle(void)
{
#ifdef HOST_X86_64
    if (__builtin_cpu_supports("avx")) {
        asm volatile("vzeroupper" : : : "memory");
    }
#endif
}

#ifndef CONFIG_AWD_ISAL
/* zlib's sums take a 32-bit length */
static uint32_t zlib_sum(uLong (*fn)(uLong, const Bytef *, uInt),
                         uint32_t sum, const uint8_t *p, size_t n)
{
    while (n) {
        uInt k = MIN(n, (size_t)1 << 30);

        sum = fn(sum, p, k);
        p += k;
        n -= k;
    }
    return sum;
}
#endif

uint32_t awd_csum_init(unsigned fmt)
{
    return fmt == AWD_FMT_GZIP ? 0 : 1;
}

uint32_t awd_csum(unsigned fmt, uint32_t sum, const uint8_t *p, size_t n)
{
#ifdef CONFIG_AWD_ISAL
    sum = fmt == AWD_FMT_GZIP ? crc32_gzip_refl(sum, p, n) :
                                isal_adler32(sum, p, n);
    awd_simd_settle();
    return sum;
#else
    return zlib_sum(fmt == AWD_FMT_GZIP ? crc32 : adler32, sum, p, n);
#endif
}

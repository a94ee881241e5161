/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd qtest helpers: boot, queue setup, descriptor submission and
 * completion polling in plain bus-master DMA mode, and host zlib.
 */
#ifndef ACCEL_WD_UTIL_H
#define ACCEL_WD_UTIL_H

#include <zlib.h>
#include "../libqtest.h"
#include "../libqos/libqos-pc.h"
#include "../libqos/pci.h"
#include "hw/accel-wd/accel_wd_hw.h"
#include "hw/accel-wd/accel_wd_crec.h"

typedef struct AwdDev {
    QOSState *qs;
    QTestState *qts;
    QPCIDevice *dev;
    QPCIBar bar0;
    QPCIBar db;
} AwdDev;

typedef struct AwdQ {
    AwdDev *d;
    unsigned index;
    unsigned order;
    uint64_t sq;
    uint64_t cq;
    uint32_t tail;              /* next SQ slot */
    uint32_t cq_head;           /* next CQ slot to read */
    unsigned phase;
} AwdQ;

void awd_dev_start(AwdDev *d, const char *extra);
void awd_dev_stop(AwdDev *d);
uint32_t awd_reg(AwdDev *d, uint32_t reg);
void awd_reg_write(AwdDev *d, uint32_t reg, uint32_t val);
uint32_t awd_qreg(AwdDev *d, unsigned q, uint32_t off);
void awd_qreg_write(AwdDev *d, unsigned q, uint32_t off, uint32_t val);
void awd_doorbell(AwdDev *d, unsigned q, uint32_t off, uint32_t val);
uint64_t awd_alloc(AwdDev *d, size_t size, size_t align);
/* A string property of the device (qom-get), to g_free */
char *awd_dev_prop(AwdDev *d, const char *name);
/*
 * QEMU started with -device accel-wd,@props must refuse to start, saying
 * @msg on stderr (a property checked at realize)
 */
void awd_expect_refused(const char *props, const char *msg);
/* Is @name ("zlib", "gmp", "isal") in the device's engines property? */
bool awd_dev_has_engine(AwdDev *d, const char *name);

/* Program and enable queue @index with 2^@order entries. */
void awd_q_setup(AwdDev *d, AwdQ *q, unsigned index, unsigned order);
/* Write @desc into the next SQ slot without ringing the doorbell. */
void awd_q_put(AwdQ *q, const struct awd_desc *desc);
/* Put and ring the SQ tail doorbell. */
void awd_q_submit(AwdQ *q, const struct awd_desc *desc);
/* Wait for the next completion (bounded), consume it, ring CQ head. */
bool awd_q_wait(AwdQ *q, struct awd_cpl *cpl, unsigned timeout_ms);
/* submit + wait */
struct awd_cpl awd_q_run(AwdQ *q, const struct awd_desc *desc);
/* Wait until the queue is idle or in error (bounded). */
uint32_t awd_q_wait_idle(AwdQ *q);

void awd_write_buf(AwdDev *d, uint64_t addr, const void *buf, size_t len);
void awd_read_buf(AwdDev *d, uint64_t addr, void *buf, size_t len);

/* Deterministic, compressible test data. */
uint8_t *awd_test_data(size_t len, unsigned seed);

/*
 * Host zlib, loaded at run time: the qtest harness links only glib and
 * libqemuutil. windowBits selects the format as in zlib (-15 raw, 15 zlib,
 * 31 gzip).
 */
long awd_host_inflate(int wbits, const void *in, size_t len, void *out,
                      size_t cap);
long awd_host_deflate(int wbits, int level, const void *in, size_t len,
                      void *out, size_t cap);
int awd_fmt_wbits(unsigned fmt);
/* The checksum the device reports: CRC-32 for gzip, else Adler-32 */
uint32_t awd_host_checksum(unsigned fmt, const void *p, size_t len);

/* A queue of a format=crec device: portal submissions, records */
typedef struct AwdCrecQ {
    AwdDev *d;
    unsigned index;
} AwdCrecQ;

/* Enable crec queue @index with a portal of 2^@order submissions */
void awd_crec_setup(AwdDev *d, AwdCrecQ *q, unsigned index, unsigned order);
/* Write @x (host order) as a descriptor at guest address @at */
void awd_crec_put(AwdDev *d, uint64_t at, const struct awd_crec_desc *x);
/* Submit the descriptor at @addr through the portal (one 64-bit write) */
void awd_crec_portal(AwdCrecQ *q, uint64_t addr);
/* Wait (bounded) for the record at @rec to be done; host order */
struct awd_cpl awd_crec_wait(AwdDev *d, uint64_t rec);

#endif

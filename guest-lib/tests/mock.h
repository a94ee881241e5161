/* SPDX-License-Identifier: MIT */
/*
 * A host stand-in for the accel_wd driver and device, linked into test
 * programs with -Wl,--wrap=open,--wrap=ioctl,... so that libaccelwd runs
 * unchanged against it. /dev/accel_wd0 is a device with MOCK_QUEUES
 * queues; a thread per open queue fetches descriptors, checks them as the
 * device's front end does and runs the device's own engines
 * (hw/accel-wd/engine-*.c) on process memory.
 *
 * Knobs (set before awd_ctx_open()); the environment variable
 * AWD_MOCK_MAX_XFER overrides max_xfer, and AWD_MOCK_NOSVA (set) turns on
 * nosva, for programs without knobs. AWD_MOCK_FORMAT=ring|sgl|crec picks
 * the queue format the device speaks (accel_wd_ring.h, accel_wd_sgl.h,
 * accel_wd_crec.h), with the format's error statuses for bad lists,
 * records and portal writes; portal writes reach the mock through
 * -Wl,--wrap=awd__mmio_write64. AWD_IOC_TELEMETRY answers as the driver
 * does (the queue since open, hidden maximums) over counts kept per queue
 * index: requests, fetch-to-completion latency and its histogram,
 * occupancy, bytes (no ATC, page requests or invalidations).
 */
#ifndef AWD_MOCK_H
#define AWD_MOCK_H

#include <stdbool.h>
#include <stdint.h>

#define MOCK_QUEUES 4

struct mock_knobs {
	bool nosva;              /* queues in no-SVA mode: IOVAs needed */
	bool no_irq;             /* AWD_INFO_F_IRQ off */
	bool bad_tag;            /* next completion carries a forged tag */
	bool stall;              /* device stops fetching */
	bool fail_next;          /* queue enters an error state at next doorbell */
	uint32_t max_xfer;       /* 0: 1 MiB */
	uint32_t ring_order;     /* 0: 6 */
	const char *format;      /* NULL: $AWD_MOCK_FORMAT (default ring) */
	uint32_t sgl_max_entries;/* 0: $AWD_MOCK_SGL_MAX_ENTRIES or 1024 */
	uint32_t sgl_max_lists;  /* 0: $AWD_MOCK_SGL_MAX_LISTS or 32 */
	bool no_qcount;          /* AWD_IOC_QCOUNT fails with ENOTTY (or
				  * $AWD_MOCK_NO_QCOUNT set) */
	bool no_telemetry;       /* a device without AWD_CAP_TELEMETRY */
	bool tm_unprivileged;    /* AWD_TELEM_IN_HISTORY: EPERM */
};
extern struct mock_knobs mock_knobs;

/* sgl: change the limits every open queue enforces (forged misuse). */
void mock_set_sgl_limits(uint32_t max_entries, uint32_t max_lists);

/* Registered no-SVA regions now, over all queues (leak check). */
unsigned int mock_regions(void);

/* The real functions behind the wrappers (ld --wrap). */
#include <poll.h>
#include <sys/types.h>
int __real_open64(const char *path, int flags, ...);
int __real_close(int fd);
int __real_ioctl(int fd, unsigned long req, ...);
void *__real_mmap64(void *addr, size_t len, int prot, int flags, int fd,
		    off_t off);
int __real_munmap(void *addr, size_t len);
int __real_poll(struct pollfd *fds, nfds_t n, int timeout);

#endif /* AWD_MOCK_H */

/* SPDX-License-Identifier: MIT */
/*
 * accelwd.h -- interface of libaccelwd, the user-space library of the
 * accel-wd compression and RSA accelerator (version 0.1).
 *
 * The device works on this process's own virtual addresses (shared virtual
 * addressing, SVA): a request names plain pointers to ordinary memory --
 * malloc()ed, on the stack, never touched before -- and the device reads
 * and writes them directly, faulting pages in through the IOMMU as needed.
 * When the kernel cannot give the process an address space on the device
 * (no-SVA mode, see awd_caps.mode) the device can only use memory
 * registered with the driver (pinned, counted against RLIMIT_MEMLOCK);
 * the library then keeps a registered arena per context, copies request
 * inputs into it and outputs back out, and keeps stream state and keys
 * there. The API and its results are the same; only speed and memory use
 * differ, and awd_req.fault_addr holds a device address.
 *
 * Overview
 *   struct awd_ctx     one hardware queue of one device, opened by
 *                      awd_ctx_open(); every request goes through one.
 *   struct awd_req     one request (compress, decompress, RSA, no-op), for
 *                      asynchronous use: awd_submit(), then awd_poll() or
 *                      awd_wait(); awd_run() does both synchronously.
 *   awd_compress(), awd_decompress()
 *                      one-shot synchronous helpers.
 *   struct awd_stream  a compression or decompression stream carried
 *                      across calls (awd_stream_run()), like a z_stream.
 *   struct awd_rsa_key an RSA key in the device's layout, for
 *                      awd_rsa_public() and awd_rsa_private(), plus
 *                      PKCS #1 padding helpers that need no device.
 *
 * Errors
 *   Every function that can fail returns a negative errno value (-EINVAL,
 *   -ENOBUFS, ...) and never sets errno as its way of reporting; 0 or a
 *   non-negative count means success. awd_strerror() turns any such value
 *   into a message that explains it in this library's terms. Errors the
 *   device reports in a completion (enum awd_status of accel_wd_hw.h) are
 *   translated into errnos by awd_hw_status_errno(), and the raw status is
 *   kept in awd_req.hw_status for callers that want it; awd_hw_status_str()
 *   names it. Errors marked "retryable" leave every object unchanged, so
 *   the same call with more room (or after reaping completions) succeeds.
 *
 * Threads
 *   The library has no global mutable state and no constructors: separate
 *   contexts (and the streams and keys made on them) can be used from
 *   separate threads at the same time without locking. One context, and
 *   everything made on it, must not be used by two threads at once: give
 *   each thread its own context (the device has several queues, and
 *   opening one is cheap), or serialise with your own lock. awd_strerror(),
 *   awd_hw_status_str(), awd_hw_status_errno(), awd_compress_bound() and
 *   the padding and gzip header helpers are pure and thread-safe.
 *
 * Processes
 *   The device file is opened O_CLOEXEC. After fork() a context belongs to
 *   the parent only: in the child every call on it except awd_ctx_close()
 *   returns -EPERM (the kernel does not give the child the queue's
 *   mappings), and awd_ctx_close() in the child only drops the child's
 *   copy of the file descriptor and of the library memory; the parent's
 *   queue is untouched. The check costs no system call.
 *
 * Device removal
 *   When the device is removed (or hot-unplugged) the driver revokes the
 *   queue's mappings; calls then return -ENODEV and the context can only be
 *   closed. The library learns of it from the driver (poll(2) and the
 *   queue state, checked whenever a wait sleeps), so a call that was
 *   touching the rings at that very moment can still receive SIGBUS from
 *   the kernel; the library installs no signal handlers.
 *
 * Linking: pkg-config --cflags --libs accelwd (add --static for a static
 * link). The header needs only <stddef.h> and <stdint.h>.
 */
#ifndef ACCELWD_H
#define ACCELWD_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AWD_LIB_VERSION        "0.1.0"
#define AWD_LIB_VERNUM         0x000100  /* major << 16 | minor << 8 | patch */

/* Returns AWD_LIB_VERSION of the library actually linked. */
const char *awd_version(void);

/* ---- Errors ------------------------------------------------------------ */

/*
 * Message for @err, a value returned by any function of this library
 * (negative errno), or 0 ("success"). Positive values are taken as their
 * negation. The string is static and must not be freed; the call is
 * thread-safe and never fails (unknown values give "unknown error").
 */
const char *awd_strerror(int err);

/*
 * Name of a device completion status (enum awd_status in accel_wd_hw.h,
 * as found in awd_req.hw_status), e.g. "DST_TOO_SMALL"; "UNKNOWN" for
 * values the library does not know.
 */
const char *awd_hw_status_str(unsigned int hw_status);

/*
 * The negative errno this library reports for a device completion status:
 *   OK                    0
 *   INVALID_OPCODE/FLAGS/PARAM, OVERLAP
 *                         -EINVAL   (a request the device refused)
 *   INVALID_LEN           -EMSGSIZE (zero or over awd_caps.max_xfer)
 *   DST_TOO_SMALL         -ENOBUFS  (retryable with a larger output)
 *   DECODE_ERROR          -EBADMSG  (corrupt compressed data)
 *   FAULT                 -EFAULT   (an address the process cannot access;
 *                                    awd_req.fault_addr says which)
 *   BAD_KEY               -EKEYREJECTED
 *   INPUT_RANGE           -ERANGE   (RSA input not below the modulus)
 *   BAD_CONTEXT           -EBADE    (stream state damaged)
 *   ABORTED               -ECANCELED (queue reset while in flight)
 *   SGL_TOO_LONG          -E2BIG    (sgl format: more list entries or
 *                                    lists than the device allows)
 *   SGL_ZERO_LEN, SGL_LOOP, MISALIGNED
 *                         -EPROTO   (a list or record the library built
 *                                    that the device refused)
 *   BATCH_FAIL            -ECOMM    (crec batches: one of them failed)
 *   DMA_ERROR, unknown    -EIO
 */
int awd_hw_status_errno(unsigned int hw_status);

/* ---- Contexts ---------------------------------------------------------- */

struct awd_ctx;

/* awd_ctx_open() flags */
#define AWD_OPEN_POLLED        (1u << 0)  /* no interrupts: waits spin */
/* Fail with -EOPNOTSUPP unless the queue is in SVA mode. */
#define AWD_OPEN_SVA_ONLY      (1u << 1)
/*
 * When every queue is taken, wait for one instead of failing with -EBUSY:
 * the driver keeps a line of waiting openers per device and hands each
 * freed queue to the oldest (first come, first served). Signals that
 * interrupt the wait are retried (the caller keeps its place only if the
 * handler was installed with SA_RESTART; otherwise it joins the end of
 * the line again) unless AWD_OPEN_INTR is also given, which returns -EINTR.
 */
#define AWD_OPEN_WAIT          (1u << 2)
#define AWD_OPEN_INTR          (1u << 3)
#define AWD_OPEN_RING_SHIFT    8
#define AWD_OPEN_RING_MASK     (0xfu << AWD_OPEN_RING_SHIFT)
/*
 * Ask for 2^order ring entries (1..15; the crec format: portal depth and
 * descriptor slots); 0 keeps the driver's default.
 */
#define AWD_OPEN_RING_ORDER(order) \
	(((unsigned int)(order) << AWD_OPEN_RING_SHIFT) & AWD_OPEN_RING_MASK)
#define AWD_OPEN_VALID_MASK    (AWD_OPEN_POLLED | AWD_OPEN_SVA_ONLY | \
				AWD_OPEN_WAIT | AWD_OPEN_INTR | \
				AWD_OPEN_RING_MASK)

/*
 * Open a context: one hardware queue of an accel-wd device, bound to this
 * process, mapped and started.
 *
 * @ctxp (out): receives the new context; set to NULL on failure.
 * @dev: NULL or "" for the first device with a free queue (/dev/accel_wd0,
 *   then 1, ...), or a device path such as "/dev/accel_wd1", or a bare
 *   name ("accel_wd1"). The environment variable AWD_DEVICE, when set,
 *   replaces NULL (not an explicit name).
 * @flags: AWD_OPEN_* or 0. Without AWD_OPEN_POLLED, requests ask for a
 *   completion interrupt and awd_wait() sleeps in poll(2); with it, or
 *   when the device has no working interrupts, awd_wait() spins. With
 *   AWD_OPEN_WAIT the call blocks while every queue is taken (with @dev
 *   NULL: every queue of every device; it then waits on the first device
 *   that was busy) and returns once the driver hands it a queue.
 *
 * Returns 0, or
 *   -EINVAL    @ctxp NULL, unknown flag, ring order out of range
 *   -ENOENT    no such device (or no accel-wd device at all)
 *   -EBUSY     every queue of the device(s) is in use (retryable later;
 *              never with AWD_OPEN_WAIT)
 *   -EINTR     AWD_OPEN_WAIT | AWD_OPEN_INTR: a signal ended the wait
 *   -ENODEV    the device was removed while the call waited
 *   -EAGAIN    a device reset is in progress (retryable shortly)
 *   -EACCES    no permission to open the device
 *   -EPERM     the driver runs without SVA and the process lacks
 *              CAP_SYS_RAWIO (needed for no-SVA queues)
 *   -EOPNOTSUPP AWD_OPEN_SVA_ONLY was given and the queue is in no-SVA mode
 *   -EPROTO    the driver speaks an interface version this library lacks
 *              (or describes a queue layout its format cannot use)
 *   -EPROTONOSUPPORT the device speaks a queue format (awd_ctx_format())
 *              this library does not know
 *   -ENOMEM, or the errno of a failed open/ioctl/mmap.
 * Next: any call on *ctxp; finally awd_ctx_close().
 */
int awd_ctx_open(struct awd_ctx **ctxp, const char *dev, unsigned int flags);

/*
 * Stop the queue (in-flight requests are drained by the driver and are not
 * returned), unmap it, close the device and free the context; then set
 * *ctxp to NULL, so that a later call with that pointer variable gets
 * -EBADF instead of touching freed memory. Streams and RSA keys made on
 * the context must be freed first (they refer to it): -EBUSY otherwise,
 * with nothing done. NULL @ctxp or NULL *ctxp: -EBADF.
 * Returns 0 or -EBADF, -EBUSY.
 */
int awd_ctx_close(struct awd_ctx **ctxp);

/* What a context offers (awd_ctx_caps). */
struct awd_caps {
	uint32_t hw_version;      /* device major << 16 | minor */
	uint32_t hw_caps;         /* AWD_CAP_* of accel_wd_hw.h */
	uint32_t mode;            /* AWD_CTX_MODE_SVA or _NOSVA */
	uint32_t irq;             /* 1: completion interrupts usable */
	uint32_t queue;           /* hardware queue index */
	uint32_t pasid;           /* SVA: this process's PASID, else 0 */
	uint32_t num_queues;      /* queues of the device */
	uint32_t ring_entries;    /* descriptor slots (ring, or crec portal depth) */
	uint32_t max_inflight;    /* requests that can be submitted at once */
	uint32_t max_xfer;        /* largest src_len / dst_len in bytes */
	uint32_t rsa_max_bits;    /* 0 when the device has no RSA engine */
	uint32_t stream_ctx_size; /* device bytes behind one awd_stream */
	char     dev[64];         /* device path, NUL-terminated */
};
#define AWD_CTX_MODE_NOSVA     0
#define AWD_CTX_MODE_SVA       1

/*
 * Copy the context's capabilities to @caps. Values are fixed for the life
 * of the context. Returns 0, -EBADF (NULL @ctx), -EINVAL (NULL @caps).
 */
int awd_ctx_caps(const struct awd_ctx *ctx, struct awd_caps *caps);

/*
 * The queue format the context's device speaks (the device decides it;
 * the library speaks every format it knows, the API is the same on all):
 * 0 "ring" (descriptor and completion rings), 1 "sgl" (rings, buffers
 * named by scatter-gather lists the library builds), 2 "crec" (descriptor
 * addresses written to a portal, completion records in memory). Output,
 * each may be NULL: @name, a static string; @param, the format's
 * AWD_CTX_FMT_PARAMS device parameters (sgl: data entries and lists per
 * buffer at most; crec: descriptors per batch at most; else 0). Returns
 * the format number (>= 0) or -EBADF (NULL @ctx). awd_ctx_open() fails
 * with -EPROTONOSUPPORT on a device whose format the library does not
 * know.
 */
#define AWD_CTX_FMT_PARAMS     3
int awd_ctx_format(const struct awd_ctx *ctx, const char **name,
		   uint32_t param[AWD_CTX_FMT_PARAMS]);

/*
 * The device's own counters of the context's queue since it was last
 * started (awd_ctx_open(), awd_ctx_reset()): what the queue cost in MMIO
 * and in device reads and writes of its metadata. For per-request costs,
 * take the difference of two reads around the requests.
 */
struct awd_hw_counters {
	uint64_t db_writes;       /* doorbell or portal writes */
	uint64_t reg_reads;       /* register and doorbell-page reads */
	uint64_t desc_bytes;      /* descriptor bytes the device read */
	uint64_t list_bytes;      /* scatter-gather list bytes it read */
	uint64_t cpl_bytes;       /* completion bytes it wrote */
	uint64_t ats_reqs;        /* ATS translation requests */
	uint64_t page_reqs;       /* PRI page requests (pages) */
	uint64_t rsvd[9];         /* 0 */
};

/*
 * Copy the counters to @cnt. Returns 0, -EBADF (NULL @ctx), -EINVAL (NULL
 * @cnt), -EPERM (after fork, in the child), -ENOTTY (the driver has no
 * counters: an older driver), or the driver's errno.
 */
int awd_ctx_hw_counters(struct awd_ctx *ctx, struct awd_hw_counters *cnt);

/*
 * The device's telemetry (awd_ctx_telemetry): what the device measured,
 * for one scope (the context's queue, or the whole device). Times are
 * nanoseconds of the device's clock (with the timing model on, the
 * modelled times). Means are sum / count: lat_sum_ns / reqs,
 * occ_sum / occ_samples, pr_lat_sum_ns / pr_waits, inv_wait_sum_ns / inv;
 * the ATC hit ratio is atc_hits / (atc_hits + ats_reqs).
 */
#define AWD_TELEMETRY_BUCKETS  40
struct awd_telemetry_scope {
	uint64_t reqs;            /* requests completed */
	uint64_t lat_sum_ns;      /* doorbell to completion write, summed */
	uint64_t lat_max_ns;
	uint64_t occ_sum;         /* requests outstanding at each fetch, */
	uint64_t occ_samples;     /* summed, and how many fetches */
	uint64_t occ_max;
	uint64_t atc_hits;        /* translations the device's ATC answered */
	uint64_t ats_reqs;        /* ATS translation requests (ATC misses) */
	uint64_t page_reqs;       /* PRI page requests (pages) */
	uint64_t pr_waits;        /* page request groups waited for */
	uint64_t pr_lat_sum_ns;   /* their round trips, summed */
	uint64_t pr_lat_max_ns;
	uint64_t bytes_in;        /* input bytes the device consumed */
	uint64_t bytes_out;       /* output bytes it produced */
	uint64_t inv;             /* device-TLB invalidations (device scope) */
	uint64_t inv_wait_sum_ns; /* their waits for mappings in use */
	uint64_t inv_wait_max_ns;
	uint64_t timing_model;    /* 1: the device's timing model is on */
	uint64_t rsvd[14];        /* 0 */
	/*
	 * lat_hist[i]: requests whose latency was in [2^i, 2^(i+1)) ns
	 * (bucket 0: [0, 2 ns)); the buckets sum to reqs (of a queue that is
	 * idle while read).
	 */
	uint64_t lat_hist[AWD_TELEMETRY_BUCKETS];
};

/* awd_ctx_telemetry() flags, and awd_telemetry.flags */
#define AWD_TELEMETRY_HISTORY  (1u << 0)  /* q: the queue index's whole
					   * history, earlier owners
					   * included (privileged) */
/* awd_telemetry.flags only */
#define AWD_TELEMETRY_RESET    (1u << 1)  /* the host reset the telemetry
					   * since the last call: q counts
					   * from that reset */
#define AWD_TELEMETRY_NO_QUEUE (1u << 2)  /* q unknown (all 0): a device
					   * reset was in progress at open */
/* a maximum of q not known (reads 0): see awd_ctx_telemetry() */
#define AWD_TELEMETRY_Q_LAT_MAX_UNKNOWN       (1u << 8)
#define AWD_TELEMETRY_Q_OCC_MAX_UNKNOWN       (1u << 9)
#define AWD_TELEMETRY_Q_PR_LAT_MAX_UNKNOWN    (1u << 10)
#define AWD_TELEMETRY_Q_INV_WAIT_MAX_UNKNOWN  (1u << 11)

struct awd_telemetry {
	uint32_t queue;           /* hardware queue index of the context */
	uint32_t flags;           /* AWD_TELEMETRY_* */
	uint64_t rsvd[3];         /* 0 */
	struct awd_telemetry_scope q;   /* the context's queue since open */
	struct awd_telemetry_scope dev; /* the whole device */
};

/*
 * Read the device's telemetry into @tm: @tm->q for the context's queue
 * since awd_ctx_open() (the device counts per queue index, and earlier
 * users of the index are not this process's business), @tm->dev for the
 * whole device since it was created or the host last reset its telemetry
 * (every queue, and the device-TLB invalidation items). A maximum of q
 * (lat_max_ns, occ_max, pr_lat_max_ns, inv_wait_max_ns) cannot be told
 * apart from an earlier user's unless it rose since open: it is then
 * exact; 0 when nothing it measures happened since open; otherwise 0 with
 * its AWD_TELEMETRY_Q_*_UNKNOWN flag (lat_hist still bounds it).
 * @flags: 0, or AWD_TELEMETRY_HISTORY for q as the device keeps it,
 * earlier users included (needs CAP_PERFMON or CAP_SYS_ADMIN). Works in
 * every queue format and in no-SVA mode. The call reads a few hundred
 * device registers: not for a fast path; items of a queue at work may be
 * from slightly different moments.
 * Returns 0, -EBADF (NULL @ctx), -EINVAL (NULL @tm, unknown flag),
 * -EPERM (after fork, in the child; AWD_TELEMETRY_HISTORY without
 * privilege), -EOPNOTSUPP (the device has no telemetry: before version
 * 1.2 or without AWD_CAP_TELEMETRY; or an older driver), -EAGAIN (a
 * device reset is in progress: retry), -ENODEV, or the driver's errno.
 * @tm is written only on success.
 */
int awd_ctx_telemetry(struct awd_ctx *ctx, unsigned int flags,
		      struct awd_telemetry *tm);

/*
 * The device file descriptor, for poll(2) in your own event loop: POLLIN
 * means awd_poll() has something to reap (needs interrupts, see
 * awd_caps.irq). Do not read, close or ioctl it. Returns the fd or -EBADF.
 */
int awd_ctx_fd(const struct awd_ctx *ctx);

/* Counters of a context (awd_ctx_stats). */
struct awd_stats {
	uint64_t submitted;       /* requests given to the device */
	uint64_t completed;       /* completions reaped */
	uint64_t failed;          /* completions with a non-OK status */
	uint64_t ring_full;       /* awd_submit() calls that got -EAGAIN */
	uint64_t sleeps;          /* times awd_wait() slept in poll(2) */
	uint64_t bytes_in;        /* input bytes the device consumed */
	uint64_t bytes_out;       /* output bytes the device produced */
	uint64_t irqs;            /* driver: completion interrupts */
	uint64_t hw_errors;       /* driver: times the queue stopped in error */
	uint64_t starts;          /* driver: queue starts */
	uint64_t pinned_pages;    /* driver: no-SVA pages pinned right now */
	uint32_t inflight;        /* submitted, not yet reaped */
	uint32_t queue_state;     /* AWD_QS_* of accel_wd_uapi.h */
	uint32_t hw_error;        /* enum awd_qerr when queue_state is ERROR */
	uint32_t rsvd;
};

/*
 * Fill @st with this context's counters and the driver's view of the
 * queue. Returns 0, -EBADF, -EINVAL (NULL @st), -EPERM (after fork), or
 * -ENODEV when the device went away (the context can only be closed).
 */
int awd_ctx_stats(struct awd_ctx *ctx, struct awd_stats *st);

/*
 * Recover a queue that the device stopped in an error state (calls then
 * fail with -EIO), also after a device reset (FLR, error recovery): the
 * driver stops and restarts the queue; every request still in flight
 * completes with -ECANCELED at the next awd_poll() or awd_wait(). Streams
 * in the middle of their data must be reset too (their device state may
 * be stale). Returns 0, -EBADF, -EPERM, -ENODEV, -EAGAIN (a device reset
 * is still in progress: retry), -EIO (the device refused to restart).
 */
int awd_ctx_reset(struct awd_ctx *ctx);

/* ---- Requests: asynchronous submission and completion ------------------ */

/* awd_req.op */
enum awd_req_op {
	AWD_REQ_NOP = 0,          /* no buffers: measures the round trip */
	AWD_REQ_COMPRESS = 1,
	AWD_REQ_DECOMPRESS = 2,
	AWD_REQ_RSA = 3,          /* use awd_rsa_*(), or set key + rsa_form */
};

/* Compressed data formats. */
enum awd_format {
	AWD_FORMAT_RAW = 0,       /* RFC 1951 deflate, no wrapper */
	AWD_FORMAT_ZLIB = 1,      /* RFC 1950 */
	AWD_FORMAT_GZIP = 2,      /* RFC 1952, one member */
};

#define AWD_LEVEL_MIN          1
#define AWD_LEVEL_MAX          9
#define AWD_LEVEL_DEFAULT      6

struct awd_rsa_key;

/* awd_req.rsa_form */
enum awd_rsa_form {
	AWD_RSA_FORM_PUBLIC = 0,  /* x^e mod n */
	AWD_RSA_FORM_PRIVATE = 1, /* x^d mod n */
	AWD_RSA_FORM_CRT = 2,     /* x^d mod n with p, q, dp, dq, qinv */
};

/*
 * One request. The caller owns the memory: it must stay valid and
 * unchanged from awd_submit() until the request is returned by awd_poll()
 * or awd_wait() (or awd_run() returns). Zero it (or use AWD_REQ_INIT)
 * before filling it in for the first time.
 */
struct awd_req {
	/* ---- set by the caller; the library never changes them ---- */
	uint32_t op;              /* enum awd_req_op */
	uint32_t format;          /* COMPRESS/DECOMPRESS: enum awd_format */
	uint32_t level;           /* COMPRESS: AWD_LEVEL_MIN..MAX */
	uint32_t rsa_form;        /* RSA: enum awd_rsa_form */
	const void *src;          /* input; RSA: key length bytes, big-endian */
	void *dst;                /* output */
	size_t src_len;           /* 1..max_xfer (RSA: the key length) */
	size_t dst_len;           /* 1..max_xfer (RSA: the key length) */
	const struct awd_rsa_key *key;  /* RSA only, made on this context */
	void *user_data;          /* yours; returned untouched */

	/* ---- written by the library when the request completes ---- */
	int result;               /* 0 or a negative errno, as awd_strerror */
	uint32_t hw_status;       /* the device's enum awd_status */
	size_t consumed;          /* input bytes used */
	size_t produced;          /* output bytes written; -ENOBUFS: needed */
	uint32_t checksum;        /* crc32 (gzip) or adler32 (zlib, raw) */
	uint32_t stream_end;      /* 1: DECOMPRESS saw the end of the data */
	uint64_t fault_addr;      /* -EFAULT: first address that failed */

	/* ---- private to the library ---- */
	uint64_t priv[6];
};
#define AWD_REQ_INIT           { 0 }

/*
 * Queue @req on the device and return without waiting.
 *
 * Input fields are checked first; nothing is queued when they are wrong.
 * Returns 0 (the request now belongs to the library until it is reaped),
 * or
 *   -EBADF     NULL @ctx
 *   -EINVAL    NULL @req, unknown op/format/level/form, NULL src/dst with
 *              a non-zero length, RSA key missing or of another context,
 *              RSA lengths not equal to the key's, buffers overlap, or
 *              @req is still in flight (submitted and not yet reaped)
 *   -EMSGSIZE  src_len or dst_len zero (except NOP) or over max_xfer
 *   -EAGAIN    max_inflight requests are already queued, or (no-SVA) the
 *              registered arena is full until some complete: reap some
 *              with awd_poll()/awd_wait() first (retryable)
 *   -EPERM     called in a child after fork()
 *   -EIO       the queue is in an error state (awd_ctx_reset())
 *   -ENODEV    the device went away
 *   -ENOMEM, -ENOSPC  no-SVA mode only: the arena cannot grow (memory,
 *              RLIMIT_MEMLOCK, the driver's region limit) and nothing
 *              is in flight that would give space back
 */
int awd_submit(struct awd_ctx *ctx, struct awd_req *req);

/*
 * Reap completed requests without blocking. Up to @max requests are
 * stored in @done[] in completion order, each with its output fields set;
 * they belong to the caller again. Returns the number stored (0: nothing
 * has completed yet), or -EBADF, -EINVAL (NULL @done with @max > 0),
 * -EPERM, -ENODEV, -EIO (the device returned garbage: a completion whose
 * tag names no request in flight; the queue is unusable until
 * awd_ctx_reset()). The result of each request is in its own ->result.
 */
int awd_poll(struct awd_ctx *ctx, struct awd_req **done, unsigned int max);

/*
 * Like awd_poll() but waits until at least one request has completed or
 * @timeout_ms milliseconds passed (-1: forever, 0: do not wait). Sleeps in
 * poll(2) when interrupts are usable, else spins. Before sleeping it spins
 * for 20 us, or for twice the recent interval between completions on
 * this context when that is under 250 us: a sleep and wake-up costs more
 * than a completion that is about to arrive. Returns the number
 * reaped (>= 1), 0 on timeout, -ENOENT when nothing is in flight (it
 * would wait forever), -EINTR when a signal interrupted the sleep, -EIO
 * or -ENODEV when the queue stopped in error or the device went away
 * while waiting (checked at least every 100 ms), or the awd_poll() errors.
 * Requests still in flight after an error stay the library's until
 * awd_ctx_reset() returns them with -ECANCELED.
 */
int awd_wait(struct awd_ctx *ctx, struct awd_req **done, unsigned int max,
	     int timeout_ms);

/*
 * Synchronous: submit @req and wait for it. Other requests that complete
 * meanwhile are kept for the next awd_poll()/awd_wait(). If the ring is
 * full, waits for room first. If the queue stops in error (or the device
 * goes away) while waiting, @req and every other request in flight
 * complete with -EIO (-ENODEV); awd_ctx_reset() then makes the queue
 * usable again. Returns @req->result (0 or a negative
 * errno as for a completion), or an awd_submit() error (then @req was
 * not run).
 */
int awd_run(struct awd_ctx *ctx, struct awd_req *req);

/* ---- One-shot compression ---------------------------------------------- */

/*
 * Largest output awd_compress() can produce for @src_len bytes of input
 * in @format (also enough for one awd_stream_run() call on that input).
 * Returns 0 for an unknown format. Pure; any length.
 */
size_t awd_compress_bound(enum awd_format format, size_t src_len);

/*
 * Compress @src_len bytes at @src into a complete @format stream at @dst.
 *   @dst_len (in/out): in, the room at @dst; out, the bytes written, or
 *   with -ENOBUFS a size that is enough (awd_compress_bound()).
 * The output is byte-identical to zlib's deflate() at @level with default
 * parameters (gzip: no name, mtime 0, OS 3). @src_len 0 is allowed and
 * gives the empty stream.
 * Returns 0 or -EBADF, -EINVAL (NULL pointers, bad format/level),
 * -EMSGSIZE (@src_len or the needed output over max_xfer: use a stream),
 * -ENOBUFS (retryable), -EFAULT, the awd_submit() errors.
 */
int awd_compress(struct awd_ctx *ctx, enum awd_format format, int level,
		 const void *src, size_t src_len, void *dst, size_t *dst_len);

/*
 * Decompress one complete @format stream.
 *   @src_len (in/out): in, the input bytes; out, the bytes the stream
 *   used (data after the end of the stream is left alone).
 *   @dst_len (in/out): in, the room at @dst; out, the bytes written.
 * Returns 0 or -EBADF, -EINVAL, -EMSGSIZE (a length over max_xfer),
 * -ENOBUFS (output did not fit; retryable, *@dst_len unchanged),
 * -EBADMSG (corrupt, or truncated input), -EFAULT, the awd_submit() errors.
 */
int awd_decompress(struct awd_ctx *ctx, enum awd_format format,
		   const void *src, size_t *src_len, void *dst,
		   size_t *dst_len);

/* ---- Streams: compression or decompression across many calls ----------- */

struct awd_stream;

enum awd_stream_dir {
	AWD_STREAM_COMPRESS = 0,
	AWD_STREAM_DECOMPRESS = 1,
};

/*
 * Make a stream on @ctx. @level is used for compression only
 * (AWD_LEVEL_MIN..MAX). Needs AWD_CAP_STREAM. The device state lives in
 * library memory (awd_caps.stream_ctx_size bytes).
 * Returns 0 and *@sp, or -EBADF, -EINVAL, -EOPNOTSUPP (no stream support),
 * -ENOMEM, -EPERM; in no-SVA mode also -ENOSPC.
 * Next: awd_stream_run() ..., awd_stream_reset(), awd_stream_free().
 */
int awd_stream_new(struct awd_ctx *ctx, struct awd_stream **sp,
		   enum awd_stream_dir dir, enum awd_format format, int level);

/* awd_stream_run() flags */
#define AWD_FINISH             (1u << 0)  /* @src holds the last input */

/*
 * Run the stream on more data. Synchronous.
 *
 *   @src, @src_len: input; @consumed (out): how much of it was used.
 *   @dst, @dst_len: room for output; @produced (out): bytes written.
 *   @flags: AWD_FINISH when @src is the end of the input (compression:
 *     write the final block and the trailer; decompression: the data
 *     must end here).
 *
 * Compression uses as much input as is sure to fit in @dst_len
 * (awd_compress_bound()) and up to max_xfer per call; output of each call
 * ends on a byte boundary (a sync flush), so it can be written out at
 * once. Decompression uses input up to the last complete deflate block
 * that fits in @dst; unused input must be given again, followed by more,
 * in the next call (keep it in your buffer). Output is never held back
 * inside the library.
 *
 * Returns
 *   0          progress or none possible yet: call again (with the unused
 *              input, and for decompression more input if nothing was
 *              consumed; with AWD_FINISH again if the input was not all
 *              used)
 *   1          (AWD_STREAM_END) the stream is complete: compression wrote
 *              its trailer, decompression checked it. *@consumed may be
 *              less than @src_len (data after the stream). Only
 *              awd_stream_reset() or awd_stream_free() are legal next;
 *              awd_stream_run() returns -EALREADY.
 *   -ENOBUFS   @dst_len is too small for any progress (compression:
 *              under awd_compress_bound(1); decompression: the next
 *              block expands beyond it). Retryable with more room.
 *   -EBADMSG   corrupt data, or AWD_FINISH and the data ended early
 *   -EBADF, -EINVAL (NULL pointers with non-zero lengths, unknown flag),
 *   -EFAULT, -EBADE, the awd_submit() errors. After an error other than
 *   -ENOBUFS/-EAGAIN the stream must be reset or freed.
 */
int awd_stream_run(struct awd_stream *s, const void *src, size_t src_len,
		   size_t *consumed, void *dst, size_t dst_len,
		   size_t *produced, unsigned int flags);
#define AWD_STREAM_END         1

/*
 * Start a new stream with the same direction, format and level; any
 * state of the previous one is forgotten. Returns 0 or -EBADF.
 */
int awd_stream_reset(struct awd_stream *s);

/*
 * Total input used and output produced since the stream started, and the
 * running checksum (crc32 for gzip, adler32 otherwise) of the
 * uncompressed data. Any pointer may be NULL. Returns 0 or -EBADF.
 */
int awd_stream_totals(const struct awd_stream *s, uint64_t *total_in,
		      uint64_t *total_out, uint32_t *checksum);

/*
 * Free the stream and set *@sp to NULL. NULL @sp or *@sp: no-op.
 */
void awd_stream_free(struct awd_stream **sp);

/* ---- RSA --------------------------------------------------------------- */

/*
 * Key material as big-endian unsigned integers (leading zero bytes
 * allowed). n is required; then e for public operations, d and/or the
 * five CRT values for private ones. A NULL pointer or zero length means
 * "absent".
 */
struct awd_rsa_key_parts {
	const uint8_t *n;    size_t n_len;
	const uint8_t *e;    size_t e_len;
	const uint8_t *d;    size_t d_len;
	const uint8_t *p;    size_t p_len;
	const uint8_t *q;    size_t q_len;
	const uint8_t *dp;   size_t dp_len;
	const uint8_t *dq;   size_t dq_len;
	const uint8_t *qinv; size_t qinv_len;
};

/*
 * Lay out a key for the device. The key length k is the byte length of n
 * without leading zeros: 64 (512 bits) to awd_caps.rsa_max_bits / 8 (at
 * most 512) bytes; n must be odd. e and d must fit in k bytes, the CRT
 * values in k/2 bytes (the CRT form needs k even; it is dropped
 * otherwise, and the key then needs d).
 * Returns 0 and *@keyp, or -EBADF, -EINVAL (missing n, or neither e nor a
 * private part), -EKEYREJECTED (lengths out of range, even n),
 * -EOPNOTSUPP (no RSA engine, or k over rsa_max_bits), -ENOMEM; no-SVA
 * mode also -ENOSPC. Only basic checks are done here; the device rejects
 * bad keys with -EKEYREJECTED at use.
 */
int awd_rsa_key_new(struct awd_ctx *ctx, const struct awd_rsa_key_parts *kp,
		    struct awd_rsa_key **keyp);

/* Key length k in bytes, or 0 for NULL. */
size_t awd_rsa_key_size(const struct awd_rsa_key *key);

/* Which forms the key can do: bit (1 << AWD_RSA_FORM_*). 0 for NULL. */
unsigned int awd_rsa_key_forms(const struct awd_rsa_key *key);

/* Wipe and free the key, set *@keyp to NULL. NULL: no-op. */
void awd_rsa_key_free(struct awd_rsa_key **keyp);

/*
 * out = in^e mod n, @len == awd_rsa_key_size(key) bytes each, big-endian.
 * @in must be below n. Synchronous. Returns 0 or -EBADF, -EINVAL (NULL,
 * key of another context or without e, wrong @len), -ERANGE (in >= n),
 * -EKEYREJECTED, -EFAULT, the awd_submit() errors.
 */
int awd_rsa_public(struct awd_ctx *ctx, const struct awd_rsa_key *key,
		   const void *in, void *out, size_t len);

/*
 * out = in^d mod n, using the CRT form when the key has it. As
 * awd_rsa_public() otherwise (-EINVAL when the key has no private part).
 */
int awd_rsa_private(struct awd_ctx *ctx, const struct awd_rsa_key *key,
		    const void *in, void *out, size_t len);

/* ---- PKCS #1 padding (RFC 8017), no device needed ---- */

enum awd_hash {
	AWD_HASH_SHA1 = 1,
	AWD_HASH_SHA256 = 2,
};

/* Digest bytes of @hash: 20, 32; 0 for unknown. */
size_t awd_hash_size(enum awd_hash hash);

/*
 * Hash @len bytes into @digest (awd_hash_size() bytes). Returns 0 or
 * -EINVAL (unknown hash, NULL).
 */
int awd_hash(enum awd_hash hash, const void *msg, size_t len, uint8_t *digest);

/*
 * EME-PKCS1-v1_5 (encryption, block type 2): @em (k bytes) =
 * 00 02 PS 00 msg with PS at least 8 random non-zero bytes from
 * getrandom(2). Returns 0 or -EINVAL (NULL), -EMSGSIZE (@mlen > k - 11),
 * or the getrandom errno.
 */
int awd_pkcs1_v15_pad(const void *msg, size_t mlen, uint8_t *em, size_t k);

/*
 * Undo awd_pkcs1_v15_pad(): check @em (k bytes), copy the message to
 * @msg. @mlen (in/out): room at @msg, then the message length. The check
 * runs in time independent of where it fails. Returns 0 or -EINVAL
 * (NULL), -EBADMSG (bad padding), -ENOBUFS (message longer than *@mlen).
 */
int awd_pkcs1_v15_unpad(const uint8_t *em, size_t k, void *msg, size_t *mlen);

/*
 * EMSA-PKCS1-v1_5 (signature, block type 1): @em (k bytes) =
 * 00 01 FF.. 00 DigestInfo(@hash, @digest). @digest is awd_hash_size()
 * bytes. Returns 0 or -EINVAL, -EMSGSIZE (k too small).
 */
int awd_pkcs1_v15_sign_pad(enum awd_hash hash, const uint8_t *digest,
			   uint8_t *em, size_t k);

/*
 * Check that @em (k bytes, the public operation on a signature) is the
 * block type 1 encoding of @digest. Returns 0 or -EINVAL, -EBADMSG.
 */
int awd_pkcs1_v15_sign_check(enum awd_hash hash, const uint8_t *digest,
			     const uint8_t *em, size_t k);

/*
 * EME-OAEP with @hash for both the label hash and MGF1, label empty
 * (OpenSSL's defaults with -pkeyopt rsa_oaep_md:<hash>). @em is k bytes.
 * Returns 0 or -EINVAL, -EMSGSIZE (@mlen > k - 2 * hlen - 2).
 */
int awd_oaep_pad(enum awd_hash hash, const void *msg, size_t mlen,
		 uint8_t *em, size_t k);

/*
 * Undo awd_oaep_pad(). @mlen (in/out) as awd_pkcs1_v15_unpad(). Returns 0
 * or -EINVAL, -EBADMSG, -ENOBUFS.
 */
int awd_oaep_unpad(enum awd_hash hash, const uint8_t *em, size_t k,
		   void *msg, size_t *mlen);

/*
 * EMSA-PSS encoding with MGF1(@hash) and a random salt of hash length,
 * for a key of @bits modulus bits: @em is k = (bits + 7) / 8 bytes (the
 * encoded message is one byte shorter when bits % 8 == 1; the leading byte
 * is then 0). Returns 0 or -EINVAL, -EMSGSIZE.
 */
int awd_pss_pad(enum awd_hash hash, const uint8_t *digest, uint8_t *em,
		size_t bits);

/*
 * Verify a PSS encoding (any salt length). @em as for awd_pss_pad().
 * Returns 0 or -EINVAL, -EBADMSG.
 */
int awd_pss_check(enum awd_hash hash, const uint8_t *digest,
		  const uint8_t *em, size_t bits);

/* ---- gzip member header helpers (RFC 1952), no device needed ----------- */

struct awd_gzip_header {
	uint32_t mtime;           /* seconds since 1970, 0 if unknown */
	uint8_t  xfl;             /* 2 max compression, 4 fastest, else 0 */
	uint8_t  os;              /* 3 Unix, 255 unknown */
	uint8_t  flags;           /* FTEXT etc. as found (parse only) */
	uint8_t  rsvd;
	const char *name;         /* NUL-terminated original name, or NULL */
};

/*
 * Write a gzip member header to @buf (room @len). Returns its length, or
 * -EINVAL (NULL), -ENOBUFS (too small: 10 + strlen(name) + 1 bytes).
 */
int awd_gzip_header_write(const struct awd_gzip_header *h, uint8_t *buf,
			  size_t len);

/*
 * Parse the gzip member header at @buf (@len bytes). On success returns
 * the header length and fills @h (name points into @buf, or NULL; @h may
 * be NULL). Returns -EAGAIN when @len bytes are not all of the header yet
 * (retryable with more), -EBADMSG when it is not a gzip header (wrong
 * magic, method, reserved flags or header CRC).
 */
int awd_gzip_header_parse(const uint8_t *buf, size_t len,
			  struct awd_gzip_header *h);

#ifdef __cplusplus
}
#endif

#endif /* ACCELWD_H */

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * accel_wd telemetry (AWD_IOC_TELEMETRY, device version 1.2 on with
 * AWD_CAP_TELEMETRY): the AWD_REG_TM_* window read for one queue and for
 * the device. The selector is device-wide, so every select/read sequence
 * runs under awd->tm_lock.
 *
 * The device counts per queue index from its realize; a file sees its own
 * queue since open: awd_telem_open() keeps what the queue's items held
 * then, and the ioctl subtracts it (see accel_wd_uapi.h for the maximums,
 * which cannot be subtracted).
 */

#include <linux/capability.h>
#include <linux/uaccess.h>

#include "awd.h"

/* A maximum and the count of the events it is the maximum of. */
static const struct {
	u8 max;
	u8 count;
} awd_tm_maxes[] = {
	{ AWD_TM_LAT_MAX_NS, AWD_TM_REQS },
	{ AWD_TM_OCC_MAX, AWD_TM_OCC_SAMPLES },
	{ AWD_TM_PR_LAT_MAX_NS, AWD_TM_PR_WAITS },
	{ AWD_TM_INV_WAIT_MAX_NS, AWD_TM_INV },
};

/* Items that are not counts or sums: never subtracted. */
static bool awd_tm_is_level(u32 item)
{
	u32 i;

	if (item == AWD_TM_MODEL)
		return true;
	for (i = 0; i < ARRAY_SIZE(awd_tm_maxes); i++)
		if (item == awd_tm_maxes[i].max)
			return true;
	return false;
}

bool awd_telem_supported(struct awd_dev *awd)
{
	return (awd->version & 0xffff) >= 2 &&
	       (awd->caps & AWD_CAP_TELEMETRY);
}

/* awd->tm_lock held: one 64-bit item (reading LO latches HI). */
static u64 awd_tm_read(struct awd_dev *awd, u32 scope, u32 item)
{
	u32 lo, hi;

	lockdep_assert_held(&awd->tm_lock);
	awd_wr(awd, AWD_REG_TM_SEL, AWD_TM_SEL(scope, item));
	lo = awd_rd(awd, AWD_REG_TM_DATA_LO);
	hi = awd_rd(awd, AWD_REG_TM_DATA_HI);
	return (u64)hi << 32 | lo;
}

/* awd->tm_lock held */
static void awd_tm_read_scope(struct awd_dev *awd, u32 scope,
			      struct awd_telem_scope *s)
{
	u32 i;

	for (i = 0; i < AWD_TM_NR_ITEMS; i++)
		s->item[i] = awd_tm_read(awd, scope, i);
	for (i = 0; i < AWD_TM_HIST_BUCKETS; i++)
		s->hist[i] = awd_tm_read(awd, scope, AWD_TM_LAT_HIST(i));
}

/* open(), after the queue reset: what the queue's items hold now. */
void awd_telem_open(struct awd_ctx *ctx)
{
	struct awd_dev *awd = ctx->awd;

	if (!awd_telem_supported(awd))
		return;
	mutex_lock(&ctx->lock);
	if (!ctx->dead && !READ_ONCE(awd->resetting)) {
		mutex_lock(&awd->tm_lock);
		awd_tm_read_scope(awd, ctx->qid, &ctx->tm_base);
		mutex_unlock(&awd->tm_lock);
		ctx->tm_base_ok = true;
	}
	mutex_unlock(&ctx->lock);
}

/* A count went backwards: the host reset the telemetry. */
static bool awd_tm_went_back(const struct awd_telem_scope *cur,
			     const struct awd_telem_scope *base)
{
	u32 i;

	for (i = 0; i < AWD_TM_NR_ITEMS; i++)
		if (!awd_tm_is_level(i) && cur->item[i] < base->item[i])
			return true;
	for (i = 0; i < AWD_TM_HIST_BUCKETS; i++)
		if (cur->hist[i] < base->hist[i])
			return true;
	return false;
}

/* ctx->lock held: turn the queue's raw values into values since open. */
static void awd_tm_since_open(struct awd_ctx *ctx, struct awd_telem *tm)
{
	struct awd_telem_scope *q = &tm->q, *base = &ctx->tm_base;
	u32 i, max, count;

	if (!ctx->tm_base_ok) {
		memset(q, 0, sizeof(*q));
		tm->flags |= AWD_TELEM_F_NO_QUEUE;
		return;
	}
	if (awd_tm_went_back(q, base)) {
		memset(base, 0, sizeof(*base));
		tm->flags |= AWD_TELEM_F_RESET;
	}
	for (i = 0; i < AWD_TM_NR_ITEMS; i++)
		if (!awd_tm_is_level(i))
			q->item[i] -= base->item[i];
	for (i = 0; i < AWD_TM_HIST_BUCKETS; i++)
		q->hist[i] -= base->hist[i];
	for (i = 0; i < ARRAY_SIZE(awd_tm_maxes); i++) {
		max = awd_tm_maxes[i].max;
		count = awd_tm_maxes[i].count;
		if (!q->item[count]) {
			q->item[max] = 0;
		} else if (q->item[max] <= base->item[max]) {
			/* at most the earlier owners' maximum: hidden */
			q->item[max] = 0;
			tm->q_unknown |= BIT_ULL(max);
		}
	}
}

int awd_ioc_telemetry(struct awd_ctx *ctx, void __user *uarg)
{
	struct awd_dev *awd = ctx->awd;
	struct awd_telem *tm;
	u32 in_flags;
	int rc = 0;

	if (get_user(in_flags, (u32 __user *)uarg))
		return -EFAULT;
	if (in_flags & ~AWD_TELEM_IN_VALID)
		return -EINVAL;
	if (!awd_telem_supported(awd))
		return -EOPNOTSUPP;
	if ((in_flags & AWD_TELEM_IN_HISTORY) && !perfmon_capable())
		return -EPERM;

	/* zeroed: reserved fields and slots past nr_items read 0 */
	tm = kzalloc_obj(*tm);
	if (!tm)
		return -ENOMEM;
	tm->version = AWD_TELEM_VERSION;
	tm->nr_items = AWD_TM_NR_ITEMS;
	tm->nr_buckets = AWD_TM_HIST_BUCKETS;

	mutex_lock(&ctx->lock);
	if (ctx->dead) {
		rc = -ENODEV;
	} else if (READ_ONCE(awd->resetting)) {
		rc = -EAGAIN;
	} else {
		tm->queue = ctx->qid;
		/* the queue first: the device's later counts include it */
		mutex_lock(&awd->tm_lock);
		awd_tm_read_scope(awd, ctx->qid, &tm->q);
		awd_tm_read_scope(awd, AWD_TM_SCOPE_DEVICE, &tm->dev);
		mutex_unlock(&awd->tm_lock);
		if (in_flags & AWD_TELEM_IN_HISTORY)
			tm->flags |= AWD_TELEM_F_HISTORY;
		else
			awd_tm_since_open(ctx, tm);
	}
	mutex_unlock(&ctx->lock);

	if (!rc && copy_to_user(uarg, tm, sizeof(*tm)))
		rc = -EFAULT;
	kfree(tm);
	return rc;
}

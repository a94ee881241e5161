/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * accel-wd page request client: PCIe PRI page request groups for the pages
 * the IOMMU refused, sent from a bottom half (the BQL), their page group
 * responses delivered by the per-PASID notifier, and the bounded wait of
 * a worker for its group. A group takes one of 512 PRG indices and counts
 * its pages against the PRI allocation the guest granted; a prefetch
 * group is not waited for and frees its slot on the response.
 *
 * A group sent but given up (its waiter timed out or its queue was reset,
 * or a prefetch unanswered for pri-timeout-ms) keeps its PRG index, held
 * as late, until the guest's answer comes (consumed quietly, counted in
 * late-responses) or another pri-timeout-ms passes: a reused index would
 * take that answer for another group's.
 *
 * Fault injection: pri-fail-every turns every Nth response into a
 * failure, pri-delay-ms acts on successful responses late.
 *
 * Locking: AwdAtc.lock and AwdAtc.cond, shared with the cache
 * (accel-wd-atc-int.h).
 */
#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "accel-wd-atc-int.h"
#include "accel_wd_hw.h"
#include "trace.h"

uint32_t awd_pri_limit(AwdAtc *atc)
{
    uint32_t alloc;

    if (!atc->pri_offset || !pcie_sva_pri_enabled(atc->pdev)) {
        return 0;
    }
    alloc = pci_get_long(atc->pdev->config + atc->pri_offset +
                         PCI_PRI_ALLOC_REQ);
    return MIN(MIN(alloc, atc->pri_max), ATC_PRGI_COUNT);
}

void awd_pri_send_bh(void *opaque)
{
    AwdAtc *atc = opaque;
    gpointer p;

    qemu_mutex_lock(&atc->lock);
    while ((p = g_queue_pop_head(&atc->send))) {
        uint32_t prgi = GPOINTER_TO_UINT(p) - 1;
        AwdPrgSlot *w = &atc->prg[prgi];
        AwdPrgSlot req;
        uint32_t i;
        int ret;

        if (!w->in_use || w->sent) {
            continue;           /* abandoned, or queued twice */
        }
        w->sent = true;
        req = *w;
        qemu_mutex_unlock(&atc->lock);
        for (i = 0, ret = 0; i < req.npages; i++) {
            bool last = i == req.npages - 1;

            trace_accel_wd_pri_request(req.pasid, req.pages[i], prgi,
                                       req.write, last);
            ret = pci_sva_pri_request_page(atc->pdev, req.pasid, req.priv,
                                           false, req.pages[i], last, prgi,
                                           true, req.write);
            /*
             * Who answers (docs/accel-wd-translation.md): a request the
             * IOMMU took (0), or refused after looking at it (-ENOSPC,
             * -EPERM, -EIO), is its to answer, the last one of a group
             * with one page group response. A request dropped before the
             * last only makes the group smaller. -ENODEV and -EINVAL
             * never reached it: nobody will answer, the device fails the
             * group itself below, and sends no more of it.
             */
            if (ret == -ENODEV || ret == -EINVAL) {
                break;
            }
        }
        qemu_mutex_lock(&atc->lock);
        if ((ret == -ENODEV || ret == -EINVAL) &&
            w->in_use && !w->done && w->pasid == req.pasid) {
            if (w->async || w->late) {
                /* nobody will answer: nothing to hold the index for */
                w->in_use = false;
                atc->prg_outstanding -= w->npages;
            } else {
                w->done = true;
                w->code = PCI_SVA_PRI_FAILURE;
            }
            qemu_cond_broadcast(&atc->cond);
        }
    }
    qemu_mutex_unlock(&atc->lock);
}

/*
 * Deterministic time: the worker of @x (may be NULL) waited for @what
 * (AWD_PRB_*) and has it; returns @x if its queue wants to hold the
 * guest until the worker yields again (pr_answered). atc->lock held.
 */
static AwdXlateCtx *pri_unblock(AwdXlateCtx *x, uint8_t what)
{
    if (!x || x->pr_blocked != what) {
        return NULL;
    }
    qatomic_set(&x->pr_blocked, AWD_PRB_NONE);
    return x->pr_at_sync && x->pr_answered ? x : NULL;
}

/* Deterministic time: the worker of @x waits for @what from the guest */
static void pri_block(AwdXlateCtx *x, uint8_t what)
{
    qatomic_set(&x->pr_blocked, what);
    if (x->hold_cond) {
        /* a release timer holding the guest may wait for this */
        qemu_cond_broadcast(x->hold_cond);
    }
}

bool awd_xlate_pr_blocked(AwdXlateCtx *x)
{
    return qatomic_read(&x->pr_blocked) != AWD_PRB_NONE;
}

void awd_xlate_pr_flush(AwdXlateCtx *x)
{
    if (x->atc) {
        awd_pri_send_bh(x->atc);
    }
}

/* Queue the group in slot @prgi for sending (atc->lock held) */
static void pri_queue_send(AwdXlateCtx *x, uint32_t prgi)
{
    AwdAtc *atc = x->atc;

    g_queue_push_tail(&atc->send, GUINT_TO_POINTER(prgi + 1));
    if (!x->pr_at_sync) {
        qemu_bh_schedule(atc->send_bh);
    }
}

void awd_pri_notify(PCISVAPRINotifier *n, PCISVAPRIResponse *r)
{
    AwdAtcPasid *ap = container_of(n, AwdAtcPasid, pri);
    AwdAtc *atc = ap->atc;
    AwdPrgSlot *w = r->prgi < ATC_PRGI_COUNT ? &atc->prg[r->prgi] : NULL;
    AwdXlateCtx *wx;
    bool match;

    /*
     * Under icount, the clock other threads read stands at the start of
     * the answering vCPU's time slice until that vCPU reads it itself, and
     * where a slice starts depends on when the host kicked the vCPU. Read
     * it here, in the vCPU that answers, before waking the worker: the
     * round trip it measures and the start of what it asks next are then
     * this instruction's time, not the host's.
     */
    qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    qemu_mutex_lock(&atc->lock);
    if (w && w->in_use && w->late && w->pasid == ap->pasid) {
        /* the answer to a group given up: a slow guest, not a wrong one */
        trace_accel_wd_pri_late_response(ap->pasid, r->prgi,
                                         r->response_code);
        w->in_use = false;
        atc->prg_outstanding -= w->npages;
        atc->pri_late++;
        qemu_cond_broadcast(&atc->cond);
        qemu_mutex_unlock(&atc->lock);
        return;
    }
    match = w && w->in_use && w->sent && !w->done && w->pasid == ap->pasid;
    trace_accel_wd_pri_response(ap->pasid, r->prgi, r->response_code, match);
    if (match && w->async) {
        /* a prefetch: the pages are in (or not); the slot is free again */
        w->in_use = false;
        atc->prg_outstanding -= w->npages;
        qemu_cond_broadcast(&atc->cond);
    } else if (match) {
        w->done = true;
        w->code = r->response_code;
        qemu_cond_broadcast(&atc->cond);
    }
    wx = !match ? NULL : pri_unblock(w->x, w->async ? AWD_PRB_SLOT :
                                                      AWD_PRB_ANSWER);
    if (!match) {
        atc->pri_stray++;
    }
    qemu_mutex_unlock(&atc->lock);
    if (wx) {
        wx->pr_answered(wx);
    }
    if (!match) {
        ATC_GUEST_ERR(trace_accel_wd_err_pri_response(ap->pasid, r->prgi),
                      "page group response for PASID 0x%x PRG index %u "
                      "with no outstanding request", ap->pasid, r->prgi);
    }
}

/* Hold the sent group in @w as late from now on (atc->lock held) */
static void pri_hold_late(AwdPrgSlot *w, int64_t now)
{
    w->late = true;
    w->late_ms = now;
    w->x = NULL;                /* nobody waits for it any more */
}

/*
 * A prefetch not answered within the page request timeout is given up
 * (held as late); a late group whose answer did not come within another
 * timeout frees its index and its share of the allocation. atc->lock held.
 */
static void pri_expire(AwdAtc *atc)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    int64_t tmo = atc->pri_timeout_ms;
    uint32_t i;

    for (i = 0; i < ATC_PRGI_COUNT; i++) {
        AwdPrgSlot *w = &atc->prg[i];

        if (!w->in_use) {
            continue;
        }
        if (w->async && !w->late && now - w->born_ms > tmo) {
            if (w->sent) {
                pri_hold_late(w, now);
            } else {
                w->in_use = false;
                atc->prg_outstanding -= w->npages;
            }
        } else if (w->late && now - w->late_ms > tmo) {
            trace_accel_wd_pri_late_expired(w->pasid, i);
            w->in_use = false;
            atc->prg_outstanding -= w->npages;
            qemu_cond_broadcast(&atc->cond);
        }
    }
}

/* A free PRG slot, or ATC_NO_SLOT. Called with atc->lock held. */
static uint32_t pri_free_slot(AwdAtc *atc)
{
    uint32_t i;

    for (i = 0; i < ATC_PRGI_COUNT; i++) {
        uint32_t c = (atc->prg_next + i) % ATC_PRGI_COUNT;

        if (!atc->prg[c].in_use) {
            return c;
        }
    }
    return ATC_NO_SLOT;
}

/*
 * Wait on atc->cond for at most one slice. Returns false if the queue is
 * being reset or stopped, or @deadline (ms, QEMU_CLOCK_REALTIME) passed
 * (*timed_out set).
 */
static bool pri_wait_slice(AwdXlateCtx *x, int64_t deadline, bool *timed_out)
{
    AwdAtc *atc = x->atc;
    int64_t now;

    if (x->abort && qatomic_read(x->abort)) {
        return false;
    }
    now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    if (now >= deadline) {
        *timed_out = true;
        return false;
    }
    qemu_cond_timedwait(&atc->cond, &atc->lock,
                        MIN(deadline - now, ATC_WAIT_SLICE_MS));
    return true;
}

/*
 * What the wait for slot @w (NULL: none was had) came to, with fault
 * injection; frees the slot. atc->lock held.
 */
static uint32_t pri_outcome(AwdAtc *atc, AwdAtcPasid *ap, AwdPrgSlot *w,
                            uint32_t prgi, uint64_t addr, bool timed_out)
{
    uint32_t st;

    if (w && w->done) {
        uint8_t code = w->code;

        if (atc->pri_fail_every &&
            ++atc->pri_responses % atc->pri_fail_every == 0) {
            trace_accel_wd_pri_inject_failure(ap->pasid, addr, prgi, code);
            code = PCI_SVA_PRI_FAILURE;
        }
        st = code == PCI_SVA_PRI_SUCCESS ? AWD_STS_OK : AWD_STS_FAULT;
        if (st != AWD_STS_OK) {
            trace_accel_wd_pri_failed(ap->pasid, addr, prgi, code);
        }
    } else {
        st = timed_out ? AWD_STS_FAULT : AWD_STS_ABORTED;
    }
    if (w && w->sent && !w->done) {
        /* an answer may still come: keep the index until it does */
        pri_hold_late(w, qemu_clock_get_ms(QEMU_CLOCK_REALTIME));
    } else if (w) {
        w->in_use = false;
        atc->prg_outstanding -= w->npages;
        qemu_cond_broadcast(&atc->cond);
    }
    return st;
}

/* Telemetry and the timing model: one page request round trip */
static void pri_account(AwdXlateCtx *x, int64_t ns)
{
    uint64_t rtt = MAX(ns, 0);

    qatomic_set(&x->pr_waits, x->pr_waits + 1);
    qatomic_set(&x->pr_wait_sum_ns, x->pr_wait_sum_ns + rtt);
    qatomic_set(&x->pr_wait_max_ns, MAX(x->pr_wait_max_ns, rtt));
    x->pr_model_ns += MAX(rtt, (uint64_t)MAX(x->pr_floor_ns, 0));
}

static uint32_t pri_request_wait(AwdXlateCtx *x, AwdAtcPasid *ap,
                                 const uint64_t *pages, uint32_t n,
                                 bool write, int64_t deadline)
{
    AwdAtc *atc = x->atc;
    uint64_t addr = pages[0];
    bool timed_out = false;
    uint32_t prgi = ATC_NO_SLOT, st;
    AwdPrgSlot *w = NULL;

    STAT_INC(x->page_groups);
    qatomic_set(&x->page_requests, x->page_requests + n);
    qemu_mutex_lock(&atc->lock);
    for (;;) {
        uint32_t limit = awd_pri_limit(atc);

        if (!limit) {
            qemu_mutex_unlock(&atc->lock);
            return AWD_STS_FAULT;
        }
        /* the allocation counts page requests: shrink the group to fit */
        n = MIN(n, limit);
        pri_expire(atc);
        if (atc->prg_outstanding + n <= limit) {
            prgi = pri_free_slot(atc);
        }
        if (prgi != ATC_NO_SLOT) {
            break;
        }
        /* a slot frees when the guest answers a group */
        pri_block(x, AWD_PRB_SLOT);
        if (!pri_wait_slice(x, deadline, &timed_out)) {
            goto out;
        }
    }
    qatomic_set(&x->pr_blocked, AWD_PRB_NONE);
    atc->prg_next = (prgi + 1) % ATC_PRGI_COUNT;
    atc->prg_outstanding += n;
    w = &atc->prg[prgi];
    *w = (AwdPrgSlot) {
        .in_use = true, .pasid = ap->pasid, .npages = n, .priv = x->priv,
        .write = write, .x = x,
    };
    memcpy(w->pages, pages, n * sizeof(pages[0]));
    pri_queue_send(x, prgi);
    if (!w->done) {
        pri_block(x, AWD_PRB_ANSWER);
    }
    while (!w->done) {
        if (!pri_wait_slice(x, deadline, &timed_out)) {
            break;
        }
    }
out:
    qatomic_set(&x->pr_blocked, AWD_PRB_NONE);
    st = pri_outcome(atc, ap, w, prgi, addr, timed_out);
    if (st == AWD_STS_OK && atc->pri_delay_ms) {
        /* fault injection: a slow page request handler */
        deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + atc->pri_delay_ms;
        while (pri_wait_slice(x, deadline, &timed_out)) {
            continue;
        }
        st = timed_out ? AWD_STS_OK : AWD_STS_ABORTED;
        timed_out = false;
    }
    qemu_mutex_unlock(&atc->lock);
    if (timed_out) {
        ATC_GUEST_ERR(trace_accel_wd_err_pri_timeout(ap->pasid, addr),
                      "page request for PASID 0x%x address 0x%" PRIx64
                      " not answered in %u ms", ap->pasid, addr,
                      atc->pri_timeout_ms);
    }
    return st;
}

uint32_t awd_pri_request(AwdXlateCtx *x, AwdAtcPasid *ap,
                         const uint64_t *pages, uint32_t n, bool write)
{
    int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                       x->atc->pri_timeout_ms;
    int64_t t0 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), t1;
    uint32_t st;

    /* the timing model's release timer must not wait for us meanwhile */
    qatomic_set(&x->in_pr, true);
    st = pri_request_wait(x, ap, pages, n, write, deadline);
    t1 = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    trace_accel_wd_pri_waited(ap->pasid, n, t0, t1);
    pri_account(x, t1 - t0);
    qatomic_set(&x->in_pr, false);
    return st;
}

bool awd_pri_send_async(AwdXlateCtx *x, AwdAtcPasid *ap,
                        const uint64_t *pages, uint32_t n, bool write)
{
    AwdAtc *atc = x->atc;
    uint32_t limit, prgi;
    AwdPrgSlot *w;

    qemu_mutex_lock(&atc->lock);
    limit = awd_pri_limit(atc);
    pri_expire(atc);
    prgi = atc->prg_outstanding + n <= limit / 2 ? pri_free_slot(atc) :
                                                   ATC_NO_SLOT;
    if (prgi == ATC_NO_SLOT) {
        qemu_mutex_unlock(&atc->lock);
        return false;
    }
    atc->prg_next = (prgi + 1) % ATC_PRGI_COUNT;
    atc->prg_outstanding += n;
    w = &atc->prg[prgi];
    *w = (AwdPrgSlot) {
        .in_use = true, .async = true, .pasid = ap->pasid, .npages = n,
        .priv = x->priv, .write = write, .x = x,
        .born_ms = qemu_clock_get_ms(QEMU_CLOCK_REALTIME),
    };
    memcpy(w->pages, pages, n * sizeof(pages[0]));
    pri_queue_send(x, prgi);
    qemu_mutex_unlock(&atc->lock);
    STAT_INC(x->page_groups);
    qatomic_set(&x->page_requests, x->page_requests + n);
    return true;
}

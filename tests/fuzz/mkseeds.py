#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the seed corpus of scripts/fuzz.sh (docs/fuzzing.md).

Each seed is an input of QEMU's generic-fuzz: operations separated by
"FUZZ", the first byte of each an opcode (tests/qtest/fuzz/generic_fuzz.c).
An MMIO operation names a region by its index among the fuzzed memory
regions in address order (generic-fuzz maps the BARs the same way for
every input), so the region numbers below belong to the device lists of
scripts/fuzz.sh; replaying a seed with QTEST_LOG=1 shows where each access
went. A seed only has to start the fuzzer somewhere deep: a queue enabled,
a descriptor fetched, an engine run, the IOMMU's tables walked.

    tests/fuzz/mkseeds.py [OUTDIR]      (default tests/fuzz/corpus)
"""
import os
import struct
import sys

OP_IN, OP_OUT, OP_READ, OP_WRITE, OP_PCI_READ, OP_PCI_WRITE, \
    OP_DISABLE_PCI, OP_ADD_DMA_PATTERN, OP_CLEAR_DMA_PATTERNS, \
    OP_CLOCK_STEP = range(10)
SEP = b"FUZZ"
B, W, L, Q = range(4)

# include/accel_wd_hw.h and the format headers
AWD_REG_CTRL = 0x20
AWD_CTRL_ENABLE = 1


def AWD_QREG(q):
    return 0x1000 + q * 0x80


AWD_Q_CTRL, AWD_Q_PASID = 0x00, 0x08
AWD_Q_SQ_BASE_LO, AWD_Q_SQ_BASE_HI = 0x10, 0x14
AWD_Q_CQ_BASE_LO, AWD_Q_CQ_BASE_HI = 0x18, 0x1c
AWD_Q_RING_ORDER = 0x20
AWD_QCTRL_ENABLE, AWD_QCTRL_PASID_EN, AWD_QCTRL_IRQ_EN = 1, 2, 8
AWD_QCTRL_DRAIN, AWD_QCTRL_RESET = 0x10, 0x20
AWD_DB_SQ_TAIL, AWD_DB_CQ_HEAD = 0x0, 0x4
AWD_OP_COMPRESS, AWD_OP_DECOMPRESS, AWD_OP_RSA, AWD_OP_BATCH = 1, 2, 3, 4
AWD_DF_IRQ, AWD_DF_STREAM, AWD_DF_STREAM_INIT, AWD_DF_FINAL = 1, 2, 4, 8
AWD_SGE_CHAIN, AWD_SGE_END = 1, 2

# hw/iommu-sva/iommu-sva-regs.h, iommu-sva-testdev.h
SVA_REG_GCMD, SVA_REG_RTADDR, SVA_REG_CCMD = 0x18, 0x20, 0x28
SVA_REG_IQT, SVA_REG_IQA, SVA_REG_PQA, SVA_REG_PQT = 0x88, 0x90, 0xd0, 0xc8
SVA_REG_PQH, SVA_REG_FSTS, SVA_REG_IOTLB = 0xc0, 0x34, 0x208
GCMD_TE, GCMD_SRTP, GCMD_QIE = 1 << 31, 1 << 30, 1 << 26
RTADDR_SMT = 1 << 10
SVA_TD_ADDR, SVA_TD_LEN, SVA_TD_PASID, SVA_TD_FLAGS = 0x08, 0x10, 0x18, 0x1c
SVA_TD_DATA, SVA_TD_CMD = 0x20, 0x28


def op(code, payload=b""):
    return bytes([code]) + payload


def mmio_w(region, off, val, size=L):
    # struct { u8 size; u8 base; (pad 2) u32 offset; u64 value; }
    return op(OP_WRITE, struct.pack("<BBxxIQ", size, region, off, val))


def mmio_r(region, off, size=L):
    return op(OP_READ, struct.pack("<BBxxI", size, region, off))


def pci_w(dev, off, val, size=L):
    # struct { u8 size; u8 base; u8 offset; (pad 1) u32 value; }
    return op(OP_PCI_WRITE, struct.pack("<BBBxI", size, dev, off, val))


def dma_pattern(data, index=0, stride=0):
    return op(OP_ADD_DMA_PATTERN, struct.pack("<BB", index, stride) + data)


def clock_step():
    return op(OP_CLOCK_STEP)


def seed(*ops):
    return SEP.join(ops)


def desc(opcode, src, dst, src_len, dst_len, flags=AWD_DF_IRQ, param=0,
         ctx=0, key=0, tag=0x1234, last=0):
    """struct awd_desc (ring, sgl, inplace) or awd_crec_desc (last=crec)"""
    return struct.pack("<BBHIQQIIQQIIQ", opcode, flags, 0, tag, src, dst,
                       src_len, dst_len, ctx, key, param, 0, last)


# A raw deflate stream (zlib.compressobj(wbits=-15)) of 300 bytes of text:
def deflated():
    import zlib
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(b"accel-wd fuzz seed " * 16) + c.flush()


# Guest-physical addresses of the seeds' rings and buffers (512 MiB RAM)
SQ, CQ, SRC, DST, CTX = 0x100000, 0x110000, 0x200000, 0x300000, 0x400000


def queue_setup(regs, q=0, order=2, sq=SQ, cq=CQ, pasid=None):
    qr = AWD_QREG(q)
    ops = [mmio_w(regs, AWD_REG_CTRL, AWD_CTRL_ENABLE),
           mmio_w(regs, qr + AWD_Q_SQ_BASE_LO, sq),
           mmio_w(regs, qr + AWD_Q_CQ_BASE_LO, cq),
           mmio_w(regs, qr + AWD_Q_RING_ORDER, order)]
    ctrl = AWD_QCTRL_ENABLE | AWD_QCTRL_IRQ_EN
    if pasid is not None:
        ops.append(mmio_w(regs, qr + AWD_Q_PASID, pasid))
        ctrl |= AWD_QCTRL_PASID_EN
    ops.append(mmio_w(regs, qr + AWD_Q_CTRL, ctrl))
    return ops


def accel_wd_seeds(dev):
    """dev: format -> (regs region, doorbell region, PCI device index)"""
    s = {}
    regs, db, _ = dev["ring"]
    comp = desc(AWD_OP_COMPRESS, SRC, DST, 512, 4096, param=1 << 4)
    # the SQ read takes pattern 0 (the descriptor), the source pattern 1
    s["ring-compress"] = seed(
        dma_pattern(comp), dma_pattern(b"abcdefgh" * 8, 7, 1),
        *queue_setup(regs), mmio_w(db, AWD_DB_SQ_TAIL, 1), clock_step(),
        mmio_w(db, AWD_DB_CQ_HEAD, 1))
    dec = desc(AWD_OP_DECOMPRESS, SRC, DST, len(deflated()), 4096)
    s["ring-decompress"] = seed(
        dma_pattern(dec), dma_pattern(deflated()),
        *queue_setup(regs), mmio_w(db, AWD_DB_SQ_TAIL, 1), clock_step())
    stream = desc(AWD_OP_COMPRESS, SRC, DST, 256, 4096,
                  flags=AWD_DF_IRQ | AWD_DF_STREAM | AWD_DF_STREAM_INIT,
                  param=(9 << 4) | 2, ctx=CTX)
    s["ring-stream"] = seed(
        dma_pattern(stream), dma_pattern(b"0123456789"),
        *queue_setup(regs, order=3), mmio_w(db, AWD_DB_SQ_TAIL, 3),
        clock_step(), mmio_w(regs, AWD_QREG(0) + AWD_Q_CTRL,
                             AWD_QCTRL_ENABLE | AWD_QCTRL_DRAIN))
    rsa = desc(AWD_OP_RSA, SRC, DST, 64, 64, key=SRC + 0x1000, param=0)
    s["ring-rsa"] = seed(
        dma_pattern(rsa), dma_pattern(bytes(range(1, 65)), 63, 2),
        *queue_setup(regs), mmio_w(db, AWD_DB_SQ_TAIL, 1), clock_step())

    regs, db, _ = dev["sgl"]
    # lists: one data entry each, END
    sdesc = desc(AWD_OP_COMPRESS, SRC, DST, 256, 2048, param=1 << 4)
    sge = struct.pack("<QII", SRC + 0x1000, 256, AWD_SGE_END)
    s["sgl-compress"] = seed(
        dma_pattern(sdesc), dma_pattern(sge), dma_pattern(sge),
        *queue_setup(regs), mmio_w(db, AWD_DB_SQ_TAIL, 1), clock_step())

    regs, db, _ = dev["crec"]
    cdesc = desc(AWD_OP_COMPRESS, SRC, DST, 512, 4096, param=1 << 4,
                 last=CQ)
    batch = desc(AWD_OP_BATCH, SQ + 0x40, 0, 2, 0, flags=0, last=CQ)
    s["crec-compress"] = seed(
        dma_pattern(cdesc), dma_pattern(b"crec"),
        *queue_setup(regs), mmio_w(db, 0, SQ, Q), clock_step())
    s["crec-batch"] = seed(
        dma_pattern(batch), dma_pattern(cdesc),
        *queue_setup(regs), mmio_w(db, 0, SQ, Q), clock_step())

    regs, db, _ = dev["inplace"]
    s["inplace-compress"] = seed(
        dma_pattern(comp), dma_pattern(b"inplace!"),
        *queue_setup(regs), mmio_w(db, AWD_DB_SQ_TAIL, 1), clock_step())
    return s


Q35_PCIEXBAR, Q35_ECAM_BASE = 0x60, 0xb0000000
AWD_DEVFN = 0x08                    # the first -device: slot 1
AWD_ATS_OFF, AWD_PASID_OFF = 0x100, 0x110


def iommu_seeds(sva, awd_regs, awd_db, td, mch):
    """Scalable-mode tables from DMA patterns: root, context, PASID
    directory and table, first-level page tables, invalidation queue."""
    s = {}
    RT, IQ, PQ = 0x80000, 0x90000, 0xa0000
    # every table entry present and pointing at the next 4 KiB page, so
    # that the pattern reads as a chain of present entries
    present = struct.pack("<QQ", 0x81001 | (1 << 0), 0)
    setup = [mmio_w(sva, SVA_REG_RTADDR, RT | RTADDR_SMT, Q),
             mmio_w(sva, SVA_REG_GCMD, GCMD_SRTP),
             mmio_w(sva, SVA_REG_IQA, IQ, Q),
             mmio_w(sva, SVA_REG_GCMD, GCMD_SRTP | GCMD_QIE),
             mmio_w(sva, SVA_REG_PQA, PQ, Q),
             mmio_w(sva, SVA_REG_GCMD, GCMD_SRTP | GCMD_QIE | GCMD_TE)]
    s["iommu-enable"] = seed(dma_pattern(present), *setup)
    # an invalidation queue of PASID-based IOTLB and wait descriptors
    inv = struct.pack("<QQQQ", 0x06 | (1 << 4) | (5 << 32), 0x1000, 0, 0)
    wait = struct.pack("<QQQQ", 0x05 | (1 << 5) | (0x55 << 32), IQ + 0x800,
                       0, 0)
    s["iommu-qi"] = seed(
        dma_pattern(inv + wait), *setup,
        mmio_w(sva, SVA_REG_IQT, 2 << 5, Q), mmio_r(sva, SVA_REG_FSTS))
    # the test device translates (ATS) and DMAs with a PASID
    s["iommu-testdev"] = seed(
        dma_pattern(present), *setup,
        mmio_w(td, SVA_TD_ADDR, 0x7000, Q), mmio_w(td, SVA_TD_LEN, 0x1000, Q),
        mmio_w(td, SVA_TD_PASID, 5), mmio_w(td, SVA_TD_FLAGS, 1 << 3),
        mmio_w(td, SVA_TD_CMD, 1), mmio_w(td, SVA_TD_CMD, 2),
        mmio_w(td, SVA_TD_CMD, 3), mmio_w(td, SVA_TD_CMD, 4))
    # accel-wd on PASID 5 through the tables: ATS translations, page walks
    comp = desc(AWD_OP_COMPRESS, SRC, DST, 512, 4096, param=1 << 4)
    # ECAM on (MCH PCIEXBAR), then ATS and PASID enabled through it;
    # ECAM at 0xb0000000 is then the lowest fuzzed region: the others
    # move up by one
    ecam = [pci_w(mch, Q35_PCIEXBAR, Q35_ECAM_BASE | 1),
            mmio_w(0, (AWD_DEVFN << 12) + AWD_ATS_OFF + 6, 1 << 15, W),
            mmio_w(0, (AWD_DEVFN << 12) + AWD_PASID_OFF + 6, 1, W)]
    s["iommu-accel-wd"] = seed(
        dma_pattern(present), *setup, dma_pattern(comp), *ecam,
        *queue_setup(awd_regs + 1, pasid=5),
        mmio_w(awd_db + 1, AWD_DB_SQ_TAIL, 1), clock_step())
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    # scripts/fuzz.sh, accel-wd: four devices, each with BAR0 registers,
    # BAR2 doorbells, MSI-X table and PBA. generic-fuzz finds (and maps)
    # them last -device first: inplace, crec, sgl, ring.
    awd = {f: (4 * i, 4 * i + 1, i)
           for i, f in enumerate(["inplace", "crec", "sgl", "ring"])}
    # iommu-sva: the test device's BAR, accel-wd (4 regions), the IOMMU;
    # PCI devices: test device, accel-wd, MCH
    seeds = {"accel-wd": accel_wd_seeds(awd),
             "iommu-sva": iommu_seeds(sva=5, awd_regs=1, awd_db=2, td=0,
                                      mch=2)}
    for target, ss in seeds.items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in ss.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()

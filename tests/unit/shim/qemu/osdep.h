/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host shim for the accel-wd engines: the few things they take from
 * QEMU's qemu/osdep.h, so tests/unit can build them without QEMU.
 */
#ifndef AWD_UNIT_SHIM_OSDEP_H
#define AWD_UNIT_SHIM_OSDEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
/* QEMU's config-host.h names the host architecture so */
#if defined(__x86_64__)
#define HOST_X86_64 1
#endif

#endif

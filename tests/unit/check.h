/*
 * SPDX-License-Identifier: GPL-2.0-or-later
 *
 * Host unit tests of the accel-wd engines: a check that counts failures
 * and goes on, so one run reports every broken case.
 */
#ifndef AWD_UNIT_CHECK_H
#define AWD_UNIT_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, \
                    #cond); \
            failures++; \
        } \
    } while (0)

#endif

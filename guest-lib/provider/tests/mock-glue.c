// SPDX-License-Identifier: MIT
/*
 * The provider built with the mock driver and device of
 * guest-lib/tests/mock.c (ld --wrap), for host tests. Environment:
 * AWD_PROV_MOCK_FAIL (set): the queue's first request stops it in an
 * error state (every device call then fails), a failing device.
 */
#include <stdlib.h>

#include "mock.h"

__attribute__((constructor)) static void knobs_from_env(void)
{
	if (getenv("AWD_PROV_MOCK_FAIL"))
		mock_knobs.fail_next = true;
}

// SPDX-License-Identifier: MIT
/*
 * libawdz-mock.so: libawdz with the mock driver and device of
 * guest-lib/tests/mock.c linked in (ld --wrap), for host tests that
 * preload it into unmodified programs.
 *
 * The mock device runs the device's engines, which use zlib, on threads
 * of its own inside this library; their zlib calls land in the shim. Each
 * thread the mock starts runs with the shim's re-entry guard held, so
 * they go straight to the system zlib, as the real device's would.
 *
 * Environment: AWDZ_MOCK_FAIL (the queue's first request stops it in an
 * error state), AWDZ_MOCK_STALL (the device never completes anything).
 */
#include "awdz.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "mock.h"

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);

struct start {
	void *(*fn)(void *);
	void *arg;
};

static void *guarded(void *p)
{
	struct start st = *(struct start *)p;

	free(p);
	awdz_in_real = 1;
	return st.fn(st.arg);
}

int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	struct start *st = malloc(sizeof(*st));
	int ret;

	if (!st)
		return EAGAIN;
	st->fn = fn;
	st->arg = arg;
	ret = __real_pthread_create(thread, attr, guarded, st);
	if (ret)
		free(st);
	return ret;
}

AWDZ_EXPORT struct mock_knobs *awdz_mock_knobs(void);
AWDZ_EXPORT void awdz_mock_timeout(int ms);

/* AWDZ_TIMEOUT_MS, changed at run time (the stall test) */
void awdz_mock_timeout(int ms)
{
	awdz_init();
	awdz_conf.timeout_ms = ms;
}

AWDZ_EXPORT struct mock_knobs *awdz_mock_knobs(void)
{
	return &mock_knobs;
}

__attribute__((constructor)) static void knobs_from_env(void)
{
	if (getenv("AWDZ_MOCK_FAIL"))
		mock_knobs.fail_next = true;
	if (getenv("AWDZ_MOCK_STALL"))
		mock_knobs.stall = true;
}

// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * awd-fataltest MARKER: requests in flight when the device goes fatal.
 *
 * Submits NREQ compressions whose source pages were never touched, so
 * every one waits for page requests (run the device with pri-delay-ms so
 * that the answers are slow), checks that none has completed, prints
 * MARKER (run-guest.sh --qmp-on then injects the fatal error through
 * QMP) and waits. The driver resets the device; the queue reports the
 * reset (-EIO from awd_wait), awd_ctx_reset() starts it again and hands
 * back every request that was in flight with -ECANCELED; a new request
 * then compresses correctly (checked by decompressing it).
 *
 * Exit 0 pass, 1 fail.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "accelwd.h"

#define NREQ		4
#define REQ_LEN		(1u << 20)
#define CHECK_LEN	(64u << 10)

#define FAIL(...) do { \
	fprintf(stderr, "awd-fataltest: " __VA_ARGS__); \
	fputc('\n', stderr); \
	exit(1); \
} while (0)

static void *fresh(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		FAIL("mmap: %s", strerror(errno));
	return p;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct awd_req req[NREQ], one = AWD_REQ_INIT, back = AWD_REQ_INIT;
	struct awd_req *done[NREQ];
	unsigned int ok = 0, cancelled = 0, i;
	struct awd_ctx *ctx;
	unsigned char *src, *dst, *out;
	double t0;
	int ret, n, fd;

	if (argc != 2)
		FAIL("usage: awd-fataltest MARKER");
	ret = awd_ctx_open(&ctx, NULL, 0);
	if (ret)
		FAIL("awd_ctx_open: %s", awd_strerror(ret));

	for (i = 0; i < NREQ; i++) {
		memset(&req[i], 0, sizeof(req[i]));
		req[i].op = AWD_REQ_COMPRESS;
		req[i].format = AWD_FORMAT_RAW;
		req[i].level = 1;
		req[i].src = fresh(REQ_LEN);	/* untouched: page requests */
		req[i].src_len = REQ_LEN;
		req[i].dst = fresh(REQ_LEN);
		req[i].dst_len = REQ_LEN;
		ret = awd_submit(ctx, &req[i]);
		if (ret)
			FAIL("awd_submit %u: %s", i, awd_strerror(ret));
	}
	usleep(300 * 1000);
	n = awd_poll(ctx, done, NREQ);
	if (n != 0)
		FAIL("awd_poll before the fault: %d (the requests must still be in flight)",
		     n);

	/*
	 * The host injects the fatal error on this line. It goes to the
	 * console itself: the test harness keeps our stdout until we exit.
	 */
	fd = open("/dev/console", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || dprintf(fd, "%s\n", argv[1]) < 0)
		FAIL("writing the marker to /dev/console: %s", strerror(errno));
	close(fd);

	/* the queue stops with the device: awd_wait() reports it */
	t0 = now();
	for (;;) {
		n = awd_wait(ctx, done, NREQ, 1000);
		if (n < 0)
			break;
		for (i = 0; i < (unsigned int)n; i++)
			if (done[i]->result == 0)
				ok++;
			else
				FAIL("request completed with %d (%s) before the reset",
				     done[i]->result, awd_strerror(done[i]->result));
		if (now() - t0 > 60)
			FAIL("no reset seen in 60 s");
	}
	if (n != -EIO)
		FAIL("awd_wait after the fault: %d (%s), expected -EIO", n,
		     awd_strerror(n));
	printf("awd_wait: %s after %.1f s (%u completed before)\n",
	       awd_strerror(n), now() - t0, ok);

	/* recovery: the driver may still be resetting the device */
	t0 = now();
	while ((ret = awd_ctx_reset(ctx)) == -EAGAIN && now() - t0 < 30)
		usleep(100 * 1000);
	if (ret)
		FAIL("awd_ctx_reset: %s", awd_strerror(ret));
	n = awd_poll(ctx, done, NREQ);
	if (n < 0)
		FAIL("awd_poll after reset: %s", awd_strerror(n));
	for (i = 0; i < (unsigned int)n; i++) {
		if (done[i]->result != -ECANCELED)
			FAIL("in-flight request came back with %d (%s), expected -ECANCELED",
			     done[i]->result, awd_strerror(done[i]->result));
		cancelled++;
	}
	if (!cancelled || ok + cancelled != NREQ)
		FAIL("%u cancelled + %u completed != %u submitted", cancelled,
		     ok, NREQ);
	printf("%u in-flight requests came back with -ECANCELED\n", cancelled);

	/* the queue works again */
	src = fresh(CHECK_LEN);
	dst = fresh(2 * CHECK_LEN);
	out = fresh(CHECK_LEN);
	for (i = 0; i < CHECK_LEN; i++)
		src[i] = "accel-wd fatal recovery "[i % 24] ^ (i >> 12);
	memset(dst, 0, 2 * CHECK_LEN);
	memset(out, 0, CHECK_LEN);
	one.op = AWD_REQ_COMPRESS;
	one.format = AWD_FORMAT_GZIP;
	one.level = 6;
	one.src = src;
	one.src_len = CHECK_LEN;
	one.dst = dst;
	one.dst_len = 2 * CHECK_LEN;
	ret = awd_run(ctx, &one);
	if (ret)
		FAIL("compress after recovery: %s", awd_strerror(ret));
	back.op = AWD_REQ_DECOMPRESS;
	back.format = AWD_FORMAT_GZIP;
	back.src = dst;
	back.src_len = one.produced;
	back.dst = out;
	back.dst_len = CHECK_LEN;
	ret = awd_run(ctx, &back);
	if (ret || back.produced != CHECK_LEN || memcmp(src, out, CHECK_LEN))
		FAIL("round trip after recovery: %s, %zu bytes",
		     awd_strerror(ret), back.produced);
	printf("a new request after recovery: %u -> %zu -> %zu bytes, equal\n",
	       CHECK_LEN, one.produced, back.produced);
	ret = awd_ctx_close(&ctx);
	if (ret)
		FAIL("awd_ctx_close: %s", awd_strerror(ret));
	return 0;
}

// SPDX-License-Identifier: MIT
/*
 * awd-badaddr [N]: N requests (default 1000) that name an address no
 * translation can ever reach (non-canonical) or one the process may not
 * use (the kernel's), as source or destination, from a process that
 * dropped its privileges after opening the queue. Each must complete with
 * -EFAULT and awd_req.fault_addr inside the bad buffer; afterwards a good
 * request still round-trips. tests/guest/awd-badaddr.sh counts the kernel
 * log lines around it. Exit 0, 1 on a failure, 77 without SVA.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "accelwd.h"

#define LEN	4096

static const uint64_t bad[] = {
	0x8000000000000000ull,	/* non-canonical with 4- and 5-level paging */
	0x7fff000000000000ull,	/* also non-canonical in both */
	0xffff888000000000ull,	/* the kernel's direct map (4-level) */
	0xffffffff81000000ull,	/* kernel text */
};

int main(int argc, char **argv)
{
	static unsigned char src[LEN], dst[2 * LEN], back[LEN];
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1000, i, fails = 0;
	struct awd_ctx *ctx;
	struct awd_req r;
	uLongf blen = sizeof(back);
	int rc;

	rc = awd_ctx_open(&ctx, NULL, AWD_OPEN_SVA_ONLY);
	if (rc == -EOPNOTSUPP) {
		printf("SKIP: queue not in SVA mode\n");
		return 77;
	}
	if (rc) {
		fprintf(stderr, "awd_ctx_open: %s\n", awd_strerror(rc));
		return 1;
	}
	/* open as root (the node may be root-only), then run unprivileged */
	if (getuid() == 0 && (setgroups(0, NULL) || setgid(65534) ||
			      setuid(65534))) {
		perror("dropping privileges");
		return 1;
	}
	if (getuid() == 0 || geteuid() == 0) {
		fprintf(stderr, "still privileged\n");
		return 1;
	}
	memset(src, 'a', sizeof(src));
	for (i = 0; i < n; i++) {
		uint64_t a = bad[i % 4];
		bool as_dst = (i / 4) & 1;

		r = (struct awd_req)AWD_REQ_INIT;
		r.op = AWD_REQ_COMPRESS;
		r.format = AWD_FORMAT_ZLIB;
		r.level = 1;
		r.src = as_dst ? (void *)src : (void *)(uintptr_t)a;
		r.dst = as_dst ? (void *)(uintptr_t)a : (void *)dst;
		r.src_len = LEN;
		r.dst_len = as_dst ? LEN : sizeof(dst);
		rc = awd_run(ctx, &r);
		if (rc != -EFAULT || r.fault_addr < a ||
		    r.fault_addr >= a + LEN) {
			if (fails++ < 10)
				fprintf(stderr, "request %ld (%s 0x%llx): %s, "
					"status %s, fault_addr 0x%llx\n", i,
					as_dst ? "dst" : "src",
					(unsigned long long)a,
					awd_strerror(rc),
					awd_hw_status_str(r.hw_status),
					(unsigned long long)r.fault_addr);
		}
	}
	printf("%ld bad requests, %ld not answered with -EFAULT at the "
	       "address\n", n, fails);

	/* the queue still works */
	r = (struct awd_req)AWD_REQ_INIT;
	r.op = AWD_REQ_COMPRESS;
	r.format = AWD_FORMAT_ZLIB;
	r.level = 1;
	r.src = src;
	r.dst = dst;
	r.src_len = LEN;
	r.dst_len = sizeof(dst);
	rc = awd_run(ctx, &r);
	if (rc || uncompress(back, &blen, dst, r.produced) != Z_OK ||
	    blen != LEN || memcmp(back, src, LEN)) {
		fprintf(stderr, "good request after the bad ones: %s\n",
			awd_strerror(rc));
		fails++;
	}
	awd_ctx_close(&ctx);
	return fails ? 1 : 0;
}

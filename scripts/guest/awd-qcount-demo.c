// SPDX-License-Identifier: MIT
/*
 * Compiled inside the rootfs guest by awd-rootfs-demo (`pkg-config
 * accelwd`): compress a file on the device in 1 MiB pieces from fresh
 * (never touched) output buffers, so the device faults their pages in with
 * PRI page requests, and print this process's PASID and the queue's device
 * counters (AWD_IOC_QCOUNT: ATS translations, page requests).
 */
#include <accelwd.h>
#include <accel_wd_uapi.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	struct awd_ctx *ctx = NULL;
	struct awd_caps caps;
	struct awd_qcount qc;
	size_t piece = 1 << 20, n, total_in = 0, total_out = 0;
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	unsigned char *in = malloc(piece);
	int ret;

	if (!f || !in) {
		fprintf(stderr, "usage: awd-qcount-demo FILE\n");
		return 2;
	}
	ret = awd_ctx_open(&ctx, NULL, 0);
	if (ret) {
		fprintf(stderr, "awd_ctx_open: %s\n", awd_strerror(ret));
		return 1;
	}
	while ((n = fread(in, 1, piece, f)) > 0) {
		size_t room = awd_compress_bound(AWD_FORMAT_GZIP, n);
		void *out = mmap(NULL, room, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (out == MAP_FAILED)
			return 2;
		ret = awd_compress(ctx, AWD_FORMAT_GZIP, 6, in, n, out, &room);
		if (ret) {
			fprintf(stderr, "awd_compress: %s\n", awd_strerror(ret));
			return 1;
		}
		total_in += n;
		total_out += room;
		munmap(out, awd_compress_bound(AWD_FORMAT_GZIP, n));
	}
	awd_ctx_caps(ctx, &caps);
	printf("  %zu -> %zu bytes on queue %u, PASID %u (%s)\n", total_in,
	       total_out, caps.queue, caps.pasid,
	       caps.mode == AWD_CTX_MODE_SVA ? "SVA" : "no-SVA");
	if (ioctl(awd_ctx_fd(ctx), AWD_IOC_QCOUNT, &qc) == 0)
		printf("  device counters of the queue: %llu ATS translation requests, %llu page requests served, %llu doorbells\n",
		       (unsigned long long)qc.cnt[AWD_QCNT_ATS],
		       (unsigned long long)qc.cnt[AWD_QCNT_PAGE_REQS],
		       (unsigned long long)qc.cnt[AWD_QCNT_DB_WRITES]);
	else
		printf("  (AWD_IOC_QCOUNT: %m: this driver does not have the device counters yet)\n");
	awd_ctx_close(&ctx);
	return 0;
}

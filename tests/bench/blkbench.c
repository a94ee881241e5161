// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * blkbench: O_DIRECT throughput of a block device inside the test guest
 * (busybox dd prints no rate). Best of ROUNDS for each of: sequential
 * write and read in 1 MiB blocks, and 4 KiB reads.
 *   blkbench DEVICE MIB ROUNDS   ->   "BENCH write=.. read=.. read4k=.." MB/s
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One pass over @total bytes in @bs blocks; returns MB/s or -1. */
static double pass(int fd, char *buf, size_t bs, size_t total, int write_)
{
	double t0 = now();
	size_t off;

	for (off = 0; off < total; off += bs) {
		ssize_t n = write_ ? pwrite(fd, buf, bs, off) : pread(fd, buf, bs, off);

		if (n != (ssize_t)bs) {
			fprintf(stderr, "blkbench: %s at %zu: %s\n",
				write_ ? "write" : "read", off,
				n < 0 ? strerror(errno) : "short");
			return -1;
		}
	}
	return total / (now() - t0) / 1e6;
}

int main(int argc, char **argv)
{
	double best[3] = { 0, 0, 0 };
	size_t total;
	int rounds, fd, i;
	char *buf;

	if (argc != 4) {
		fprintf(stderr, "usage: blkbench DEVICE MIB ROUNDS\n");
		return 2;
	}
	total = (size_t)atoi(argv[2]) << 20;
	rounds = atoi(argv[3]);
	fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0 || !total || rounds < 1 ||
	    posix_memalign((void **)&buf, 4096, 1 << 20)) {
		perror("blkbench");
		return 2;
	}
	for (i = 0; i < (1 << 20); i++)
		buf[i] = (char)(i * 131 + 7);
	for (i = 0; i < rounds; i++) {
		double r[3] = {
			pass(fd, buf, 1 << 20, total, 1),
			pass(fd, buf, 1 << 20, total, 0),
			pass(fd, buf, 4096, total / 8, 0),
		};
		int k;

		for (k = 0; k < 3; k++) {
			if (r[k] < 0)
				return 1;
			if (r[k] > best[k])
				best[k] = r[k];
		}
	}
	printf("BENCH write=%.1f read=%.1f read4k=%.1f\n", best[0], best[1], best[2]);
	return 0;
}

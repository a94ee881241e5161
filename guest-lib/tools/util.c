// SPDX-License-Identifier: MIT
/*
 * Helpers shared by the awd subcommands: messages, whole reads and writes,
 * opening a context with a message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "awd-tool.h"

const char *awd_prog = "awd";

void awd_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", awd_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int awd_read_full(int fd, void *buf, size_t len, size_t *got)
{
	size_t n = 0;

	while (n < len) {
		ssize_t r = read(fd, (char *)buf + n, len - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			*got = n;
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*got = n;
	return 0;
}

int awd_write_full(int fd, const void *buf, size_t len)
{
	while (len) {
		ssize_t r = write(fd, buf, len);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf = (const char *)buf + r;
		len -= (size_t)r;
	}
	return 0;
}

int awd_read_all(int fd, size_t max, uint8_t **bufp, size_t *lenp)
{
	size_t cap = 4096, len = 0, got;
	uint8_t *buf = malloc(cap), *nb;
	int ret;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ret = awd_read_full(fd, buf + len, cap - len, &got);
		if (ret) {
			free(buf);
			return ret;
		}
		len += got;
		if (len < cap)
			break;
		if (cap >= max) {
			free(buf);
			return -EFBIG;
		}
		cap *= 2;
		nb = realloc(buf, cap);
		if (!nb) {
			free(buf);
			return -ENOMEM;
		}
		buf = nb;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* AWD_WAIT set (and not "0"): wait for a queue when all are taken */
int awd_tool_open(struct awd_ctx **ctx, const char *dev, unsigned int flags)
{
	const char *wait = getenv("AWD_WAIT");
	int ret;

	if (wait && wait[0] && strcmp(wait, "0"))
		flags |= AWD_OPEN_WAIT;
	ret = awd_ctx_open(ctx, dev, flags);

	if (ret)
		awd_msg("cannot open %s: %s", dev && *dev ? dev :
			"an accel-wd device", awd_strerror(ret));
	return ret;
}

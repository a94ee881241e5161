// SPDX-License-Identifier: MIT
/*
 * A program as an application writes it: only <accelwd.h>, strict C99,
 * linked with the shared library. The header stands alone and the
 * exported entry points work.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <accelwd.h>

int main(void)
{
	struct awd_ctx *ctx = NULL;
	uint8_t hdr[32];
	struct awd_gzip_header h = { 0 };
	int fails = 0, n;

	h.os = 3;
	fails += strcmp(awd_version(), AWD_LIB_VERSION) != 0;
	fails += awd_strerror(-ENOBUFS)[0] == 0;
	fails += awd_compress_bound(AWD_FORMAT_GZIP, 1000) < 1000;
	n = awd_gzip_header_write(&h, hdr, sizeof(hdr));
	fails += n != 10 || awd_gzip_header_parse(hdr, 10, NULL) != 10;
	fails += awd_ctx_open(&ctx, "/nonexistent", 0) != -ENOENT;
	fails += awd_ctx_close(&ctx) != -EBADF;
	printf("%s\n", fails ? "FAIL" : "ok");
	return fails != 0;
}

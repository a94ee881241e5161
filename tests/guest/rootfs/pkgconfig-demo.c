// SPDX-License-Identifier: MIT
/*
 * Built inside the guest against `pkg-config accelwd`: compress stdin to a
 * gzip stream on stdout through the device, decompress it again on the
 * device and compare, and print the context's counters to stderr.
 */
#include <accelwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	static unsigned char in[512 * 1024];
	struct awd_ctx *ctx = NULL;
	struct awd_stats st;
	size_t n = fread(in, 1, sizeof(in), stdin);
	size_t clen = awd_compress_bound(AWD_FORMAT_GZIP, n), dlen = n, slen;
	unsigned char *out = malloc(clen), *back = malloc(n + 1);
	int ret;

	if (!out || !back)
		return 2;
	ret = awd_ctx_open(&ctx, NULL, 0);
	if (ret) {
		fprintf(stderr, "awd_ctx_open: %s\n", awd_strerror(ret));
		return 1;
	}
	ret = awd_compress(ctx, AWD_FORMAT_GZIP, 6, in, n, out, &clen);
	if (ret) {
		fprintf(stderr, "awd_compress: %s\n", awd_strerror(ret));
		return 1;
	}
	slen = clen;
	dlen = n + 1;
	ret = awd_decompress(ctx, AWD_FORMAT_GZIP, out, &slen, back, &dlen);
	if (ret || dlen != n || memcmp(back, in, n)) {
		fprintf(stderr, "awd_decompress: %s, %zu of %zu bytes\n",
			awd_strerror(ret), dlen, n);
		return 1;
	}
	if (awd_ctx_stats(ctx, &st) == 0)
		fprintf(stderr, "library %s: submitted=%llu completed=%llu bytes_in=%llu bytes_out=%llu\n",
			awd_version(), (unsigned long long)st.submitted,
			(unsigned long long)st.completed,
			(unsigned long long)st.bytes_in,
			(unsigned long long)st.bytes_out);
	fwrite(out, 1, clen, stdout);
	awd_ctx_close(&ctx);
	return 0;
}

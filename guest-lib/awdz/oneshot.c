// SPDX-License-Identifier: MIT
/*
 * libawdz: compress(), compress2(), uncompress(), uncompress2(): one
 * device request from the caller's buffer into the caller's buffer; zlib
 * does the call again from the start when the device cannot.
 */
#include "awdz.h"

#include <errno.h>
#include <string.h>

AWDZ_EXPORT int compress2(Bytef *dest, uLongf *dest_len, const Bytef *source,
			  uLong source_len, int level)
{
	enum awdz_reason why = AWDZ_FB_PARAM;
	struct awd_req req = AWD_REQ_INIT;
	struct awd_caps caps;

	awdz_init();
	if (awdz_in_real)
		return REAL(compress2, dest, dest_len, source, source_len,
			    level);
	if (level == Z_DEFAULT_COMPRESSION)
		level = 6;
	if (level < AWD_LEVEL_MIN || level > AWD_LEVEL_MAX || !dest ||
	    !dest_len || !source)
		goto sw;
	why = AWDZ_FB_SMALL;
	if (source_len < awdz_conf.min_deflate)
		goto sw;
	if (!awdz_hw_ctx(&caps, &why))
		goto sw;
	why = AWDZ_FB_LARGE;
	if (source_len > awdz_deflate_window(&caps, AWD_FORMAT_ZLIB))
		goto sw;
	why = AWDZ_FB_ROOM;
	if (!*dest_len)
		goto sw;
	req.op = AWD_REQ_COMPRESS;
	req.format = AWD_FORMAT_ZLIB;
	req.level = (uint32_t)level;
	req.src = source;
	req.src_len = source_len;
	req.dst = dest;
	req.dst_len = *dest_len < caps.max_xfer ? *dest_len : caps.max_xfer;
	if (awdz_hw_run(&req, &why)) {
		if (why == AWDZ_FB_LARGE)  /* -ENOBUFS: the caller's room */
			why = AWDZ_FB_ROOM;
		goto sw;
	}
	*dest_len = req.produced;
	awdz_count(AWDZ_OP_COMPRESS, AWDZ_C_HW, 1);
	awdz_count(AWDZ_OP_COMPRESS, AWDZ_C_HW_IN, source_len);
	awdz_count(AWDZ_OP_COMPRESS, AWDZ_C_HW_OUT, req.produced);
	return Z_OK;
sw:
	awdz_fallback(AWDZ_OP_COMPRESS, why);
	return REAL(compress2, dest, dest_len, source, source_len,
		    level == 6 ? Z_DEFAULT_COMPRESSION : level);
}

AWDZ_EXPORT int compress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			 uLong source_len)
{
	awdz_init();
	if (awdz_in_real)
		return REAL(compress, dest, dest_len, source, source_len);
	return compress2(dest, dest_len, source, source_len,
			 Z_DEFAULT_COMPRESSION);
}

AWDZ_EXPORT int uncompress2(Bytef *dest, uLongf *dest_len,
			    const Bytef *source, uLong *source_len)
{
	enum awdz_reason why = AWDZ_FB_SMALL;
	struct awd_req req = AWD_REQ_INIT;
	struct awd_caps caps;

	awdz_init();
	if (awdz_in_real)
		return REAL(uncompress2, dest, dest_len, source, source_len);
	if (!dest || !dest_len || !source || !source_len ||
	    *source_len < awdz_conf.min_inflate || *source_len < 2)
		goto sw;
	why = AWDZ_FB_DICT;
	if (source[1] & 0x20)
		goto sw;
	if (!awdz_hw_ctx(&caps, &why))
		goto sw;
	why = AWDZ_FB_LARGE;
	if (*source_len > caps.max_xfer)
		goto sw;
	why = AWDZ_FB_ROOM;
	if (!*dest_len)
		goto sw;
	req.op = AWD_REQ_DECOMPRESS;
	req.format = AWD_FORMAT_ZLIB;
	req.src = source;
	req.src_len = *source_len;
	req.dst = dest;
	req.dst_len = *dest_len < caps.max_xfer ? *dest_len : caps.max_xfer;
	if (awdz_hw_run(&req, &why)) {
		if (why == AWDZ_FB_LARGE && *dest_len < caps.max_xfer)
			why = AWDZ_FB_ROOM;
		goto sw;
	}
	if (!req.stream_end) {
		why = AWDZ_FB_INPUT;
		goto sw;
	}
	*source_len = req.consumed;
	*dest_len = req.produced;
	awdz_count(AWDZ_OP_UNCOMPRESS, AWDZ_C_HW, 1);
	awdz_count(AWDZ_OP_UNCOMPRESS, AWDZ_C_HW_IN, req.consumed);
	awdz_count(AWDZ_OP_UNCOMPRESS, AWDZ_C_HW_OUT, req.produced);
	return Z_OK;
sw:
	awdz_fallback(AWDZ_OP_UNCOMPRESS, why);
	return REAL(uncompress2, dest, dest_len, source, source_len);
}

AWDZ_EXPORT int uncompress(Bytef *dest, uLongf *dest_len, const Bytef *source,
			   uLong source_len)
{
	awdz_init();
	if (awdz_in_real)
		return REAL(uncompress, dest, dest_len, source, source_len);
	return uncompress2(dest, dest_len, source, &source_len);
}

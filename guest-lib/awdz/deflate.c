// SPDX-License-Identifier: MIT
/*
 * libawdz: deflate streams.
 *
 * A stream starts in COLLECT: its input is copied into a buffer and no
 * output is written, until Z_FINISH. Then the whole input goes to the
 * device in one request and the result is copied out (DRAIN) over as
 * many calls as the caller's output room needs. Whatever the device
 * cannot do moves the stream to SW before any output was written: the
 * buffered input is handed to zlib's own stream (initialised beside ours
 * from the start) ahead of the caller's next input, so zlib's output is
 * exactly what it would have written without the shim.
 */
#include "awdz.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *errmsg(int err)
{
	return REAL(zError, err);
}

static int stream_error(z_streamp strm)
{
	strm->msg = (char *)errmsg(Z_STREAM_ERROR);
	return Z_STREAM_ERROR;
}

static enum awd_format format_of(int wbits)
{
	return wbits < 0 ? AWD_FORMAT_RAW :
	       wbits > 15 ? AWD_FORMAT_GZIP : AWD_FORMAT_ZLIB;
}

/* AWDZ_FB_NR when the device can do a stream of these parameters */
static enum awdz_reason check_params(const struct awdz_stream *s)
{
	if (s->level < AWD_LEVEL_MIN || s->level > AWD_LEVEL_MAX)
		return AWDZ_FB_PARAM;   /* 0 (stored) */
	if (s->wbits != 15 && s->wbits != -15 && s->wbits != 31)
		return AWDZ_FB_PARAM;
	if (s->memlevel < 8 || s->strategy != Z_DEFAULT_STRATEGY)
		return AWDZ_FB_PARAM;
	return AWDZ_FB_NR;
}

static void to_sw(struct awdz_stream *s, enum awdz_reason why)
{
	s->mode = AWDZ_SW;
	s->in_pos = 0;
	awdz_fallback(AWDZ_OP_DEFLATE, why);
}

/*
 * SW: give zlib the input buffered while collecting. Returns Z_OK when
 * all of it went in, Z_BUF_ERROR when the output room ran out first, or
 * zlib's error. The caller's input and total_in (which counts the
 * buffered bytes already) are left as they were.
 */
static int feed_pending(z_streamp strm, struct awdz_stream *s)
{
	z_const Bytef *next_in = strm->next_in;
	uInt avail_in = strm->avail_in;
	uLong total_in = strm->total_in;
	int ret = Z_OK;

	while (s->in_pos < s->in_len && strm->avail_out) {
		size_t n = s->in_len - s->in_pos;
		uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;

		strm->next_in = s->in + s->in_pos;
		strm->avail_in = chunk;
		ret = REAL(deflate, strm, Z_NO_FLUSH);
		s->in_pos += chunk - strm->avail_in;
		if (ret != Z_OK)
			break;
	}
	strm->next_in = next_in;
	strm->avail_in = avail_in;
	strm->total_in = total_in;
	if (ret != Z_OK && ret != Z_BUF_ERROR)
		return ret;
	if (s->in_pos < s->in_len)
		return Z_BUF_ERROR;
	free(s->in);
	s->in = NULL;
	s->in_len = s->in_pos = s->in_cap = 0;
	return Z_OK;
}

static int sw_deflate(z_streamp strm, struct awdz_stream *s, int flush)
{
	bool fed = false;
	int ret;

	if (s->in_pos < s->in_len && strm->avail_out) {
		ret = feed_pending(strm, s);
		if (ret == Z_BUF_ERROR)
			return Z_OK;    /* progress; call again with room */
		if (ret != Z_OK)
			return ret;
		fed = true;
	}
	ret = REAL(deflate, strm, flush);
	return ret == Z_BUF_ERROR && fed ? Z_OK : ret;
}

/*
 * Any call that needs zlib's state to hold all input so far: move a
 * collecting stream to SW (counted as @why) and feed its buffer in.
 */
static int to_zlib(z_streamp strm, struct awdz_stream *s,
		   enum awdz_reason why)
{
	if (!s)
		return Z_OK;
	switch (s->mode) {
	case AWDZ_COLLECT:
		to_sw(s, why);
		break;
	case AWDZ_DRAIN:
	case AWDZ_DONE:
		return Z_STREAM_ERROR;  /* zlib's stream never saw the data */
	case AWDZ_SW:
		break;
	}
	return feed_pending(strm, s);
}

static int append(struct awdz_stream *s, const Bytef *p, size_t n,
		  size_t max)
{
	if (s->in_len + n > s->in_cap) {
		size_t cap = s->in_cap ? s->in_cap : 64 * 1024;
		uint8_t *in;

		while (cap < s->in_len + n)
			cap *= 2;
		if (cap > max)
			cap = max;
		in = realloc(s->in, cap);
		if (!in)
			return -1;
		s->in = in;
		s->in_cap = cap;
	}
	memcpy(s->in + s->in_len, p, n);
	s->in_len += n;
	return 0;
}

/* Z_FINISH on a collected stream: one device request. */
static int hw_finish(z_streamp strm, struct awdz_stream *s)
{
	enum awd_format fmt = format_of(s->wbits);
	size_t bound = awd_compress_bound(fmt, s->in_len);
	bool direct = strm->avail_out >= bound;
	struct awd_req req = AWD_REQ_INIT;
	enum awdz_reason why = AWDZ_FB_DEVICE_ERROR;

	if (!direct && s->out_cap < bound) {
		free(s->out);
		s->out = malloc(bound);
		s->out_cap = s->out ? bound : 0;
		if (!s->out) {
			to_sw(s, AWDZ_FB_API);
			return sw_deflate(strm, s, Z_FINISH);
		}
	}
	req.op = AWD_REQ_COMPRESS;
	req.format = fmt;
	req.level = (uint32_t)s->level;
	req.src = s->in;
	req.src_len = s->in_len;
	req.dst = direct ? strm->next_out : s->out;
	req.dst_len = bound;
	if (awdz_hw_run(&req, &why)) {
		to_sw(s, why);
		return sw_deflate(strm, s, Z_FINISH);
	}
	/*
	 * A caller that gave deflateBound() room expects one call to end
	 * the stream; the device's output did not fit where zlib's would.
	 */
	if (!direct && req.produced > strm->avail_out &&
	    strm->avail_out >= REAL(deflateBound, strm, s->in_len)) {
		to_sw(s, AWDZ_FB_ROOM);
		return sw_deflate(strm, s, Z_FINISH);
	}
	awdz_count(AWDZ_OP_DEFLATE, AWDZ_C_HW, 1);
	awdz_count(AWDZ_OP_DEFLATE, AWDZ_C_HW_IN, s->in_len);
	awdz_count(AWDZ_OP_DEFLATE, AWDZ_C_HW_OUT, req.produced);
	if (fmt != AWD_FORMAT_RAW)
		strm->adler = req.checksum;
	free(s->in);
	s->in = NULL;
	s->in_len = s->in_cap = 0;
	if (direct) {
		awdz_advance_out(strm, req.produced);
		s->mode = AWDZ_DONE;
		return Z_STREAM_END;
	}
	s->out_len = req.produced;
	s->out_pos = 0;
	s->mode = AWDZ_DRAIN;
	return awdz_drain(strm, s);
}

AWDZ_EXPORT int deflate(z_streamp strm, int flush)
{
	struct awdz_stream *s;
	enum awdz_reason why;
	struct awd_caps caps;
	size_t n;

	awdz_init();
	s = awdz_in_real ? NULL : awdz_stream_get(strm);
	if (!s)
		return REAL(deflate, strm, flush);
	if (s->mode == AWDZ_SW)
		return sw_deflate(strm, s, flush);
	if (flush < 0 || flush > Z_BLOCK || !strm->next_out ||
	    (strm->avail_in && !strm->next_in))
		return stream_error(strm);
	if (s->mode != AWDZ_COLLECT) {
		/* after Z_FINISH, as zlib: only Z_FINISH and no more input */
		if (flush != Z_FINISH)
			return stream_error(strm);
		if (strm->avail_in || !strm->avail_out) {
			strm->msg = (char *)errmsg(Z_BUF_ERROR);
			return Z_BUF_ERROR;
		}
		return s->mode == AWDZ_DRAIN ? awdz_drain(strm, s) :
		       Z_STREAM_END;
	}
	if (!strm->avail_out) {
		strm->msg = (char *)errmsg(Z_BUF_ERROR);
		return Z_BUF_ERROR;
	}
	if (flush != Z_NO_FLUSH && flush != Z_FINISH) {
		to_sw(s, AWDZ_FB_FLUSH);
		return sw_deflate(strm, s, flush);
	}
	if (!awdz_hw_ctx(&caps, &why)) {
		to_sw(s, why);
		return sw_deflate(strm, s, flush);
	}
	n = strm->avail_in;
	if (s->in_len + n > awdz_deflate_window(&caps, format_of(s->wbits))) {
		to_sw(s, AWDZ_FB_LARGE);
		return sw_deflate(strm, s, flush);
	}
	if (n && append(s, strm->next_in, n,
			awdz_deflate_window(&caps, format_of(s->wbits)))) {
		to_sw(s, AWDZ_FB_API);
		return sw_deflate(strm, s, flush);
	}
	awdz_advance_in(strm, n);
	if (flush == Z_NO_FLUSH) {
		/*
		 * as zlib: a call that can make no progress (no input, no
		 * stronger flush) after the first one is a buffer error;
		 * "while (deflate(s, Z_NO_FLUSH) == Z_OK);" loops rely on it
		 */
		if (!n && s->called)
			return Z_BUF_ERROR;
		s->called = true;
		return Z_OK;
	}
	if (s->in_len < awdz_conf.min_deflate) {
		to_sw(s, AWDZ_FB_SMALL);
		return sw_deflate(strm, s, flush);
	}
	return hw_finish(strm, s);
}

static void start(struct awdz_stream *s)
{
	enum awdz_reason why = check_params(s);

	free(s->in);
	s->in = NULL;
	s->in_len = s->in_pos = s->in_cap = 0;
	s->out_len = s->out_pos = 0;
	s->called = false;
	s->mode = AWDZ_COLLECT;
	if (why != AWDZ_FB_NR)
		to_sw(s, why);
}

AWDZ_EXPORT int deflateInit2_(z_streamp strm, int level, int method,
			      int wbits, int memlevel, int strategy,
			      const char *version, int stream_size)
{
	struct awdz_stream *s;
	int ret;

	awdz_init();
	ret = REAL(deflateInit2_, strm, level, method, wbits, memlevel,
		   strategy, version, stream_size);
	if (awdz_in_real || ret != Z_OK)
		return ret;
	s = awdz_stream_new(strm, false);
	if (!s) {
		awdz_fallback(AWDZ_OP_DEFLATE, AWDZ_FB_API);
		return ret;
	}
	s->level = level == Z_DEFAULT_COMPRESSION ? 6 : level;
	/* zlib turns a window of 256 into 512: any such is software */
	s->wbits = wbits;
	s->memlevel = memlevel;
	s->strategy = strategy;
	start(s);
	return ret;
}

AWDZ_EXPORT int deflateInit_(z_streamp strm, int level, const char *version,
			     int stream_size)
{
	awdz_init();
	if (awdz_in_real)
		return REAL(deflateInit_, strm, level, version, stream_size);
	return deflateInit2_(strm, level, Z_DEFLATED, MAX_WBITS, 8,
			     Z_DEFAULT_STRATEGY, version, stream_size);
}

AWDZ_EXPORT int deflateEnd(z_streamp strm)
{
	struct awdz_stream *s;
	bool busy;
	int ret;

	awdz_init();
	if (awdz_in_real)
		return REAL(deflateEnd, strm);
	s = awdz_stream_get(strm);
	busy = s && (s->mode == AWDZ_DRAIN ||
		     (s->mode == AWDZ_COLLECT && s->in_len));
	ret = REAL(deflateEnd, strm);
	awdz_stream_free(strm);
	/* as zlib: freed with data still in it */
	return ret == Z_OK && busy ? Z_DATA_ERROR : ret;
}

static int reset(z_streamp strm, bool keep)
{
	struct awdz_stream *s;
	int ret;

	awdz_init();
	if (awdz_in_real)
		return keep ? REAL(deflateResetKeep, strm) :
		       REAL(deflateReset, strm);
	ret = keep ? REAL(deflateResetKeep, strm) : REAL(deflateReset, strm);
	s = awdz_stream_get(strm);
	if (ret == Z_OK && s)
		start(s);
	return ret;
}

AWDZ_EXPORT int deflateReset(z_streamp strm)
{
	return reset(strm, false);
}

AWDZ_EXPORT int deflateResetKeep(z_streamp strm)
{
	return reset(strm, true);
}

AWDZ_EXPORT int deflateParams(z_streamp strm, int level, int strategy)
{
	struct awdz_stream *s;
	enum awdz_reason why;
	int ret;

	awdz_init();
	s = awdz_in_real ? NULL : awdz_stream_get(strm);
	if (!s)
		return REAL(deflateParams, strm, level, strategy);
	if (s->mode == AWDZ_COLLECT && !s->in_len) {
		/* before any data: the device can still take the stream */
		ret = REAL(deflateParams, strm, level, strategy);
		if (ret != Z_OK)
			return ret;
		s->level = level == Z_DEFAULT_COMPRESSION ? 6 : level;
		s->strategy = strategy;
		why = check_params(s);
		if (why != AWDZ_FB_NR)
			to_sw(s, why);
		return ret;
	}
	ret = to_zlib(strm, s, AWDZ_FB_PARAMS);
	if (ret != Z_OK)
		return ret;
	return REAL(deflateParams, strm, level, strategy);
}

AWDZ_EXPORT int deflateSetDictionary(z_streamp strm, const Bytef *dict,
				     uInt len)
{
	int ret;

	awdz_init();
	if (awdz_in_real)
		return REAL(deflateSetDictionary, strm, dict, len);
	ret = to_zlib(strm, awdz_stream_get(strm), AWDZ_FB_DICT);
	if (ret != Z_OK)
		return ret;
	return REAL(deflateSetDictionary, strm, dict, len);
}

AWDZ_EXPORT int deflateGetDictionary(z_streamp strm, Bytef *dict, uInt *len)
{
	int ret;

	awdz_init();
	if (awdz_in_real)
		return REAL(deflateGetDictionary, strm, dict, len);
	ret = to_zlib(strm, awdz_stream_get(strm), AWDZ_FB_API);
	if (ret != Z_OK)
		return ret;
	return REAL(deflateGetDictionary, strm, dict, len);
}

AWDZ_EXPORT int deflateSetHeader(z_streamp strm, gz_headerp head)
{
	int ret;

	awdz_init();
	if (awdz_in_real)
		return REAL(deflateSetHeader, strm, head);
	ret = to_zlib(strm, awdz_stream_get(strm), AWDZ_FB_HEADER);
	if (ret != Z_OK)
		return ret;
	return REAL(deflateSetHeader, strm, head);
}

AWDZ_EXPORT int deflatePrime(z_streamp strm, int bits, int value)
{
	int ret;

	awdz_init();
	if (awdz_in_real)
		return REAL(deflatePrime, strm, bits, value);
	ret = to_zlib(strm, awdz_stream_get(strm), AWDZ_FB_API);
	if (ret != Z_OK)
		return ret;
	return REAL(deflatePrime, strm, bits, value);
}

AWDZ_EXPORT int deflateTune(z_streamp strm, int good_length, int max_lazy,
			    int nice_length, int max_chain)
{
	int ret;

	awdz_init();
	if (awdz_in_real)
		return REAL(deflateTune, strm, good_length, max_lazy,
			    nice_length, max_chain);
	ret = to_zlib(strm, awdz_stream_get(strm), AWDZ_FB_PARAM);
	if (ret != Z_OK)
		return ret;
	return REAL(deflateTune, strm, good_length, max_lazy, nice_length,
		    max_chain);
}

AWDZ_EXPORT int deflatePending(z_streamp strm, unsigned int *pending,
			       int *bits)
{
	struct awdz_stream *s;

	awdz_init();
	s = awdz_in_real ? NULL : awdz_stream_get(strm);
	if (!s || s->mode == AWDZ_SW)
		return REAL(deflatePending, strm, pending, bits);
	if (pending)
		*pending = (unsigned int)(s->mode == AWDZ_DRAIN ?
					  s->out_len - s->out_pos : 0);
	if (bits)
		*bits = 0;
	return Z_OK;
}

AWDZ_EXPORT uLong deflateBound(z_streamp strm, uLong len)
{
	struct awdz_stream *s;
	uLong zb, hb;

	awdz_init();
	zb = REAL(deflateBound, strm, len);
	s = awdz_in_real ? NULL : awdz_stream_get(strm);
	if (!s || s->mode == AWDZ_SW)
		return zb;
	/* room for the device's output in one call */
	hb = awd_compress_bound(format_of(s->wbits), len);
	return hb > zb ? hb : zb;
}

AWDZ_EXPORT int deflateCopy(z_streamp dest, z_streamp source)
{
	int ret;

	awdz_init();
	ret = REAL(deflateCopy, dest, source);
	if (awdz_in_real || ret != Z_OK)
		return ret;
	if (awdz_stream_copy(dest, source)) {
		REAL(deflateEnd, dest);
		return Z_MEM_ERROR;
	}
	return ret;
}

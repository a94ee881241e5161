// SPDX-License-Identifier: MIT
/*
 * libaccelwd: zlib (RFC 1950) and gzip (RFC 1952) wrappers, written the
 * way the device writes them, and the public gzip member header helpers.
 */
#include <string.h>

#include "awd_internal.h"

#define GZ_FTEXT     0x01
#define GZ_FHCRC     0x02
#define GZ_FEXTRA    0x04
#define GZ_FNAME     0x08
#define GZ_FCOMMENT  0x10
#define GZ_FRESERVED 0xe0

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* gzip XFL for a level, as zlib writes it */
static uint8_t level_xfl(unsigned int level)
{
	return level == 9 ? 2 : level == 1 ? 4 : 0;
}

size_t awd__wrap_header(unsigned int fmt, unsigned int level, uint8_t *h)
{
	if (fmt == AWD_FORMAT_ZLIB) {
		unsigned int lvl = level < 2 ? 0 : level < 6 ? 1 :
				   level == 6 ? 2 : 3;
		unsigned int hdr = (0x78u << 8) | (lvl << 6);

		hdr += 31 - (hdr % 31);
		h[0] = (uint8_t)(hdr >> 8);
		h[1] = (uint8_t)hdr;
		return 2;
	}
	if (fmt == AWD_FORMAT_GZIP) {
		static const uint8_t gz[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0,
						0, 3 };

		memcpy(h, gz, sizeof(gz));
		h[8] = level_xfl(level);
		return 10;
	}
	return 0;
}

size_t awd__wrap_trailer(unsigned int fmt, uint32_t sum, uint64_t total_in,
			 uint8_t *t)
{
	if (fmt == AWD_FORMAT_ZLIB) {
		put_be32(t, sum);
		return 4;
	}
	if (fmt == AWD_FORMAT_GZIP) {
		put_le32(t, sum);
		put_le32(t + 4, (uint32_t)total_in);
		return 8;
	}
	return 0;
}

/* Bitwise CRC-32 (RFC 1952): headers only, so speed does not matter. */
static uint32_t crc32_small(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

AWD_EXPORT int awd_gzip_header_write(const struct awd_gzip_header *h,
				     uint8_t *buf, size_t len)
{
	size_t nlen = 0, need = 10;

	if (!h || !buf)
		return -EINVAL;
	if (h->name) {
		nlen = strlen(h->name) + 1;
		need += nlen;
	}
	if (need > len || need > INT32_MAX)
		return -ENOBUFS;
	buf[0] = 0x1f;
	buf[1] = 0x8b;
	buf[2] = 8;
	buf[3] = h->name ? GZ_FNAME : 0;
	put_le32(buf + 4, h->mtime);
	buf[8] = h->xfl;
	buf[9] = h->os;
	if (h->name)
		memcpy(buf + 10, h->name, nlen);
	return (int)need;
}

AWD_EXPORT int awd_gzip_header_parse(const uint8_t *buf, size_t len,
				     struct awd_gzip_header *h)
{
	size_t pos = 10;
	const char *name = NULL;
	uint8_t flg;

	if (!buf)
		return -EINVAL;
	if ((len >= 1 && buf[0] != 0x1f) || (len >= 2 && buf[1] != 0x8b) ||
	    (len >= 3 && buf[2] != 8) || (len >= 4 && (buf[3] & GZ_FRESERVED)))
		return -EBADMSG;
	if (len < 10)
		return -EAGAIN;
	flg = buf[3];
	if (flg & GZ_FEXTRA) {
		size_t xlen;

		if (len < pos + 2)
			return -EAGAIN;
		xlen = buf[pos] | (size_t)buf[pos + 1] << 8;
		pos += 2;
		if (len - pos < xlen)
			return -EAGAIN;
		pos += xlen;
	}
	for (int f = GZ_FNAME; f <= GZ_FCOMMENT; f <<= 1) {
		const uint8_t *z;

		if (!(flg & f))
			continue;
		z = memchr(buf + pos, 0, len - pos);
		if (!z)
			return -EAGAIN;
		if (f == GZ_FNAME)
			name = (const char *)buf + pos;
		pos = (size_t)(z - buf) + 1;
	}
	if (flg & GZ_FHCRC) {
		if (len < pos + 2)
			return -EAGAIN;
		if ((crc32_small(buf, pos) & 0xffff) !=
		    (buf[pos] | (uint32_t)buf[pos + 1] << 8))
			return -EBADMSG;
		pos += 2;
	}
	if (pos > INT32_MAX)
		return -EBADMSG;
	if (h) {
		memset(h, 0, sizeof(*h));
		h->mtime = get_le32(buf + 4);
		h->xfl = buf[8];
		h->os = buf[9];
		h->flags = flg;
		h->name = name;
	}
	return (int)pos;
}

// SPDX-License-Identifier: MIT
/*
 * libawdz: the part of zlib's ABI that never reaches the device, passed
 * to the system zlib as is: checksums, gz* file functions (their streams
 * live inside zlib and stay there), inflateBack*, version queries.
 */
#include "awdz.h"

#include <stdarg.h>

#define FWD(ret, name, params, ...)					\
	AWDZ_EXPORT ret name params					\
	{								\
		awdz_init();						\
		return REAL(name, __VA_ARGS__);				\
	}

FWD(uLong, adler32, (uLong adler, const Bytef *buf, uInt len), adler, buf, len)
FWD(uLong, adler32_z, (uLong adler, const Bytef *buf, z_size_t len),
	adler, buf, len)
FWD(uLong, adler32_combine, (uLong a1, uLong a2, z_off_t len2), a1, a2, len2)
FWD(uLong, adler32_combine64, (uLong a1, uLong a2, z_off64_t len2),
	a1, a2, len2)
FWD(uLong, crc32, (uLong crc, const Bytef *buf, uInt len), crc, buf, len)
FWD(uLong, crc32_z, (uLong crc, const Bytef *buf, z_size_t len), crc, buf, len)
FWD(uLong, crc32_combine, (uLong c1, uLong c2, z_off_t len2), c1, c2, len2)
FWD(uLong, crc32_combine64, (uLong c1, uLong c2, z_off64_t len2), c1, c2, len2)
FWD(uLong, crc32_combine_gen, (z_off_t len2), len2)
FWD(uLong, crc32_combine_gen64, (z_off64_t len2), len2)
FWD(uLong, crc32_combine_op, (uLong c1, uLong c2, uLong op), c1, c2, op)
FWD(uLong, compressBound, (uLong len), len)
FWD(const char *, zError, (int err), err)
FWD(uLong, zlibCompileFlags, (void))
FWD(const char *, zlibVersion, (void))

AWDZ_EXPORT const z_crc_t *get_crc_table(void)
{
	awdz_init();
	return REAL(get_crc_table);
}

FWD(int, inflateBackInit_, (z_streamp strm, int wbits, unsigned char *window,
			    const char *version, int stream_size),
	strm, wbits, window, version, stream_size)
FWD(int, inflateBack, (z_streamp strm, in_func in, void *in_desc, out_func out,
		       void *out_desc), strm, in, in_desc, out, out_desc)
FWD(int, inflateBackEnd, (z_streamp strm), strm)

/* gzip files */
FWD(gzFile, gzopen, (const char *path, const char *mode), path, mode)
FWD(gzFile, gzopen64, (const char *path, const char *mode), path, mode)
FWD(gzFile, gzdopen, (int fd, const char *mode), fd, mode)
FWD(int, gzbuffer, (gzFile file, unsigned int size), file, size)
FWD(int, gzsetparams, (gzFile file, int level, int strategy),
	file, level, strategy)
FWD(int, gzread, (gzFile file, voidp buf, unsigned int len), file, buf, len)
FWD(z_size_t, gzfread, (voidp buf, z_size_t size, z_size_t nitems,
			gzFile file), buf, size, nitems, file)
FWD(int, gzwrite, (gzFile file, voidpc buf, unsigned int len), file, buf, len)
FWD(z_size_t, gzfwrite, (voidpc buf, z_size_t size, z_size_t nitems,
			 gzFile file), buf, size, nitems, file)
FWD(int, gzvprintf, (gzFile file, const char *format, va_list va),
	file, format, va)
FWD(int, gzputs, (gzFile file, const char *s), file, s)
FWD(char *, gzgets, (gzFile file, char *buf, int len), file, buf, len)
FWD(int, gzputc, (gzFile file, int c), file, c)
FWD(int, gzgetc_, (gzFile file), file)
FWD(int, gzungetc, (int c, gzFile file), c, file)
FWD(int, gzflush, (gzFile file, int flush), file, flush)
FWD(z_off_t, gzseek, (gzFile file, z_off_t offset, int whence),
	file, offset, whence)
FWD(z_off64_t, gzseek64, (gzFile file, z_off64_t offset, int whence),
	file, offset, whence)
FWD(int, gzrewind, (gzFile file), file)
FWD(z_off_t, gztell, (gzFile file), file)
FWD(z_off64_t, gztell64, (gzFile file), file)
FWD(z_off_t, gzoffset, (gzFile file), file)
FWD(z_off64_t, gzoffset64, (gzFile file), file)
FWD(int, gzeof, (gzFile file), file)
FWD(int, gzdirect, (gzFile file), file)
FWD(int, gzclose, (gzFile file), file)
FWD(int, gzclose_r, (gzFile file), file)
FWD(int, gzclose_w, (gzFile file), file)
FWD(const char *, gzerror, (gzFile file, int *errnum), file, errnum)

AWDZ_EXPORT void gzclearerr(gzFile file)
{
	awdz_init();
	awdz_in_real++;
	awdz_real.gzclearerr(file);
	awdz_in_real--;
}

/* zlib.h makes gzgetc() a macro as well: keep it out of the definition */
AWDZ_EXPORT int (gzgetc)(gzFile file)
{
	int ret;

	awdz_init();
	awdz_in_real++;
	ret = (*awdz_real.gzgetc)(file);
	awdz_in_real--;
	return ret;
}

AWDZ_EXPORT int gzprintf(gzFile file, const char *format, ...)
{
	va_list va;
	int ret;

	awdz_init();
	va_start(va, format);
	ret = REAL(gzvprintf, file, format, va);
	va_end(va);
	return ret;
}

// SPDX-License-Identifier: MIT
/*
 * libaccelwd: error messages and device status decoding. Pure functions,
 * static strings only.
 */
#include "awd_internal.h"

AWD_EXPORT const char *awd_version(void)
{
	return AWD_LIB_VERSION;
}

AWD_EXPORT const char *awd_strerror(int err)
{
	if (err > 0)
		err = -err;
	switch (-err) {
	case 0:
		return "success";
	case EINVAL:
		return "invalid argument (NULL pointer, unknown flag, format, level or key form, or overlapping buffers)";
	case EBADF:
		return "no context (closed, or never opened)";
	case EMSGSIZE:
		return "length is zero or over the device's transfer limit";
	case ENOBUFS:
		return "output buffer too small (retry with more room)";
	case EAGAIN:
		return "queue full or input incomplete (reap completions or supply more, then retry)";
	case EBADMSG:
		return "corrupt or truncated compressed data, or bad padding";
	case EFAULT:
		return "the device could not access a buffer address";
	case EKEYREJECTED:
		return "RSA key rejected (even or zero modulus, lengths out of range)";
	case ERANGE:
		return "RSA input is not below the modulus";
	case EBADE:
		return "stream state invalid";
	case ECANCELED:
		return "request aborted by a queue reset";
	case EIO:
		return "device or queue error (reset the context)";
	case ENODEV:
		return "device removed or reset (close the context)";
	case ENOENT:
		return "no such accel-wd device, or nothing in flight";
	case EBUSY:
		return "busy: every queue in use, or the context still has streams or keys";
	case EPERM:
		return "operation not permitted (context used after fork, or no privilege for no-SVA mode or a queue's telemetry history)";
	case EACCES:
		return "permission denied opening the device";
	case EOPNOTSUPP:
		return "operation not supported by this device or mode";
	case EPROTO:
		return "driver or device interface not understood by this library (version, layout, or a descriptor or list the device refused)";
	case EPROTONOSUPPORT:
		return "the device's queue format is not supported by this library";
	case E2BIG:
		return "buffer needs more scatter-gather entries or lists than the device allows";
	case ECOMM:
		return "some descriptor of a batch failed";
	case ENOMEM:
		return "out of memory";
	case ENOSPC:
		return "no-SVA mode: the driver could not map a buffer for the device";
	case EMFILE:
		return "no-SVA mode: too many registered buffers";
	case EINTR:
		return "interrupted by a signal";
	case ETIMEDOUT:
		return "timed out";
	case EALREADY:
		return "stream already ended (reset or free it)";
	case ENOTTY:
		return "not an accel-wd device";
	default:
		return "unknown error";
	}
}

static const char *const hw_status_names[] = {
	[AWD_STS_OK] = "OK",
	[AWD_STS_INVALID_OPCODE] = "INVALID_OPCODE",
	[AWD_STS_INVALID_FLAGS] = "INVALID_FLAGS",
	[AWD_STS_INVALID_PARAM] = "INVALID_PARAM",
	[AWD_STS_INVALID_LEN] = "INVALID_LEN",
	[AWD_STS_DST_TOO_SMALL] = "DST_TOO_SMALL",
	[AWD_STS_DECODE_ERROR] = "DECODE_ERROR",
	[AWD_STS_FAULT] = "FAULT",
	[AWD_STS_BAD_KEY] = "BAD_KEY",
	[AWD_STS_INPUT_RANGE] = "INPUT_RANGE",
	[AWD_STS_BAD_CONTEXT] = "BAD_CONTEXT",
	[AWD_STS_OVERLAP] = "OVERLAP",
	[AWD_STS_ABORTED] = "ABORTED",
	[AWD_STS_DMA_ERROR] = "DMA_ERROR",
	[AWD_STS_SGL_TOO_LONG] = "SGL_TOO_LONG",
	[AWD_STS_SGL_ZERO_LEN] = "SGL_ZERO_LEN",
	[AWD_STS_SGL_LOOP] = "SGL_LOOP",
	[AWD_STS_MISALIGNED] = "MISALIGNED",
	[AWD_STS_BATCH_FAIL] = "BATCH_FAIL",
};
_Static_assert(AWD_ARRAY_SIZE(hw_status_names) ==
	       AWD_STS_MAX, "every status named");

AWD_EXPORT const char *awd_hw_status_str(unsigned int hw_status)
{
	if (hw_status >= AWD_STS_MAX)
		return "UNKNOWN";
	return hw_status_names[hw_status];
}

AWD_EXPORT int awd_hw_status_errno(unsigned int hw_status)
{
	switch (hw_status) {
	case AWD_STS_OK:
		return 0;
	case AWD_STS_INVALID_OPCODE:
	case AWD_STS_INVALID_FLAGS:
	case AWD_STS_INVALID_PARAM:
	case AWD_STS_OVERLAP:
		return -EINVAL;
	case AWD_STS_INVALID_LEN:
		return -EMSGSIZE;
	case AWD_STS_DST_TOO_SMALL:
		return -ENOBUFS;
	case AWD_STS_DECODE_ERROR:
		return -EBADMSG;
	case AWD_STS_FAULT:
		return -EFAULT;
	case AWD_STS_BAD_KEY:
		return -EKEYREJECTED;
	case AWD_STS_INPUT_RANGE:
		return -ERANGE;
	case AWD_STS_BAD_CONTEXT:
		return -EBADE;
	case AWD_STS_ABORTED:
		return -ECANCELED;
	/*
	 * The library builds lists and records itself: a device refusing
	 * them is a protocol mismatch between the two, not the caller's.
	 */
	case AWD_STS_SGL_TOO_LONG:
		return -E2BIG;
	case AWD_STS_SGL_ZERO_LEN:
	case AWD_STS_SGL_LOOP:
	case AWD_STS_MISALIGNED:
		return -EPROTO;
	case AWD_STS_BATCH_FAIL:
		return -ECOMM;
	case AWD_STS_DMA_ERROR:
	default:
		return -EIO;
	}
}

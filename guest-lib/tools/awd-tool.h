/* SPDX-License-Identifier: MIT */
/*
 * The awd command line: shared helpers of its subcommands.
 */
#ifndef AWD_TOOL_H
#define AWD_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "accelwd.h"

/* Exit codes, as gzip's: 0 ok, 1 error, 2 warning. */
#define EXIT_OK      0
#define EXIT_ERR     1
#define EXIT_WARN    2

extern const char *awd_prog;       /* "awd zip", "awd rsa", ... */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define AWD_PRINTF_FMT __attribute__((format(printf, 1, 2)))

AWD_PRINTF_FMT void awd_msg(const char *fmt, ...);

/* read(2)/write(2) until done; 0 or -errno. read_full stores the count. */
int awd_read_full(int fd, void *buf, size_t len, size_t *got);
int awd_write_full(int fd, const void *buf, size_t len);
/* Read all of @fd (at most @max bytes) into a malloc()ed buffer. */
int awd_read_all(int fd, size_t max, uint8_t **buf, size_t *len);

/*
 * Open a context on the device named by -D (or AWD_DEVICE), with a
 * message on failure.
 */
int awd_tool_open(struct awd_ctx **ctx, const char *dev, unsigned int flags);

int cmd_zip(int argc, char **argv, bool decompress);
int cmd_rsa(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* AWD_TOOL_H */

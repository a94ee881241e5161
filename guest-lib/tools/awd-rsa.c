// SPDX-License-Identifier: MIT
/*
 * awd rsa: RSA operations on the device (work in progress).
 */
#include "awd-tool.h"

int cmd_rsa(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	awd_msg("not implemented yet");
	return EXIT_ERR;
}

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs one qtest of tests/qtest/qtests.txt from QEMU's build directory (the
# top-level meson.build registers every listed qtest through this). A
# binary that is not there fails the test, saying so (TAP), so that a
# listed qtest never silently vanishes from the suite.
# usage: run-qtest.sh PATH-OF-THE-BINARY [ARGS...]
[ -x "$1" ] && exec "$@"
echo "1..1"
echo "not ok 1 - $1 exists"
echo "# listed in tests/qtest/qtests.txt, but QEMU's build has no such binary:"
echo "# run scripts/build-qemu.sh (errors: ninja.log in its build directory)"
exit 1

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Summary of a meson test run, from its build/meson-logs/testlog.json:
on stderr, for every test that passed with some of its checks skipped,
which ones (TAP lines "ok ... # SKIP ..." in its output: guest tests and
qtests); on stdout one line, "N passed, N failed, N skipped" (tests, as
meson counts them: a test whose every check was skipped is skipped).
usage: test-summary.py build/meson-logs/testlog.json"""
import json
import re
import sys

SKIP_LINE = re.compile(r"^ok\b.*?\s#\s*skip\b", re.IGNORECASE)


def main(path):
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        try:
            rec = json.loads(line)
            r = rec.get("result", "")
        except (ValueError, AttributeError):
            rec, r = {}, "UNREADABLE"  # a record we cannot read is a failure
        if r in ("OK", "EXPECTEDFAIL"):
            counts["passed"] += 1
            skips = [s.strip() for s in (rec.get("stdout") or "").splitlines()
                     if SKIP_LINE.match(s.strip())]
            if skips:
                print("[awd] %s passed with %d check(s) skipped:"
                      % (rec.get("name", "?"), len(skips)), file=sys.stderr)
                for s in skips:
                    print("[awd]   " + s, file=sys.stderr)
        elif r == "SKIP":
            counts["skipped"] += 1
        else:
            counts["failed"] += 1
    print("{passed} passed, {failed} failed, {skipped} skipped".format(**counts))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/meson-logs/testlog.json")

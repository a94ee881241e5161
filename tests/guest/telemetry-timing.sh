# SPDX-License-Identifier: GPL-2.0-or-later
# telemetry.sh with the device's timing model on (accel-wd.timing=on):
# the same exact counts, and awd stat says the model is on.
TM_TIMING=on
. /opt/awd/bin/telemetry.sh

# SPDX-License-Identifier: GPL-2.0-or-later
# Who may open the device: root only by default (mode 0600, as idxd and
# uacce), so an unprivileged user gets EACCES; after the documented grant
# (guest-driver/README.md: a udev rule setting GROUP and MODE 0660, done
# here by hand) a member of that group opens a queue and uses it.
. /opt/awd/bin/lib.sh
check "device node is root's, mode 0600" sh -c '
	set -- $(ls -ln /dev/accel_wd0)
	echo "$1 $3 $4"; [ "$1" = crw------- ] && [ "$3" = 0 ] && [ "$4" = 0 ]'
check "unprivileged user gets EACCES (awd-drvtest unpriv denied)" \
	awd-drvtest unpriv denied
check "grant the device to group 65534 (as the README's udev rule)" grant_group 65534
check "a member of the granted group uses a queue (awd-drvtest unpriv allowed)" \
	awd-drvtest unpriv allowed
check_driver_idle
check_dmesg_clean
finish

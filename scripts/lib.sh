# SPDX-License-Identifier: GPL-2.0-or-later
# Shared settings for the accel-wd scripts; sourced, never run.

AWD_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Everything downloaded or built outside the clone lives here, so a second
# clone (or CI's fresh one) reuses QEMU, the guest kernel and the trixie root.
AWD_CACHE=${AWD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/accel-wd}
AWD_BUILD=${AWD_BUILD:-$AWD_ROOT/build}
# Debian's python, never a pyenv/venv shim: meson and pycotap come from apt.
AWD_PYTHON=/usr/bin/python3
NPROC=$(nproc)

log() { printf '[awd] %s\n' "$*" >&2; }
die() { printf '[awd] error: %s\n' "$*" >&2; exit 1; }

need_root() {
    [ "$(id -u)" = 0 ] || die "this step installs packages and needs root (or sudo)"
}

# A private apt view: its own sources and state, so trixie and
# trixie-backports never touch the host's apt configuration.
APT_VIEW=$AWD_CACHE/apt-view
apt_view_opts() {
    printf '%s\n' \
        -o "Dir::Etc::SourceList=$APT_VIEW/sources.list" \
        -o "Dir::Etc::SourceParts=$APT_VIEW/sources.list.d" \
        -o "Dir::State=$APT_VIEW/state" \
        -o "Dir::State::Lists=$APT_VIEW/state/lists" \
        -o "Dir::State::Status=$APT_VIEW/state/status" \
        -o "Dir::Cache=$APT_VIEW/cache" \
        -o Dir::Etc::Preferences=/dev/null \
        -o "Dir::Etc::PreferencesParts=$APT_VIEW/empty"
}
apt_view() {
    local opts
    mapfile -t opts < <(apt_view_opts)
    apt-get "${opts[@]}" -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 \
        -o APT::Sandbox::User=root "$@"
}
apt_view_cache() {
    local opts
    mapfile -t opts < <(apt_view_opts)
    apt-cache "${opts[@]}" "$@"
}

# Refresh the private view at most once a day (or when asked).
apt_view_update() {
    local stamp=$APT_VIEW/state/updated lock
    mkdir -p "$APT_VIEW/sources.list.d" "$APT_VIEW/state/lists/partial" \
        "$APT_VIEW/cache/archives/partial" "$APT_VIEW/empty"
    # One caller at a time: apt runs here without its own locks, and
    # build-all.sh fetches QEMU and the guest kernel side by side.
    exec {lock}>"$APT_VIEW/.update.lock"
    flock "$lock"
    [ -f "$APT_VIEW/state/status" ] || : > "$APT_VIEW/state/status"
    # replaced, never rewritten in place: a reader never sees it half written
    cat > "$APT_VIEW/sources.list.new" <<SRC
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie-backports main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-backports main
SRC
    if cmp -s "$APT_VIEW/sources.list.new" "$APT_VIEW/sources.list"; then
        rm -f "$APT_VIEW/sources.list.new"
    else
        mv "$APT_VIEW/sources.list.new" "$APT_VIEW/sources.list"
        rm -f "$stamp"
    fi
    if [ -n "${AWD_APT_REFRESH:-}" ] || [ ! -f "$stamp" ] ||
       [ -z "$(find "$stamp" -mmin -1440 2>/dev/null)" ]; then
        log "refreshing the private apt view (trixie, trixie-backports) in $APT_VIEW"
        apt_view update -qq || die "apt-get update of the private view failed; is deb.debian.org reachable?"
        touch "$stamp"
    fi
    exec {lock}>&-
}

# Copy our device sources, hardware headers and qtests into the prepared
# QEMU tree $1 (scripts/fetch-qemu.sh). By checksum, so unchanged files
# keep their mtime and only what changed is rebuilt. Every build dir of
# that tree (build/, build-fuzz/) compiles the same synced sources; call it
# with the tree's .awd-build.lock held.
_awd_sync_dir() {
    mkdir -p "$2"
    rsync -rc --delete "$1/" "$2/"
}
qemu_sync_sources() {
    local work=$1
    _awd_sync_dir "$AWD_ROOT/hw/accel-wd" "$work/hw/accel-wd"
    _awd_sync_dir "$AWD_ROOT/hw/iommu-sva" "$work/hw/iommu-sva"
    # the hardware headers (register map, every queue format) sit beside
    # the device sources
    rsync -c "$AWD_ROOT"/include/accel_wd_*.h "$work/hw/accel-wd/"
    rsync -c "$AWD_ROOT/scripts/qemu-devices.mak" \
        "$work/configs/devices/x86_64-softmmu/awd-testbed.mak"
    mkdir -p "$work/tests/qtest/awd"
    rsync -rc --delete --exclude='*.md' "$AWD_ROOT/tests/qtest/" "$work/tests/qtest/awd/"
}

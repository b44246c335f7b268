#!/bin/sh
# Private configuration for podman: everything of it under one folder.
#
#   podman-conf.sh DIR RUNTIME
#
# Writes DIR/containers.conf and DIR/storage.conf for
#   CONTAINERS_CONF=DIR/containers.conf CONTAINERS_STORAGE_CONF=DIR/storage.conf \
#   podman --root DIR/storage --runroot DIR/run --tmpdir DIR/tmp \
#          --cgroup-manager cgroupfs --events-backend file --runtime RUNTIME ...
# Storage (overlay), run root, tmp dir, file locks (not the host-wide shm
# ones), events and network config live in DIR; RUNTIME's basename is among
# the runtimes podman passes `--log-format json` to.  The limits are those
# this machine allows (a hard RLIMIT_NOFILE above 20000 is refused).
set -eu
dir=$1
runtime=$2
mkdir -p "$dir/tmp" "$dir/net"
cat >"$dir/containers.conf" <<EOT
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
lock_type = "file"
runtime_supports_json = ["crun", "runc", "$(basename "$runtime")"]
[network]
network_backend = "cni"
network_config_dir = "$dir/net"
EOT
cat >"$dir/storage.conf" <<EOT
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
EOT

#!/usr/bin/env bash
# Installs the Debian packages the two-node HA lab needs (idempotent).
# Pacemaker/Corosync/crmsh run the cluster, resource-agents provides the
# Filesystem/IPaddr2 agents and ocf-tester (which needs xmllint), kmod is
# needed by the Filesystem agent's modprobe, dcmtk provides echoscu/storescu/dcmdump,
# e2fsprogs the shared volume's mkfs.ext4, python3 the lab's report (lab-report).
set -euo pipefail

usage() {
    cat <<USAGE
Usage: $(basename "$0") [--help]
Installs pacemaker, corosync, resource-agents, crmsh, pacemaker-cli-utils,
kmod, keepalived, nftables, iproute2, libxml2-utils, iputils-arping, dcmtk,
e2fsprogs, python3.
Must run as root on Debian. Does nothing when everything is present.
USAGE
}
case "${1:-}" in
    -h|--help) usage; exit 0 ;;
    "") ;;
    *) usage >&2; exit 64 ;;
esac

packages=(pacemaker corosync resource-agents crmsh pacemaker-cli-utils kmod
          keepalived nftables iproute2 libxml2-utils iputils-arping dcmtk e2fsprogs python3)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "ha-lab: installing ${missing[*]} needs root" >&2
    exit 77
fi
echo "ha-lab: installing ${missing[*]}" >&2
apt-get update -qq
# policy-rc.d stops the packages' maintainer scripts from starting daemons on the host.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && created_policy=1
fi
remove_policy() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
trap remove_policy EXIT
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

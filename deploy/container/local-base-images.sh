#!/usr/bin/env bash
# Make the Dockerfile's two base images on a machine that reaches Debian's
# package mirror but no container registry (how the image was built and run
# for issue 15; docs/operations.md, "The container"):
#
#   localhost/debian:bookworm-minbase   debootstrap's minbase, as RUNTIME_IMAGE
#   localhost/rust:1.95-bookworm        the same, with gcc, make and this machine's
#                                       Rust toolchain (rustup's, copied), as
#                                       RUST_IMAGE
#
# Then (on this machine, whose cgroups crun refuses, with runc and the
# cgroupfs manager: deploy/container/containers.conf):
#       podman build --format docker --isolation chroot --network host \
#         --build-arg RUST_IMAGE=localhost/rust:1.95-bookworm \
#         --build-arg RUNTIME_IMAGE=localhost/debian:bookworm-minbase -t ecolaura .
#
# Needs root, debootstrap and podman (Debian packages).
set -euo pipefail
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
work="${WORK:-/var/tmp/ecolaura-base-images}"
toolchain="${RUST_TOOLCHAIN:-$(rustc --print sysroot)}"
mkdir -p "$work"

if [ ! -x "$work/rootfs/bin/bash" ]; then
    rm -rf "$work/rootfs"
    debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror"
fi
tar -C "$work/rootfs" --exclude='./var/cache/apt/archives/*.deb' -c . \
    | podman import - localhost/debian:bookworm-minbase

if [ ! -x "$work/rust/usr/bin/make" ]; then
    rm -rf "$work/rust"
    cp -a "$work/rootfs" "$work/rust"
    cp /etc/resolv.conf "$work/rust/etc/resolv.conf"
    chroot "$work/rust" apt-get update -qq
    chroot "$work/rust" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends gcc libc6-dev make ca-certificates
    chroot "$work/rust" apt-get clean
fi
# This machine's own certificate authorities (an egress proxy's, say), so
# that cargo in the build stage reaches crates.io as cargo here does.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$work/rust/usr/local/share/ca-certificates/"
    chroot "$work/rust" update-ca-certificates >/dev/null
fi
rm -rf "$work/rust/usr/local/rust"
mkdir -p "$work/rust/usr/local/rust"
cp -a "$toolchain"/. "$work/rust/usr/local/rust/"
tar -C "$work/rust" -c . | podman import \
    --change 'ENV PATH=/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    - localhost/rust:1.95-bookworm
podman images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E 'bookworm'

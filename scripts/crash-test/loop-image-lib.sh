# Shared by the crash scripts whose data root sits on a loop-mounted ext4 image (sourced): what
# is attached is tracked in MOUNTS and DEVICES, so that a script's clean-up can undo it all.
DEVICES=()
MOUNTS=()
ATTACHED=""

# attach IMAGE MOUNTPOINT [OPTIONS]: loop-mounts an ext4 image; its loop device is left in ATTACHED.
attach() {
    ATTACHED=$(losetup --find --show "$1"); DEVICES+=("$ATTACHED")
    mkdir -p "$2"; mount ${3:+-o "$3"} "$ATTACHED" "$2"; MOUNTS+=("$2")
}

# detach MOUNTPOINT DEVICE
detach() {
    umount "$1"; losetup -d "$2"
    local kept=() item
    for item in "${MOUNTS[@]}"; do [ "$item" = "$1" ] || kept+=("$item"); done
    MOUNTS=("${kept[@]}")
    kept=()
    for item in "${DEVICES[@]}"; do [ "$item" = "$2" ] || kept+=("$item"); done
    DEVICES=("${kept[@]}")
}

# detach_all: for a clean-up; quiet about what is already gone.
detach_all() {
    local item
    for item in "${MOUNTS[@]}"; do umount "$item" 2>/dev/null || true; done
    for item in "${DEVICES[@]}"; do losetup -d "$item" 2>/dev/null || true; done
}

# clean_up_loop_test PID...: a script's EXIT trap: kills the processes it still runs (the ones
# given: receiver, senders, tracer), then detaches every image and removes WORK.
clean_up_loop_test() {
    local pid
    for pid in "$@"; do kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    detach_all
    rm -rf "$WORK"
}

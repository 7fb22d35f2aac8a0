#!/usr/bin/env bash
# make pi-check: what a Raspberry Pi (64-bit Raspberry Pi OS = Debian Bookworm arm64) gets, run under
# qemu-user emulation on this x86 machine. It proves the edge install (no TensorFlow) works on aarch64
# and reads the same plates as x86; it does NOT measure Pi speed (emulated timings are not real).
#
#   sudo make pi-check            # first run: debootstrap (under 10 min here), then Python and pip under emulation
#   sudo make pi-check            # later runs reuse ~/.cache/anpr/pi-bookworm-arm64
#
# Results: benchmarks/reference/arm64-qemu/ (summary.md, bench.json, reads-arm64.jsonl, reads-x86.jsonl,
# int8-outputs.md).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT=$(pwd)
ROOTFS=${ANPR_PI_ROOTFS:-$HOME/.cache/anpr/pi-bookworm-arm64}
MIRROR=${ANPR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
OUT=$PROJECT/benchmarks/reference/arm64-qemu
HOST_PY=${HOST_PY:-$PROJECT/.venv/bin/python}

say() { printf '\n== %s\n' "$*"; }
fail() { echo "pi-check: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || fail "needs root (debootstrap, chroot and binfmt_misc need it): run 'sudo make pi-check'"
[ "$(uname -m)" = x86_64 ] || fail "meant for an x86_64 host (on an arm64 machine run the tests directly)"
[ -x "$HOST_PY" ] || fail "$HOST_PY missing: run 'make setup' first (the host generates the test clip)"

say "tools: qemu-user-static, binfmt-support, debootstrap"
if ! command -v debootstrap >/dev/null || ! command -v update-binfmts >/dev/null || \
   ! ls /usr/libexec/qemu-binfmt/aarch64-binfmt-P /usr/bin/qemu-aarch64-static >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq qemu-user-static binfmt-support debootstrap >/dev/null
fi
mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] || fail "qemu-aarch64 is not registered with binfmt_misc"

if [ ! -f "$ROOTFS/.anpr-base" ]; then
  say "debootstrap Debian Bookworm arm64 (minbase) into $ROOTFS (cached afterwards)"
  rm -rf "$ROOTFS.tmp"
  mkdir -p "$(dirname "$ROOTFS")"
  debootstrap --arch=arm64 --variant=minbase bookworm "$ROOTFS.tmp" "$MIRROR"
  rm -rf "$ROOTFS"
  mv "$ROOTFS.tmp" "$ROOTFS"
  touch "$ROOTFS/.anpr-base"
fi
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
# the host's CA bundle under its own name (the chroot's ca-certificates package rewrites the usual one):
# pip inside trusts what the host trusts (a proxy's CA included)
HOST_CA=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
mkdir -p "$ROOTFS/etc/ssl/certs"
cp "$HOST_CA" "$ROOTFS/etc/ssl/certs/anpr-host-ca.crt"

mountpoint -q "$ROOTFS/proc" || mount -t proc proc "$ROOTFS/proc"
# no /sys: with the host's sysfs visible, XNNPACK's cpuinfo picks code paths qemu-user crashes on
mkdir -p "$ROOTFS/dev/shm"
mountpoint -q "$ROOTFS/dev/shm" || mount -t tmpfs tmpfs "$ROOTFS/dev/shm"
cleanup() {
  for m in dev/shm sys proc; do umount "$ROOTFS/$m" 2>/dev/null || true; done
}
trap cleanup EXIT
in_pi() { chroot "$ROOTFS" /usr/bin/env -i HOME=/root PATH=/opt/venv/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  LANG=C.UTF-8 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CERT=/etc/ssl/certs/anpr-host-ca.crt \
  SSL_CERT_FILE=/etc/ssl/certs/anpr-host-ca.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/anpr-host-ca.crt \
  /bin/bash -c "$1"; }

[ "$(in_pi 'uname -m')" = aarch64 ] || fail "the chroot does not run as aarch64"

if [ ! -f "$ROOTFS/.anpr-python" ]; then
  say "Python 3 and venv inside the arm64 userland (apt, emulated)"
  in_pi "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    python3 python3-venv python3-pip ca-certificates mosquitto >/dev/null"
  in_pi "python3 -m venv /opt/venv"
  touch "$ROOTFS/.anpr-python"
fi

say "copy the project (git-tracked files; models without the .keras sources)"
rm -rf "$ROOTFS/opt/anpr"
mkdir -p "$ROOTFS/opt/anpr"
git ls-files -z | grep -zv -e '\.keras$' -e '^docs/previews/' | xargs -0 tar -cf - | tar -xf - -C "$ROOTFS/opt/anpr"

say "pip install '.[edge,http,dev]' inside the arm64 userland (what a Pi gets: no TensorFlow)"
in_pi "cd /opt/anpr && pip install -q '.[edge,http,dev]'"
in_pi "python -c 'import tensorflow' 2>/dev/null && echo 'TensorFlow present: not a Pi install' && exit 1 || true"

say "test clip, generated on the host (the renderer is a training tool)"
mkdir -p "$ROOTFS/opt/anpr-data"
"$HOST_PY" -m edge.cli.main synth --kind clip --count 90 --seed 11 --out "$ROOTFS/opt/anpr-data/clip.mp4" >/dev/null
"$HOST_PY" -m edge.cli.main run --source "$ROOTFS/opt/anpr-data/clip.mp4" --models models \
  --state-dir "$(mktemp -d)" --device-id pi-check 2>/dev/null > /tmp/anpr-reads-x86.jsonl

mkdir -p "$OUT"
say "edge tests on arm64 (emulated; tests that need TensorFlow or the synthetic renderer skip)"
set +e
in_pi "cd /opt/anpr && python -m pytest -q -p no:cacheprovider -o addopts= tests/edge tests/test_layering.py \
  tests/test_cli.py > /opt/anpr-data/pytest.txt 2>&1"
TESTS_RC=$?
set -e
cp "$ROOTFS/opt/anpr-data/pytest.txt" "$OUT/pytest.txt"
tail -5 "$OUT/pytest.txt"

say "anpr bench --quick and anpr run on arm64 (functional: emulated timings are not real)"
in_pi "cd /opt/anpr && anpr bench --quick --threads 1 --models models --json /opt/anpr-data/bench.json >/dev/null"
in_pi "cd /opt/anpr && rm -rf /tmp/st && anpr run --source /opt/anpr-data/clip.mp4 --models models \
  --state-dir /tmp/st --device-id pi-check 2>/opt/anpr-data/run.log" > "$OUT/reads-arm64.jsonl"
cp "$ROOTFS/opt/anpr-data/bench.json" "$OUT/bench.json"
cp /tmp/anpr-reads-x86.jsonl "$OUT/reads-x86.jsonl"

say "the same inputs on both machines: video decoding, resize, detector and reader compared stage by stage"
rm -f "$ROOTFS/opt/anpr-data/inputs.npz"
"$HOST_PY" benchmarks/int8_outputs.py dump --clip "$ROOTFS/opt/anpr-data/clip.mp4" \
  --inputs "$ROOTFS/opt/anpr-data/inputs.npz" --out "$ROOTFS/opt/anpr-data/x86.npz" 2>/dev/null
in_pi "cd /opt/anpr && python benchmarks/int8_outputs.py dump --clip /opt/anpr-data/clip.mp4 \
  --inputs /opt/anpr-data/inputs.npz --out /opt/anpr-data/arm64.npz 2>/dev/null"
"$HOST_PY" benchmarks/int8_outputs.py compare "$ROOTFS/opt/anpr-data/x86.npz" "$ROOTFS/opt/anpr-data/arm64.npz" \
  > "$OUT/int8-outputs.md"

"$HOST_PY" - "$OUT" "$TESTS_RC" <<'EOF'
import json, sys
from pathlib import Path
out, tests_rc = Path(sys.argv[1]), int(sys.argv[2])
plates = lambda f: sorted(json.loads(l)["plate"] for l in (out / f).read_text().splitlines() if l.strip())
arm, x86 = plates("reads-arm64.jsonl"), plates("reads-x86.jsonl")
bench = json.loads((out / "bench.json").read_text())
board = bench["board"]
tests = (out / "pytest.txt").read_text().strip().splitlines()
summary = [
    "# Functional check on Debian Bookworm arm64 under qemu-user emulation (`make pi-check`)",
    "",
    "Emulated: the timings below are NOT Raspberry Pi timings (see benchmarks/reference/pi-projection.md).",
    "",
    f"- machine: {board.get('arch')} / {board.get('os')} / Python {board.get('python')} / {board.get('interpreter')}",
    f"- edge tests: {tests[-1] if tests else 'no output'} (exit {tests_rc})",
    f"- plates read on the same generated clip: arm64 {arm} / x86 {x86} -> {'identical' if arm == x86 else 'DIFFERENT'}",
    f"- bench --quick (emulated, not real): detector int8 p50 {bench['detector']['int8']['p50_ms']:.1f} ms, "
    f"ocr int8 p50 {bench['ocr']['int8']['p50_ms']:.2f} ms, RSS {bench['rss_mb']:.0f} MB",
    "",
    "Stage by stage, arm64 vs x86 on the same inputs (`benchmarks/int8_outputs.py`; each stage fed x86's",
    "output of the stage before):",
    "",
    (out / "int8-outputs.md").read_text().strip(),
]
(out / "summary.md").write_text("\n".join(summary) + "\n")
print("\n".join(summary))
sys.exit(0 if tests_rc == 0 and arm == x86 else 1)
EOF

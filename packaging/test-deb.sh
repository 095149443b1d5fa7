#!/usr/bin/env bash
# Proves the package on a machine without Swift: installs kerasctl_*.deb with apt-get into a
# fresh Debian 12 (bookworm) root made by debootstrap, then inside it runs --version, summary,
# one training epoch and predict from standard input. The pristine root is cached as a tar
# file (DEB_ROOT_CACHE) so debootstrap runs once per machine; each test unpacks a new copy.
# Needs root (chroot, mounts) and Debian's mirror. Usage: packaging/test-deb.sh DEB
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=$(realpath "${1:?usage: packaging/test-deb.sh kerasctl_VERSION_amd64.deb}")
CACHE=${DEB_ROOT_CACHE:-/var/cache/kerasctl-test-deb}
MIRROR=${DEB_MIRROR:-http://deb.debian.org/debian}
TARBALL=$CACHE/bookworm-minbase.tar
ROOT=$(mktemp -d /tmp/kerasctl-deb-root.XXXXXX)
t0=$(date +%s)

cleanup() {
  for m in dev/pts dev proc; do mountpoint -q "$ROOT/$m" && umount -l "$ROOT/$m"; done
  rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT

if [ ! -s "$TARBALL" ]; then
  echo "test-deb: making the Debian 12 root once (debootstrap, cached in $CACHE)"
  mkdir -p "$CACHE"
  fresh=$(mktemp -d "$CACHE/root.XXXXXX")
  debootstrap --variant=minbase bookworm "$fresh" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
    || { echo "test-deb: debootstrap failed, see $CACHE/debootstrap.log" >&2; rm -rf "$fresh"; exit 1; }
  tar -C "$fresh" -cf "$TARBALL.tmp" . && mv "$TARBALL.tmp" "$TARBALL"
  rm -rf --one-file-system "$fresh"
fi
tar -C "$ROOT" -xf "$TARBALL"
mount -t proc proc "$ROOT/proc"
mount --bind /dev "$ROOT/dev"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

if in_root sh -c 'command -v swift || ls -d /opt/swift' >/dev/null 2>&1; then echo "test-deb: the root has Swift" >&2; exit 1; fi
cp "$DEB" "$ROOT/tmp/"
in_root apt-get -o APT::Sandbox::User=root update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get -o APT::Sandbox::User=root install -y -qq --no-install-recommends "/tmp/$(basename "$DEB")" >/dev/null
echo "== installed: $(in_root dpkg-query -W -f '${Package} ${Version}' kerasctl)"

echo "== kerasctl --version"
in_root kerasctl --version
echo "== kerasctl summary (an example spec)"
in_root kerasctl summary /usr/share/doc/kerasctl/examples/specs/iris.yaml | tail -3
echo "== kerasctl train, one epoch"
in_root kerasctl train /usr/share/doc/kerasctl/examples/specs/iris.yaml --epochs 1 -o /tmp/runs/iris
echo "== kerasctl predict from standard input"
out=$(head -6 "$ROOT/usr/share/doc/kerasctl/examples/datasets/iris.csv" | in_root kerasctl predict /tmp/runs/iris --input -)
echo "$out"
[ "$(printf '%s\n' "$out" | wc -l)" = 5 ] || { echo "test-deb: expected 5 predictions" >&2; exit 1; }
printf '%s\n' "$out" | grep -qvE '^(setosa|versicolor|virginica)$' && { echo "test-deb: not a class name" >&2; exit 1; }
echo "== a raw table through the FeatureSpace (FarmHash from libfarmhash0): train, predict raw rows"
in_root kerasctl train /usr/share/doc/kerasctl/examples/specs/penguins.yaml --epochs 1 --quiet -o /tmp/runs/penguins
out=$(head -6 "$ROOT/usr/share/doc/kerasctl/examples/datasets/penguins.csv" | in_root kerasctl predict /tmp/runs/penguins --input -)
echo "$out"
[ "$(printf '%s\n' "$out" | wc -l)" = 5 ] || { echo "test-deb: expected 5 penguin predictions" >&2; exit 1; }
printf '%s\n' "$out" | grep -qvE '^(Adelie|Chinstrap|Gentoo)$' && { echo "test-deb: not a species name" >&2; exit 1; }
echo "== pictures (cairo, Graphviz and its plugins from libgvc6): plot, plot-model, confusion matrix"
in_root kerasctl plot /tmp/runs/iris -o /tmp/pictures/curves.png
in_root kerasctl plot-model /tmp/runs/iris -o /tmp/pictures/model.png
in_root kerasctl evaluate /tmp/runs/iris --csv /usr/share/doc/kerasctl/examples/datasets/iris.csv --confusion-matrix -o /tmp/pictures/cm.svg
for f in curves.png model.png; do
  [ "$(head -c 4 "$ROOT/tmp/pictures/$f" | od -An -tx1 | tr -d ' ')" = 89504e47 ] || { echo "test-deb: $f is not a PNG" >&2; exit 1; }
done
grep -q '<svg' "$ROOT/tmp/pictures/cm.svg" || { echo "test-deb: cm.svg is not an SVG" >&2; exit 1; }
echo "test-deb: OK in $(( $(date +%s) - t0 )) s"

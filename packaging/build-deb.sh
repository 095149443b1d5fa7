#!/usr/bin/env bash
# Builds kerasctl_<version>_amd64.deb the Debian way, without debhelper: the binary linked
# with the Swift standard library and Foundation statically (nothing from the toolchain),
# Depends computed by dpkg-shlibdeps from the libraries it links, the control file made by
# dpkg-gencontrol from debian/control and debian/changelog, the archive by dpkg-deb.
# Usage: packaging/build-deb.sh [OUTDIR]   (default: the project folder)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-.}
SWIFT=${SWIFT:-swift}
VERSION=$(dpkg-parsechangelog -S Version)
ARCH=$(dpkg --print-architecture)
STAGE=.build-deb/kerasctl
SCRATCH=.build-static

"$SWIFT" build -c release --static-swift-stdlib --product kerasctl --scratch-path "$SCRATCH"
# swift-argument-parser's manual generator (mdoc from the command's own help).
"$SWIFT" build -c release --static-swift-stdlib --product generate-manual --scratch-path "$SCRATCH"
BIN=$SCRATCH/release/kerasctl
if ldd "$BIN" | grep -q -e '/opt/swift' -e 'libswift' -e 'libFoundation'; then
  echo "build-deb: $BIN still links the Swift toolchain's libraries:" >&2; ldd "$BIN" >&2; exit 1
fi

rm -rf "$STAGE"
install -d "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE/usr/share/man/man1" "$STAGE/usr/share/doc/kerasctl/examples/datasets" \
  "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
  "$STAGE/usr/share/fish/vendor_completions.d"
install -m 0755 "$BIN" "$STAGE/usr/bin/kerasctl"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$STAGE/usr/bin/kerasctl"
install -m 0644 debian/copyright "$STAGE/usr/share/doc/kerasctl/copyright"
gzip -9n -c debian/changelog > "$STAGE/usr/share/doc/kerasctl/changelog.gz"
install -m 0644 README.md docs/SPEC-NOTES.md docs/DISTRIBUTED.md "$STAGE/usr/share/doc/kerasctl/"
gzip -9n "$STAGE/usr/share/doc/kerasctl/README.md" "$STAGE/usr/share/doc/kerasctl/SPEC-NOTES.md" "$STAGE/usr/share/doc/kerasctl/DISTRIBUTED.md"
# The example specs, with the small data sets the non-Fashion ones read (paths as in the repo:
# specs/ and datasets/ side by side, so `../datasets/...` in a spec still resolves).
install -d "$STAGE/usr/share/doc/kerasctl/examples/specs"
install -m 0644 specs/*.yaml "$STAGE/usr/share/doc/kerasctl/examples/specs/"
rmdir "$STAGE/usr/share/doc/kerasctl/examples/datasets"
cp -r datasets "$STAGE/usr/share/doc/kerasctl/examples/datasets"
find "$STAGE/usr/share/doc/kerasctl/examples/datasets" -name '*.py' -delete
find "$STAGE/usr/share/doc/kerasctl/examples" -type d -exec chmod 0755 {} + -o -type f -exec chmod 0644 {} +
# The man page and shell completions, from swift-argument-parser (bash-completion files are
# sourced, not run: no #! line).
mkdir -p .build-deb/man
"$SCRATCH/release/generate-manual" "$BIN" --authors "kerasctl maintainers" \
  --date "$(date -u -d "@$(dpkg-parsechangelog -S Timestamp)" +%Y-%m-%d)" --output-directory .build-deb/man
gzip -9n -c .build-deb/man/kerasctl.1 > "$STAGE/usr/share/man/man1/kerasctl.1.gz"
chmod 0644 "$STAGE/usr/share/man/man1/kerasctl.1.gz"
"$BIN" --generate-completion-script bash | sed '1{/^#!/d}' > "$STAGE/usr/share/bash-completion/completions/kerasctl"
"$BIN" --generate-completion-script zsh > "$STAGE/usr/share/zsh/vendor-completions/_kerasctl"
"$BIN" --generate-completion-script fish > "$STAGE/usr/share/fish/vendor_completions.d/kerasctl.fish"
chmod 0644 "$STAGE"/usr/share/*/*/kerasctl* "$STAGE"/usr/share/zsh/vendor-completions/_kerasctl

# Depends from the shared libraries the binary links (libyaml, OpenBLAS, zlib, HDF5, Open MPI, libc...).
SUBST=.build-deb/substvars
rm -f "$SUBST"
dpkg-shlibdeps -T"$SUBST" -e"$STAGE/usr/bin/kerasctl"
dpkg-gencontrol -pkerasctl -P"$STAGE" -T"$SUBST" -cdebian/control -ldebian/changelog -f.build-deb/files
DEB="$OUT/kerasctl_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz --build "$STAGE" "$DEB"
echo "built $DEB ($(du -h "$DEB" | cut -f1)); Depends: $(dpkg-deb -f "$DEB" Depends)"

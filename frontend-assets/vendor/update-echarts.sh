#!/usr/bin/env bash
# frontend-assets/vendor/update-echarts.sh — vendor Apache ECharts from the npm registry.
#
#   frontend-assets/vendor/update-echarts.sh            the latest 5.x
#   frontend-assets/vendor/update-echarts.sh 5.6.0      an exact version
#
# Packs the release with `npm pack` (the registry npm is configured for), checks the tarball
# against the registry's `dist.integrity` (sha512), and copies dist/echarts.min.js, LICENSE,
# NOTICE and the licences of what the bundle embeds (d3 parts, zrender) into vendor/echarts/,
# then rewrites the version and integrity in vendor/echarts/README.md. Nothing is fetched when
# the pages run: the server serves the copy at /vendor/echarts/echarts.min.js.
set -euo pipefail
shopt -s inherit_errexit

spec="${1:-5}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="$here/echarts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

need() { command -v "$1" >/dev/null 2>&1 || { printf 'update-echarts.sh: %s is required\n' "$1" >&2; exit 1; }; }
need npm
need node
need tar

# One exact version (the newest that matches the spec), so the integrity names one tarball.
version="$(npm view "echarts@$spec" version --json | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
    const v = JSON.parse(s); const all = Array.isArray(v) ? v : [v];
    process.stdout.write(all[all.length - 1]);
  });')"
[ -n "$version" ] || { printf 'update-echarts.sh: no echarts version matches %s\n' "$spec" >&2; exit 1; }

# Verifies a packed tarball against the registry's integrity string (sha512-<base64>).
check_integrity() {
    local tgz="$1" expected="$2" actual
    case "$expected" in
    sha512-*) ;;
    *) printf 'update-echarts.sh: %s: unexpected integrity %s\n' "$tgz" "$expected" >&2; return 1 ;;
    esac
    actual="sha512-$(node -e '
      const c = require("crypto"), fs = require("fs");
      process.stdout.write(c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"));' "$tgz")"
    if [ "$actual" != "$expected" ]; then
        printf 'update-echarts.sh: %s: integrity mismatch\n  expected %s\n  got      %s\n' "$tgz" "$expected" "$actual" >&2
        return 1
    fi
}

# Packs name@version into $work/name and checks it; prints the integrity.
pack() {
    local name="$1" ver="$2" dir="$work/$1" integrity tgz
    mkdir -p "$dir"
    integrity="$(npm view "$name@$ver" dist.integrity)" || return 1
    tgz="$(cd "$dir" && npm pack "$name@$ver" --silent | tail -n 1)" || return 1
    check_integrity "$dir/$tgz" "$integrity" || return 1
    tar -xzf "$dir/$tgz" -C "$dir" || return 1
    printf '%s' "$integrity"
}

echarts_integrity="$(pack echarts "$version")"
pkg="$work/echarts/package"
[ -s "$pkg/dist/echarts.min.js" ] || { printf 'update-echarts.sh: no dist/echarts.min.js in echarts %s\n' "$version" >&2; exit 1; }

# zrender (BSD-3-Clause) is bundled into dist/echarts.min.js: carry its licence too.
zr_version="$(node -e 'process.stdout.write(require(process.argv[1]).dependencies.zrender || "")' "$pkg/package.json")"
zr_integrity=""
if [ -n "$zr_version" ]; then
    zr_integrity="$(pack zrender "$zr_version")"
fi

mkdir -p "$dest/licenses"
cp "$pkg/dist/echarts.min.js" "$dest/echarts.min.js"
cp "$pkg/LICENSE" "$dest/LICENSE"
cp "$pkg/NOTICE" "$dest/NOTICE"
if [ -f "$pkg/licenses/LICENSE-d3" ]; then cp "$pkg/licenses/LICENSE-d3" "$dest/licenses/LICENSE-d3"; fi
if [ -n "$zr_version" ]; then cp "$work/zrender/package/LICENSE" "$dest/licenses/LICENSE-zrender"; fi

# README.md: the lines that name the version and the integrity.
readme="$dest/README.md"
if [ -f "$readme" ]; then
    node - "$readme" "$version" "$echarts_integrity" "$zr_version" "$zr_integrity" <<'JS'
const fs = require('fs');
const [file, version, integrity, zrVersion, zrIntegrity] = process.argv.slice(2);
let text = fs.readFileSync(file, 'utf8');
text = text.replace(/^- Version: .*$/m, `- Version: ${version}`)
  .replace(/^- npm integrity: .*$/m, `- npm integrity: \`${integrity}\``)
  .replace(/^- Bundled zrender: .*$/m, `- Bundled zrender: ${zrVersion}, npm integrity \`${zrIntegrity}\``);
fs.writeFileSync(file, text);
JS
fi

size="$(wc -c <"$dest/echarts.min.js")"
sha256="$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync(process.argv[1])).digest("hex"))' "$dest/echarts.min.js")"
printf 'echarts %s (%s)\n  -> %s (%s bytes, sha256 %s)\n' "$version" "$echarts_integrity" "$dest/echarts.min.js" "$size" "$sha256"
[ -z "$zr_version" ] || printf 'zrender %s (%s): licence copied\n' "$zr_version" "$zr_integrity"
printf 'Check the pages (tests/browser), update README.md if anything else changed, and commit vendor/echarts/.\n'

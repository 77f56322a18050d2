#!/usr/bin/env bash
# Installs what building and testing memscope needs on Debian 12 (as root, or via sudo).
set -euo pipefail
pkgs=(build-essential python3 cmake pkg-config qt6-base-dev libqcustomplot-dev libprotobuf-dev
      protobuf-compiler libzstd-dev zlib1g-dev libsqlite3-dev libgl-dev xvfb xauth clang-format
      lsof iproute2)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

#!/usr/bin/env bash
# Runs the webgpu InceptionV3 benchmark with only the files of this folder (README.md): a node binary,
# the bundled script, Dawn's dawn.node and the Vulkan loader. Settings pass through the environment
# (SIZE, BATCH, STEPS, WARMUP, VARIANTS, BUDGET_S, CHECK, CHECK_TIMEOUT_S, PROFILE, MICRO, DAWN_FLAGS,
# OUT).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="${CXRKIT_GPU_WORK:-${TMPDIR:-/tmp}/cxrkit-gpu}"
mkdir -p "$work/lib"

# file.xz in this folder → $work/file (xz, else Python's lzma)
unpack() {
  local src="$here/$1.xz" dst="$work/$1"
  [ -s "$dst" ] && [ "$dst" -nt "$src" ] && return 0
  if command -v xz >/dev/null 2>&1; then xz -dc "$src" >"$dst.tmp"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
      "$src" "$dst.tmp"
  fi
  mv "$dst.tmp" "$dst"
}
unpack node && chmod +x "$work/node"
unpack dawn.node
cp "$here/webgpu-train-step.mjs" "$work/"   # loads dawn.node from its own folder

# The shared-library cache (ldconfig is often outside a minimal PATH).
ldconfig_bin="$(command -v ldconfig || true)"
for c in /sbin/ldconfig /usr/sbin/ldconfig; do [ -z "$ldconfig_bin" ] && [ -x "$c" ] && ldconfig_bin="$c"; done
libs() { if [ -n "$ldconfig_bin" ]; then "$ldconfig_bin" -p 2>/dev/null || true; fi; }

# The Vulkan loader: the system's, else the one carried here (Debian 12's libvulkan1 1.3.239).
if ! libs | grep -q 'libvulkan\.so\.1 '; then
  unpack lib/libvulkan.so.1
  export LD_LIBRARY_PATH="$work/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "run.sh: no system Vulkan loader; using the carried libvulkan.so.1"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done

# NVIDIA's Vulkan driver manifest (containers often mount it outside the loader's search path).
if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  icd=""
  for f in /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json \
    /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd*.json /usr/local/share/vulkan/icd.d/nvidia_icd*.json; do
    if [ -f "$f" ]; then icd="$f"; break; fi
  done
  if [ -z "$icd" ]; then
    glx="$(libs | awk '/libGLX_nvidia\.so\.0 /{print $NF; exit}')"
    [ -z "$glx" ] && [ -f /usr/local/nvidia/lib64/libGLX_nvidia.so.0 ] && glx=/usr/local/nvidia/lib64/libGLX_nvidia.so.0
    if [ -n "$glx" ]; then
      icd="$work/nvidia_icd.json"
      printf '{"file_format_version":"1.0.1","ICD":{"library_path":"%s","api_version":"1.3.0"}}\n' "$glx" >"$icd"
      echo "run.sh: wrote $icd for $glx"
    fi
  fi
  if [ -n "$icd" ]; then
    export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
    echo "run.sh: Vulkan driver manifest $icd"
  else echo "run.sh: no NVIDIA Vulkan manifest found; the loader's defaults apply"
  fi
fi
egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
if [ -z "${__EGL_VENDOR_LIBRARY_FILENAMES:-}" ] && [ -f "$egl" ]; then
  export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
fi

export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work/xdg}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L || true
cd "$work"
exec "$work/node" --max-old-space-size=32768 webgpu-train-step.mjs

#!/usr/bin/env bash
# The tests' one command, on a fresh machine or this one: provisions what the
# tests need (Node.js and npm, redis-server 7+, tmux, OpenSSL's headers and
# pkg-config) with the system's package manager when it may (as root, or
# with sudo that asks no password), otherwise stops before building and
# names each missing tool with the command that installs it; then installs
# the reference server's pinned packages and runs `cargo test` (arguments
# are passed on: ./test.sh environment). Exit status: cargo test's, or 3
# when the machine lacks something it could not install.
set -euo pipefail
cd "$(dirname "$0")"
# Names of tools and packages have no spaces: words may be split on lines only.
IFS=$'\n\t'

say() { printf 'test.sh: %s\n' "$*" >&2; }
# Words joined by spaces (IFS is a newline here, which "${words[*]}" would use).
words() { local IFS=' '; echo "$*"; }

# The package manager, and each need's package name in it.
manager=""
for candidate in apt-get dnf brew; do
  if command -v "$candidate" >/dev/null 2>&1; then manager=$candidate; break; fi
done

package() { # need -> the package that provides it under $manager
  case "$manager:$1" in
    apt-get:node) echo nodejs ;;
    apt-get:npm) echo npm ;;
    apt-get:redis-server) echo redis-server ;;
    apt-get:tmux) echo tmux ;;
    apt-get:pkg-config) echo pkg-config ;;
    apt-get:openssl) echo libssl-dev ;;
    dnf:node) echo nodejs ;;
    dnf:npm) echo npm ;;
    dnf:redis-server) echo redis ;;
    dnf:tmux) echo tmux ;;
    dnf:pkg-config) echo pkgconf-pkg-config ;;
    dnf:openssl) echo openssl-devel ;;
    brew:node | brew:npm) echo node ;;
    brew:redis-server) echo redis ;;
    brew:tmux) echo tmux ;;
    brew:pkg-config) echo pkg-config ;;
    brew:openssl) echo openssl@3 ;;
    *) echo "$1" ;;
  esac
}

why() { # need -> what in the tests needs it
  case "$1" in
    cargo) echo "builds and runs the tests (Rust 1.94 or newer)" ;;
    node | npm) echo "the differential test runs the official Socket.IO server" ;;
    redis-server) echo "the cluster tests start a Redis 7 for the adapter" ;;
    tmux) echo "the terminal tests drive the program in a tmux pane" ;;
    pkg-config | openssl) echo "the build links OpenSSL (through rust_socketio)" ;;
  esac
}

# The needs missing now (cargo cannot be installed from here: rustup can).
missing() {
  command -v cargo >/dev/null 2>&1 || echo cargo
  for tool in node npm redis-server tmux pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || echo "$tool"
  done
  if command -v pkg-config >/dev/null 2>&1 && ! pkg-config --exists openssl 2>/dev/null; then
    echo openssl
  elif ! command -v pkg-config >/dev/null 2>&1; then
    echo openssl
  fi
  if command -v redis-server >/dev/null 2>&1; then
    local major
    major=$(redis-server --version | sed -n 's/.* v=\([0-9]*\)\..*/\1/p')
    [ "${major:-0}" -ge 7 ] || echo "redis-server-7"
  fi
}

install_command() { # packages... -> the command that installs them
  case "$manager" in
    apt-get) echo "sudo apt-get update && sudo apt-get install -y $*" ;;
    dnf) echo "sudo dnf install -y $*" ;;
    brew) echo "brew install $*" ;;
    *) echo "(your system's package manager) install $*" ;;
  esac
}

# Who may install: root, passwordless sudo, or Homebrew (no root needed).
can_install=false
as_root=()
if [ "$manager" = brew ] || [ "$(id -u)" -eq 0 ]; then
  can_install=true
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  can_install=true
  as_root=(sudo)
fi
root() { ${as_root[@]+"${as_root[@]}"} "$@"; }

needs=($(missing))
installable=()
for need in "${needs[@]}"; do
  case "$need" in cargo | redis-server-7) ;; *) installable+=("$(package "$need")") ;; esac
done
if [ ${#installable[@]} -gt 0 ] && [ -n "$manager" ] && [ "$can_install" = true ]; then
  installable=($(printf '%s\n' "${installable[@]}" | sort -u))
  say "installing $(words "${installable[@]}") with $manager"
  installed=true
  case "$manager" in
    apt-get)
      root env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
        root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${installable[@]}" ||
        installed=false
      ;;
    dnf) root dnf install -y "${installable[@]}" || installed=false ;;
    brew) brew install "${installable[@]}" || installed=false ;;
  esac
  if [ "$installed" = false ]; then
    say "$manager could not install $(words "${installable[@]}") (its messages are above); nothing was built."
    say "install them by hand, then run ./test.sh again: $(install_command "${installable[@]}")"
    exit 3
  fi
  needs=($(missing))
fi

if [ ${#needs[@]} -gt 0 ]; then
  say "the tests need what this machine lacks; nothing was built."
  for need in "${needs[@]}"; do
    case "$need" in
      cargo)
        say "  cargo: $(why cargo); install: curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh"
        ;;
      redis-server-7)
        say "  redis-server 7 or newer (found $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')): $(why redis-server); install a newer one: https://redis.io/docs/latest/operate/oss_and_stack/install/"
        ;;
      *)
        say "  $need: $(why "$need"); install: $(install_command "$(package "$need")")"
        ;;
    esac
  done
  if [ "$can_install" = false ]; then
    say "(run ./test.sh as root, or with sudo that asks no password, to install them by itself)"
  fi
  exit 3
fi

# The reference server's pinned packages, when they are not installed yet
# or the lock file changed since.
if [ ! -f tests/reference/node_modules/.package-lock.json ] ||
  [ tests/reference/package-lock.json -nt tests/reference/node_modules/.package-lock.json ]; then
  (cd tests/reference && npm ci --no-audit --no-fund)
fi

# Tests never write snapshots unless asked to (INSTA_UPDATE=always).
export INSTA_UPDATE="${INSTA_UPDATE:-no}"
exec cargo test "$@"

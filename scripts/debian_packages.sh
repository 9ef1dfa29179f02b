# Sourced by the ensure-*.sh scripts: install Debian packages when running as root
# or with password-less sudo. Returns 1 (installing nothing) when neither is possible
# or apt-get is missing, so the caller can try another way or say how.
install_debian_packages() {
  local sudo
  command -v apt-get >/dev/null 2>&1 || return 1
  if [ "$(id -u)" = 0 ]; then
    sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=sudo
  else
    return 1
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

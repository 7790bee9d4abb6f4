# shellcheck shell=bash
# The source of the installed QEMU: the upstream tarball of its Debian source package, fetched with
# `apt-get source --download-only` through a private sources.list with a deb-src line (the system's
# apt configuration is not touched) and kept in $CACHE/source. Used by check-c-test.sh (libqtest
# headers) and build-qemu.sh (a QEMU with the qtest accelerator). The sourcing script defines
# CACHE, log MESSAGE and die MESSAGE.

# The version of the installed QEMU's source package, so the headers match the binary.
source_version() {
	dpkg-query -W -f='${source:Version}' qemu-system-x86 2>/dev/null || true
}

fetch_debian_source() {
	local codename suite version apt_dir tarball
	# shellcheck disable=SC1091  # os-release is a system file
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	version=$(source_version)
	# bookworm's own QEMU has no igb; its igb QEMU comes from bookworm-backports.
	suite=$codename
	[[ $version == *bpo12* || $codename == bookworm ]] && suite=bookworm-backports
	[[ -n $suite ]] || die "cannot tell the distribution; set QEMU_SRC to a QEMU source tree"
	# Downloaded before: no network needed (epoch and Debian revision are not in the file name).
	local upstream=${version#*:}
	upstream=${upstream%-*}
	if [[ -n $version && -f $CACHE/source/qemu_$upstream.orig.tar.xz ]]; then
		echo "$CACHE/source/qemu_$upstream.orig.tar.xz"
		return
	fi
	apt_dir=$CACHE/apt
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$CACHE/source"
	echo "deb-src http://deb.debian.org/debian $suite main" >"$apt_dir/sources.list"
	local opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Debug::NoLocking=1
		# Download as whoever runs this: the cache is theirs, not apt's sandbox user's.
		-o "APT::Sandbox::User=$(id -un)")
	apt-get -q "${opts[@]}" update >/dev/null
	local package=qemu
	[[ -n $version ]] && package=qemu=$version
	# Only the upstream tarball is needed (the headers are upstream files). apt checks each file
	# against the signed index before keeping it; a mirror that lacks the .dsc makes apt-get fail
	# although the tarball arrived, so success is judged by the tarball.
	(cd "$CACHE/source" && apt-get -q "${opts[@]}" source --download-only "$package" >/dev/null 2>&1) || true
	tarball=$(find "$CACHE/source" -maxdepth 1 -name 'qemu_*.orig.tar.xz' | sort | tail -n 1)
	[[ -n $tarball ]] || die "could not download the QEMU source package ($package from $suite)"
	echo "$tarball"
}


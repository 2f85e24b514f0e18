"""Downloading with an MD5 check and safe archive extraction.

Nothing is left half-written: the download goes to a hidden temporary file that
is renamed into place only after its checksum matches, and an archive is
extracted into a hidden temporary directory whose contents are renamed into the
root only after every member was checked and written."""
import hashlib
import os
import shutil
import socket
import tarfile
import tempfile
import urllib.error
import urllib.request

__all__ = ["ChecksumError", "DownloadError", "UnsafeArchiveError", "check_md5", "download_url",
           "extract_archive"]


class DownloadError(OSError):
    """The archive could not be fetched (offline, unreachable mirror, HTTP error)."""


class ChecksumError(RuntimeError):
    """A downloaded or cached file does not have the expected MD5."""


class UnsafeArchiveError(RuntimeError):
    """An archive member would land outside the extraction root, or is not a plain file or folder."""


def file_md5(path, chunk=1 << 20):
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            digest.update(block)
    return digest.hexdigest()


def check_md5(path, md5):
    return md5 is None or file_md5(path) == md5


def download_url(url, root, filename, md5, timeout=60, url_variable="SWIFTNN_CIFAR10_URL"):
    """Fetches `url` to root/filename unless a file with the right MD5 is already there
    (then prints torchvision's "Using downloaded and verified file")."""
    os.makedirs(root, exist_ok=True)
    target = os.path.join(root, filename)
    if os.path.isfile(target) and check_md5(target, md5):
        print(f"Using downloaded and verified file: {target}")
        return target
    print(f"Downloading {url} to {target}", flush=True)
    fd, partial = tempfile.mkstemp(dir=root, prefix="." + filename + ".", suffix=".part")
    try:
        digest = hashlib.md5()
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    for block in iter(lambda: response.read(1 << 20), b""):
                        digest.update(block)
                        out.write(block)
            except (urllib.error.URLError, socket.timeout, ConnectionError, OSError) as e:
                reason = getattr(e, "reason", e)
                raise DownloadError(
                    f"could not download {url}: {reason}. If this machine is offline, put {filename} "
                    f"in {root} yourself, or point url= (or {url_variable}) at a reachable mirror") from e
        if md5 is not None and digest.hexdigest() != md5:
            raise ChecksumError(
                f"checksum mismatch for {url}: MD5 {digest.hexdigest()}, expected {md5}. The download was "
                f"discarded. For a mirror whose archive is not byte-identical to the official one, pass md5=")
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return target


def _inside(root, path):
    root = os.path.realpath(root)
    return os.path.commonpath([root, os.path.realpath(path)]) == root


def _check_member(member, root):
    name = member.name
    parts = name.replace("\\", "/").split("/")
    if os.path.isabs(name) or name.startswith(("/", "\\")) or ".." in parts:
        raise UnsafeArchiveError(f"archive member {name!r} has an absolute path or '..': refusing to extract")
    dest = os.path.join(root, name)
    if not _inside(root, dest):
        raise UnsafeArchiveError(f"archive member {name!r} would be written outside {root}")
    if member.issym():
        target = os.path.join(os.path.dirname(dest), member.linkname)
        if os.path.isabs(member.linkname) or not _inside(root, target):
            raise UnsafeArchiveError(f"archive member {name!r} links outside the archive ({member.linkname!r})")
    elif member.islnk():
        if os.path.isabs(member.linkname) or not _inside(root, os.path.join(root, member.linkname)):
            raise UnsafeArchiveError(f"archive member {name!r} links outside the archive ({member.linkname!r})")
    elif not (member.isfile() or member.isdir()):
        raise UnsafeArchiveError(f"archive member {name!r} is not a regular file or folder")


def extract_archive(archive, root):
    """Extracts a .tar(.gz) into root after checking every member; returns the top-level names."""
    staging = tempfile.mkdtemp(dir=root, prefix=".extract-")
    try:
        try:
            with tarfile.open(archive) as tar:
                members = tar.getmembers()
                for m in members:
                    _check_member(m, staging)
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(staging, members=members, filter="data")
                else:  # Python without extraction filters: members were checked above.
                    tar.extractall(staging, members=members)
        except (tarfile.TarError, EOFError, OSError) as e:
            raise OSError(f"{archive}: cannot extract (truncated or corrupt archive): {e}") from e
        tops = sorted(os.listdir(staging))
        for top in tops:
            if os.path.exists(os.path.join(root, top)):
                raise FileExistsError(f"{os.path.join(root, top)} already exists; not overwriting it")
        for top in tops:
            os.replace(os.path.join(staging, top), os.path.join(root, top))
        return tops
    finally:
        shutil.rmtree(staging, ignore_errors=True)

"""The scripts the static site loads, served from site/vendor/ so no page needs a network.

MathJax 2, require.js, the widget renderer (@jupyter-widgets/html-manager), reveal.js and
jQuery come from the npm registry: ``npm pack`` fetches each pinned release once, its sha512
is checked, and the tarball is kept in build/vendor/, so later builds run offline. Only the
files the pages use are unpacked into site/vendor/<folder>/, written under the user's umask.
"""
from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rnnlib._io import current_umask

ROOT = Path(__file__).resolve().parent.parent
VENDOR_CACHE = ROOT / "build" / "vendor"   # npm tarballs, kept so rebuilds need no network


class VendorError(RuntimeError):
    """A file the pages need could not be fetched or is not what was expected."""


@dataclass(frozen=True)
class Asset:
    """One npm package, of which the files matching ``keep`` go to site/vendor/<folder>/."""
    folder: str
    package: str
    version: str
    integrity: str                 # npm's "sha512-..." of the package tarball
    keep: tuple[str, ...]          # glob patterns inside the package ('*' crosses folders)
    drop: tuple[str, ...] = ()

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def tarball(self) -> str:
        """The file name ``npm pack`` gives it."""
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"


ASSETS = (
    Asset("require", "requirejs", "2.3.8",
          "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5"
          "SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
          ("require.js", "package.json")),
    # MathJax 2, whose configuration nbconvert's templates write; only the TeX input, the
    # HTML outputs and the TeX fonts are kept (the SVG output and other fonts are left out).
    Asset("mathjax", "mathjax", "2.7.9",
          "sha512-NOGEDTIM9+MrsqnjPEjVGNx4q0GQxqm61yQwSK+/5S59i26wId5IC"
          "5gNu9/bu8+CCVl5p9G2IHcAl/wJa+5+BQ==",
          ("MathJax.js", "LICENSE", "package.json", "config/TeX-AMS_CHTML-full.js",
           "config/Safe.js", "config/local/*", "extensions/*", "localization/*", "jax/input/TeX/*",
           "jax/element/*", "jax/output/CommonHTML/*", "jax/output/HTML-CSS/*",
           "jax/output/PreviewHTML/*", "jax/output/NativeMML/*", "fonts/HTML-CSS/TeX/*")),
    # The renderer for the ipywidgets 8 state the pages embed (its bundle also carries the
    # ipywidgets 7 models).
    Asset("html-manager", "@jupyter-widgets/html-manager", "1.0.15",
          "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQs"
          "RjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
          ("package.json", "dist/embed-amd.js", "dist/*.woff2", "dist/*.woff", "dist/*.ttf",
           "dist/*.eot", "dist/*.svg")),
    Asset("reveal.js", "reveal.js", "4.6.0",
          "sha512-QC80rYsZldAe95bW9VImucIPTjfsKhI0jRQrIOXU4P92ZyXb/dfw9"
          "L3EE96bN6i7UmeUl1qBieH4UNTr25erYw==",
          ("LICENSE", "package.json", "dist/reveal.js", "dist/reveal.css", "dist/reset.css",
           "dist/theme/white.css", "dist/theme/fonts/source-sans-pro/*", "plugin/notes/*"),
          drop=("*.map",)),       # white only: most other themes load Google Fonts
    Asset("jquery", "jquery", "3.7.1",
          "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAyn"
          "V2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
          ("LICENSE.txt", "package.json", "dist/jquery.min.js")),
)
VENDOR = "vendor"       # folder of site/ that holds them


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _how_to_fetch(assets, cache: Path) -> str:
    specs = " ".join(a.spec for a in assets)
    return (f"The site serves these npm packages itself: {specs}. They are fetched once with "
            f"npm (Node.js) and kept in {cache}/. Install Node.js with npm (Debian or "
            f"Ubuntu: sudo apt-get install npm; macOS: brew install node; Windows: "
            f"https://nodejs.org) and run ./site.sh again while online; or, on a machine "
            f"that has npm, run `npm pack {specs}` and copy the .tgz files into "
            f"{cache}/.")


def _npm_says(run: subprocess.CompletedProcess) -> str:
    """npm's own reason for a failure: the summary of its --json error, else its first lines."""
    try:
        err = json.loads(run.stdout)["error"]
        return f"{err.get('code', 'error')}: {err.get('summary', '')}".strip()
    except (ValueError, KeyError, TypeError):
        lines = [ln for ln in run.stderr.splitlines() if ln.strip()][:2]
        return " / ".join(lines) or "no message"


def fetch(asset: Asset, cache: Path | None = None) -> Path:
    """The npm tarball of ``asset`` from ``cache``, fetched with ``npm pack`` if missing.

    The tarball must match the pinned sha512, so every machine serves the same files."""
    cache = VENDOR_CACHE if cache is None else cache
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / asset.tarball
    if path.exists():
        if _integrity(path.read_bytes()) == asset.integrity:
            return path
        path.unlink()                  # damaged or a different release: fetch it again
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError(f"npm was not found, and {cache} has no {asset.tarball}. "
                          + _how_to_fetch(ASSETS, cache))
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        env = {**os.environ, "npm_config_update_notifier": "false",
               "npm_config_fund": "false", "npm_config_audit": "false"}
        run = subprocess.run([npm, "pack", asset.spec, "--prefer-offline", "--json",
                              "--pack-destination", tmp],
                             cwd=tmp, env=env, capture_output=True, text=True)
        got = Path(tmp) / asset.tarball
        if run.returncode != 0 or not got.exists():
            raise VendorError(f"`npm pack {asset.spec}` failed (exit {run.returncode}): "
                              f"{_npm_says(run)}. " + _how_to_fetch(ASSETS, cache))
        if _integrity(got.read_bytes()) != asset.integrity:
            raise VendorError(f"{asset.spec} from npm is not the pinned release (its sha512 "
                              f"differs from {asset.integrity}); ASSETS in "
                              f"scripts/build_site.py names the expected one.")
        got.replace(path)
    return path


# html-manager's bundle gives its font-awesome fonts URLs relative to the page's own folder;
# patched, they follow window.__jupyter_widgets_assets_path__, which each page sets to
# vendor/html-manager/ (relative to itself), so the fonts are found beside the bundle.
_FONT_URL = re.compile(r'(\w\.exports=)(\w)\.p\+("[0-9a-f]{20}\.(?:woff2?|ttf|eot|svg)")')


def _patch_widget_fonts(js: str) -> str:
    patched, n = _FONT_URL.subn(
        r"\1(window.__jupyter_widgets_assets_path__||\2.p)+\3", js)
    if n == 0:
        raise VendorError("the widget renderer's bundle no longer has the font URLs that "
                          "_patch_widget_fonts rewrites; update _FONT_URL for this release.")
    return patched


def _wanted(asset: Asset, name: str) -> bool:
    return (any(fnmatch.fnmatchcase(name, k) for k in asset.keep)
            and not any(fnmatch.fnmatchcase(name, d) for d in asset.drop))


def install_assets(out: Path, cache: Path | None = None, assets=ASSETS) -> Path:
    """Unpack the kept files of each asset into ``out``/vendor/<folder>/ (once per release)."""
    vendor = out / VENDOR
    vendor.mkdir(parents=True, exist_ok=True)
    for asset in assets:
        dest = vendor / asset.folder
        stamp = f"{asset.spec} {asset.integrity}\n"
        if (dest / ".source").exists() and (dest / ".source").read_text() == stamp:
            continue
        tgz = fetch(asset, cache)
        tmp = Path(tempfile.mkdtemp(prefix=f".{asset.folder}.", dir=vendor))
        try:
            with tarfile.open(tgz, "r:gz") as tar:
                for member in tar.getmembers():
                    name = member.name.split("/", 1)[-1]        # strip npm's "package/"
                    if not member.isfile() or ".." in name.split("/") or not _wanted(asset, name):
                        continue
                    data = tar.extractfile(member).read()
                    if asset.folder == "html-manager" and name == "dist/embed-amd.js":
                        data = _patch_widget_fonts(data.decode("utf-8")).encode("utf-8")
                    target = tmp / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)                   # mode from the umask
            (tmp / ".source").write_text(stamp)
            tmp.chmod(0o777 & ~current_umask())
            shutil.rmtree(dest, ignore_errors=True)
            tmp.replace(dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return vendor


# Hangul on the pages: a reader's machine may have no font that can draw it (Chromium on a
# Linux box without fonts-noto-cjk shows boxes), so the site serves the NanumGothic that
# rnnlib's plots use, as a web font limited to the Hangul code points.
HANGUL_FONT = "fonts/NanumGothic.ttf"                # inside vendor/


def install_hangul_font(out: Path, warn=print) -> Path | None:
    """Copy the NanumGothic of koreanize-matplotlib to ``out``/vendor/fonts/; None (with one
    warning) if the package is missing, and the pages fall back to the reader's fonts."""
    from rnnlib._io import atomic_write, write_text_atomic
    from rnnlib.plots._base import FONT_PACKAGE, korean_font_file
    src = korean_font_file()
    if src is None or not src.is_file():
        warn(f"warning: no NanumGothic from {FONT_PACKAGE} (pip install {FONT_PACKAGE}); "
             f"the pages show Hangul only where the reader has a Korean font.")
        return None
    dest = out / VENDOR / HANGUL_FONT
    stamp = dest.with_suffix(".source")
    source = f"{src} {src.stat().st_size}\n"
    if dest.exists() and stamp.exists() and stamp.read_text() == source:
        return dest
    from fontTools.ttLib import TTFont      # matplotlib's own dependency
    font = TTFont(src)
    # Browsers refuse a font with an empty table; NanumGothic carries empty TSI* tables
    # (a hinting editor's sources, of no use to a reader), so they are left out.
    for tag in [t for t in font.keys() if t.startswith("TSI")]:
        del font[tag]
    dest.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(dest) as fh:
        font.save(fh)
    write_text_atomic(stamp, source)
    return dest

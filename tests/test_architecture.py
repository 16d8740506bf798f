"""The house keeps its shape (docs/architecture.md): every feature package is named in the
import contracts, and no file of the runtime package passes 400 lines.

`make lint` runs `lint-imports` itself; these tests make sure the contracts cover every
feature, so that a new package cannot slip past them.
"""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "lahti_pool"
#: the app wiring and the ground floor, which are not features
NOT_FEATURES = {"core", "translations", "static"}


def _contracts() -> list[dict]:
    with (ROOT / "pyproject.toml").open("rb") as f:
        return tomllib.load(f)["tool"]["importlinter"]["contracts"]


def _features() -> set[str]:
    return {
        p.name
        for p in PACKAGE.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_FEATURES
    }


def test_every_feature_is_a_layer_between_the_wiring_and_core():
    (layers,) = [c["layers"] for c in _contracts() if c["type"] == "layers"]
    assert layers[0] == "lahti_pool.web | lahti_pool.cli"
    assert layers[-1] == "lahti_pool.core"
    middle = {name.strip().removeprefix("lahti_pool.") for name in layers[1].split(":")}
    assert middle == _features()


def test_core_may_import_no_feature():
    (core,) = [c for c in _contracts() if c.get("source_modules") == ["lahti_pool.core"]]
    assert {m.removeprefix("lahti_pool.") for m in core["forbidden_modules"]} == _features()
    assert not core.get("ignore_imports")


def test_every_feature_keeps_the_others_out_of_its_pages_and_forms():
    guarded = {}
    for contract in _contracts():
        for module in contract.get("forbidden_modules", []):
            parts = module.split(".")
            if len(parts) > 2 and parts[1] != "core":
                guarded.setdefault(parts[1], set()).add(".".join(parts[2:]))
    for feature in _features():
        pages = {
            p.stem if p.is_file() else p.name
            for p in (PACKAGE / feature).iterdir()
            if (p.suffix == ".py" or p.is_dir())
            and (
                p.stem in ("views", "forms")
                or p.stem.endswith("_views")
                or p.stem.startswith("views_")
            )
        }
        assert pages <= guarded.get(feature, set()), (feature, pages - guarded.get(feature, set()))


def test_no_file_of_the_runtime_package_passes_400_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}

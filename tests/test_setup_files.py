"""The set-up files agree with each other, so a newcomer's `make`, Binder and CI build the same thing."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PIP = {"pytorch-cpu": "torch", "pytorch": "torch"}
NOT_PACKAGES = {"python", "pip"}


def parse(lines):
    """{normalised name: version spec} from requirement strings like 'torch>=2.4'."""
    out = {}
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", line)
        assert m, f"cannot parse requirement {line!r}"
        name = m.group(1).lower().replace("_", "-")
        out[CONDA_TO_PIP.get(name, name)] = m.group(2).replace(" ", "")
    return out


def requirements():
    return parse((ROOT / "requirements.txt").read_text().splitlines())


def environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    deps = parse(conda + pip)
    for name in NOT_PACKAGES:
        deps.pop(name, None)
    return deps


def test_requirements_and_environment_list_the_same_packages_and_bounds():
    req, env = requirements(), environment()
    assert set(req) == set(env), f"only in requirements.txt: {set(req) - set(env)}; only in environment.yml: {set(env) - set(req)}"
    drift = {name: (req[name], env[name]) for name in req if req[name] != env[name]}
    assert not drift, f"version bounds differ (requirements.txt, environment.yml): {drift}"


def test_requirements_use_lower_bounds_not_pins():
    for name, spec in requirements().items():
        assert spec.startswith(">="), f"{name} should have a known-good lower bound, got {spec!r}"


def test_d2l_is_installed_without_its_pins_everywhere():
    assert "d2l" not in requirements()  # its == pins would break the resolver
    for path in ("Makefile", "postBuild"):
        assert "--no-deps d2l==1.0.3" in (ROOT / path).read_text(), path


def test_d2l_torch_imports_are_listed():
    # what `from d2l import torch` imports at module level, besides torch itself
    needed = {"torchvision", "pandas", "requests", "scipy", "pillow", "matplotlib-inline", "numpy", "matplotlib"}
    assert needed <= set(requirements())


def test_ci_installs_through_the_makefile_and_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert re.search(r"^make test\b", ci, re.M)

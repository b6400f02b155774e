"""The set-up files agree with each other, so a newcomer's `make`, Binder, Colab, hubs and CI build the same thing."""

import re
from pathlib import Path

import pytest
import yaml
from packaging.version import Version

from tools.stacks import COMPAT, STACKS, TEST_TOOLS, lock_python, lower_bounds, requirements

ROOT = Path(__file__).resolve().parents[1]
CONDA_TO_PIP = {"pytorch-cpu": "torch", "pytorch": "torch"}
NOT_PACKAGES = {"python", "pip"}
DEV_ONLY = {"pytest", "pytest-xdist", "nbval", "hypothesis", "pyyaml", "ruff", "playwright", "jupyterhub", "psutil", "nbclient"}


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


def runtime():
    return requirements(ROOT / "requirements.txt")


def dev():
    return requirements(ROOT / "requirements-dev.txt")


def environment():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    deps = parse(conda + pip)
    for name in NOT_PACKAGES:
        deps.pop(name, None)
    return deps


def test_environment_mirrors_the_runtime_requirements():
    req, env = runtime(), environment()
    assert set(req) == set(env), f"only in requirements.txt: {set(req) - set(env)}; only in environment.yml: {set(env) - set(req)}"
    drift = {name: (req[name], env[name]) for name in req if req[name] != env[name]}
    assert not drift, f"version bounds differ (requirements.txt, environment.yml): {drift}"


def test_students_do_not_install_test_tools():
    assert not DEV_ONLY & set(runtime()), "test, lint and browser tools belong in requirements-dev.txt"
    assert DEV_ONLY == set(dev())
    assert set(TEST_TOOLS) <= set(dev())


def test_requirements_use_lower_bounds_not_pins():
    for name, spec in {**runtime(), **dev()}.items():
        assert spec.startswith(">="), f"{name} should have a tested lower bound, got {spec!r}"


def test_the_minimum_stack_is_exactly_the_declared_lower_bounds():
    pins = dict(p.split("==") for p in lower_bounds())
    assert set(pins) == set(runtime()) | set(TEST_TOOLS)
    locked = dict(line.split("==") for line in (ROOT / "locks" / "minimum.txt").read_text().splitlines()
                  if "==" in line)
    lower = {name.lower().replace("_", "-"): v for name, v in locked.items()}
    off = {name: (bound, lower[name]) for name, bound in pins.items() if Version(lower[name]) != Version(bound)}
    assert not off, f"locks/minimum.txt is not the lower bounds (bound, locked): {off}: run `make lock`"


def test_every_lock_names_its_python_and_pins_what_the_course_needs():
    for stack in STACKS.values():
        assert lock_python(stack.lock) == stack.python, stack.lock
        locked = {line.split("==")[0].lower().replace("_", "-") for line in stack.lock.read_text().splitlines()
                  if "==" in line}
        needed = set(runtime()) | (set(dev()) if stack.dev else set(TEST_TOOLS))
        assert needed <= locked, f"{stack.lock.name} lacks {needed - locked}"
        assert "d2l" in locked
    assert set(COMPAT) == {"colab", "colab313", "minimum"}


@pytest.mark.parametrize("stack", ["colab", "colab313"])
def test_the_colab_stacks_are_colabs(stack):
    seed = parse((ROOT / "locks" / f"{stack}.in").read_text().splitlines())
    assert {"torch", "torchvision", "ipywidgets", "ipython", "matplotlib", "mlxtend"} <= set(seed)
    assert seed["ipywidgets"] == "==7.7.1" and seed["ipython"] == "==7.34.0"
    locked = parse(line for line in (ROOT / "locks" / f"{stack}.txt").read_text().splitlines() if "==" in line)
    assert all(locked[name] == spec for name, spec in seed.items()), f"locks/{stack}.txt drifted from {stack}.in"


def test_d2l_is_installed_without_its_pins_everywhere():
    assert "d2l" not in runtime() and "d2l" not in dev()  # its == pins would break the resolver
    assert "--no-deps $(D2L)" in (ROOT / "Makefile").read_text() and "D2L := d2l==1.0.3" in (ROOT / "Makefile").read_text()
    assert "--no-deps d2l==1.0.3" in (ROOT / "postBuild").read_text()


def test_d2l_torch_imports_are_listed():
    # what `from d2l import torch` imports at module level, besides torch itself
    needed = {"torchvision", "pandas", "requests", "scipy", "pillow", "matplotlib-inline", "numpy", "matplotlib"}
    assert needed <= set(runtime())


def test_hubs_get_nbgitpuller():
    assert "nbgitpuller" in runtime() and "nbgitpuller" in environment()


def test_ci_installs_through_the_makefile_and_runs_make_test():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert re.search(r"^make test\b", ci, re.M)
    assert re.search(r"^make test-compat\b", ci, re.M)

"""Write pyproject.toml's import contracts from the feature packages under lahti_pool/:
the layers contract's feature line, core's forbidden list and one "pages and forms"
contract per feature with views or forms. Run from the repository root after adding a
feature; `make lint` (lint-imports) then checks them."""

import os
import re

p = "pyproject.toml"
s = open(p).read()
NOT_FEATURES = {"core", "translations", "static", "__pycache__"}
features = sorted(
    d
    for d in os.listdir("lahti_pool")
    if os.path.isdir(f"lahti_pool/{d}")
    and d not in NOT_FEATURES
    and os.path.exists(f"lahti_pool/{d}/__init__.py")
)
# the layers line
s = re.sub(
    r'^    "lahti_pool\.accounts : [^"]*",$',
    '    "' + " : ".join(f"lahti_pool.{f}" for f in features) + '",',
    s,
    count=1,
    flags=re.M,
)
# core's forbidden list
s = re.sub(
    r'(name = "Core is the ground floor: it imports no feature"\ntype = "forbidden"\nsource_modules = \["lahti_pool.core"\]\nforbidden_modules = \[\n)(.*?)(\]\n)',
    lambda m: m.group(1) + "".join(f'    "lahti_pool.{f}",\n' for f in features) + m.group(3),
    s,
    count=1,
    flags=re.S,
)
# drop every pages-and-forms contract, then write them again at the end of that comment block
head, sep, rest = s.partition("# A feature uses another only through its models")
comment_end = rest.index("\n\n") + 2
comment, rest = rest[:comment_end], rest[comment_end:]
blocks = re.split(r"(?=^\[\[tool\.importlinter\.contracts\]\]\n)", rest, flags=re.M)
kept = [b for b in blocks if "Other features leave the pages and forms of" not in b]
gen = []
for f in features:
    # its pages and forms: views, forms, *_views, views_* (as tests/test_architecture.py)
    names = {e.removesuffix(".py") for e in os.listdir(f"lahti_pool/{f}")}
    forb = sorted(
        f"lahti_pool.{f}.{n}"
        for n in names
        if (n in ("views", "forms") or n.endswith("_views") or n.startswith("views_"))
        and (os.path.isdir(f"lahti_pool/{f}/{n}") or os.path.exists(f"lahti_pool/{f}/{n}.py"))
    )
    if not forb:
        continue
    src = [f"lahti_pool.{o}" for o in features if o != f]
    gen.append(
        "[[tool.importlinter.contracts]]\n"
        f'name = "Other features leave the pages and forms of {f} alone"\n'
        'type = "forbidden"\n'
        "source_modules = [\n" + "".join(f'    "{x}",\n' for x in src) + "]\n"
        "forbidden_modules = [\n" + "".join(f'    "{x}",\n' for x in forb) + "]\n\n"
    )
out = head + sep + comment + "".join(gen) + "".join(kept)
out = re.sub(r"\n{3,}", "\n\n", out)
open(p, "w").write(out.rstrip("\n") + "\n")
print(len(gen), "contracts for", features)

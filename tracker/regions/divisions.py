"""Administrative divisions this instance knows by name: GB/T 2260 codes of 辽宁省 and
朝阳市 with its county-level units, the seed's region and its neighbours.

A region named on a plan that is not here is created with a code from the 99xxxx range,
which GB/T 2260 leaves unused, for an administrator to correct.
"""

from __future__ import annotations

# code: (name, English name, level, parent code)
KNOWN = {
    "210000": ("辽宁省", "Liaoning", "province", None),
    "211300": ("朝阳市", "Chaoyang", "prefecture", "210000"),
    "211302": ("双塔区", "Shuangta District", "county", "211300"),
    "211303": ("龙城区", "Longcheng District", "county", "211300"),
    "211321": ("朝阳县", "Chaoyang County", "county", "211300"),
    "211322": ("建平县", "Jianping County", "county", "211300"),
    "211324": (
        "喀喇沁左翼蒙古族自治县",
        "Harqin Left Mongol Autonomous County",
        "county",
        "211300",
    ),
    "211381": ("北票市", "Beipiao", "county", "211300"),
    "211382": ("凌源市", "Lingyuan", "county", "211300"),
}
BY_NAME = {name: code for code, (name, *_rest) in KNOWN.items()}
BY_NAME["喀左县"] = "211324"
UNASSIGNED = "99"


def region_for(Region, name: str, name_en: str = ""):
    """The region of this name: a known division with its parents, else one created with
    an unassigned code. `Region` is the model (a migration passes its historical one)."""
    code = BY_NAME.get(name)
    if code:
        return _known(Region, code)
    region = Region.objects.filter(name=name).order_by("code").first()
    if region is None:
        taken = set(
            Region.objects.filter(code__startswith=UNASSIGNED).values_list("code", flat=True)
        )
        code = next(
            f"{UNASSIGNED}{n:04d}" for n in range(1, 10_000) if f"{UNASSIGNED}{n:04d}" not in taken
        )
        region = Region.objects.create(code=code, name=name, name_en=name_en, level="county")
    return region


def _known(Region, code: str):
    name, name_en, level, parent = KNOWN[code]
    region, _ = Region.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "name_en": name_en,
            "level": level,
            "parent": _known(Region, parent) if parent else None,
        },
    )
    return region

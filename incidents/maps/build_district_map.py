"""Build ``incidents/maps/pakistan-districts.svg`` (committed) from the public-domain district map.

Run once, when the source map changes::

    .venv/bin/python -m incidents.maps.build_district_map ../shared/data/maps/pakistan.districts.svg

The source (VictorCazanave/svg-maps, ``packages/pakistan.districts/``, drawn from Wikipedia's
File:Pakistan_Districts.svg by Schajee; public domain, the Unlicense) has 144 ``<path>`` elements,
one per district, in 37 KB of indented text with coordinates to four decimals. The tracker needs
less: each district's slug, name, province and outline to the nearest unit of the 1628 × 1544
viewBox (well under a pixel at the sizes pages show), plus each province's outline, which the
source does not have: it is the union of its districts (shapely, a build-time tool only; the
running site reads the result with the standard library, incidents/districts.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from xml.etree import ElementTree

from shapely import Polygon, unary_union
from shapely.geometry.base import BaseGeometry

OUTPUT = Path(__file__).with_name("pakistan-districts.svg")
SVG = "{http://www.w3.org/2000/svg}"

# The province (tracker slug, seeds/provinces.yaml) of each district of the map, which lists them by
# province. FATA's agencies and frontier regions stay in FATA, as on the map and in older sources.
PROVINCE_DISTRICTS = {
    "islamabad": "islamabad",
    "balochistan": "ziarat zhob washuk sibi sheerani quetta pishin panjgur nushki naseerabad musakhel mastung "
    "loralai lasbela kohlu killa-saifullah killa-abdullah khuzdar kharan kech kalat jhal-magsi jafarabad haranai "
    "gwadar dera-bugti chaghai bolan barkhan awaran",
    "sindh": "umerkot tharparkar thatta tando-muhammad-khan tando-allahyar sukkur shikarpur sanghar "
    "qambar-shahdatkot nawabshah naushahro-firoze mirpur-khas matiari larkana khairpur kashmore karachi jamshoro "
    "jacobabad hyderabad ghotki dadu badin",
    "punjab": "vehari toba-tek-singh sialkot shaikhupura sargodha sahiwal rawalpindi rajanpur rahimyar-khan "
    "pakpattan okara narowal nankana-sahab muzaffargarh multan mianwali mandi-bahauddin lodhran layyah lahore "
    "khushab khanewal kasur jhelum jhang hafizabad gujranwala gujrat faisalabad dera-ghazi-khan chiniot chakwal "
    "bhakkar bahawalpur bahawalnagar attock",
    "khyber-pakhtunkhwa": "upper-dir tank swat swabi shangla peshawar nowshera mardan mansehra malakand lower-dir "
    "lakki-marwat kohistan kohat karak haripur hangu dera-ismail-khan chitral charsadda buner battagram bannu "
    "abbottabad",
    "fata": "tank-subdivision peshawar-subdivision lakki-subdivision kohat-subdivision d-i-khan-subdivision "
    "bannu-subdivision south-waziristan orakzai north-waziristan mohmand kurram khyber bajaur",
    "azad-kashmir": "muzaffarabad hattian poonch sudhnati kotli mirpur bhimber neelum haveli bagh",
    "gilgit-baltistan": "ghizer diamer astore hunza-nagar gilgit ghanhce skardu",
}
PROVINCE_OF = {district: province for province, names in PROVINCE_DISTRICTS.items() for district in names.split()}

TOKEN = re.compile(r"[MmLlZz]|-?\d*\.?\d+(?:e-?\d+)?")


def polygon(d: str) -> Polygon:
    """The ring of a path made of M/m, L/l (implicit after a move) and Z: all the source uses."""
    points: list[tuple[float, float]] = []
    x = y = 0.0
    command = "M"
    tokens = TOKEN.findall(d)
    i = 0
    while i < len(tokens):
        item = tokens[i]
        if item in "MmLlZz":
            command = item
            i += 1
            continue
        dx, dy = float(item), float(tokens[i + 1])
        i += 2
        if command.islower() and points:
            x, y = x + dx, y + dy
        else:
            x, y = dx, dy
        points.append((x, y))
        command = {"m": "l", "M": "L"}.get(command, command)  # later pairs after a move are lines
    return Polygon(points).buffer(0)


def path_data(geometry: BaseGeometry) -> str:
    """Integer path data for a polygon or multipolygon (holes included): one absolute move per ring,
    then relative lines, the shortest text."""
    parts = []
    polygons = getattr(geometry, "geoms", [geometry])
    for poly in polygons:
        for ring in [poly.exterior, *poly.interiors]:
            coords = [(round(x), round(y)) for x, y in ring.coords[:-1]]
            kept = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
            if len(kept) >= 3:
                steps = [f"{b[0] - a[0]} {b[1] - a[1]}" for a, b in zip(kept, kept[1:], strict=False)]
                parts.append(f"M{kept[0][0]} {kept[0][1]}l" + " ".join(steps) + "z")
    return "".join(parts)


def build(source: Path) -> str:
    root = ElementTree.parse(source).getroot()  # noqa: S314 - a file the developer chose, at build time
    districts = []
    for element in root.iter(f"{SVG}path"):
        slug, name = element.get("id"), element.get("name")
        if slug not in PROVINCE_OF:
            raise SystemExit(f"{slug}: no province known for this district; add it to PROVINCE_DISTRICTS")
        districts.append((slug, name, PROVINCE_OF[slug], polygon(element.get("d"))))
    missing = set(PROVINCE_OF) - {slug for slug, *_ in districts}
    if missing:
        raise SystemExit(f"not in the source map: {', '.join(sorted(missing))}")
    lines = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="{}">'.format(root.get("viewBox")),
        "<!-- Pakistan's districts (2010s division), simplified for the tracker by "
        "incidents/maps/build_district_map.py from VictorCazanave/svg-maps at commit "
        "ae84f2e66e73174776e01b7fdb138710088ee51d (packages/pakistan.districts/), itself drawn from "
        "Wikipedia's File:Pakistan_Districts.svg by Schajee. Public domain (the Unlicense). "
        "Not georeferenced: a choropleth by district name only. -->",
    ]
    for slug, name, province, shape in districts:
        simple = shape.simplify(0.6, preserve_topology=True)
        lines.append(f'<path id="{slug}" data-name="{name}" data-province="{province}" d="{path_data(simple)}"/>')
    for province in PROVINCE_DISTRICTS:
        shapes = [shape.buffer(1.0) for _, _, p, shape in districts if p == province]
        outline = unary_union(shapes).buffer(-1.0).simplify(0.8, preserve_topology=True)
        lines.append(f'<path class="province" id="province-{province}" d="{path_data(outline)}"/>')
    lines.append("</svg>")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    OUTPUT.write_text(build(Path(sys.argv[1])), encoding="utf-8")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")

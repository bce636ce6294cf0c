#!/usr/bin/env python3
"""Generates the ILLUSTRATIVE Longwan demo data set (示例数据，非官方名录).

The 10 street names are Longwan's real streets (街道); their positions are
rough. Every village/community, facility and duty post below is invented and
placed plausibly inside the district so that the platform can be tried out.
This is NOT the official registry: real data comes in through the importer
(`lawcircle-server import ...`). Deterministic: the same seed gives the same
files, so the committed CSVs can be regenerated and diffed.
"""
import csv
import math
import random
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(330303)
NOTE = "示例数据 illustrative demo data, not the official registry"

# (code suffix, name, approx. WGS-84 centroid lat, lng, population estimate)
STREETS = [
    ("001", "永中街道", 27.930, 120.815, 150000),
    ("002", "蒲州街道", 27.968, 120.745, 90000),
    ("003", "海滨街道", 27.905, 120.800, 80000),
    ("004", "永兴街道", 27.900, 120.840, 70000),
    ("005", "海城街道", 27.885, 120.775, 75000),
    ("006", "状元街道", 27.955, 120.770, 85000),
    ("007", "瑶溪街道", 27.972, 120.790, 60000),
    ("008", "沙城街道", 27.865, 120.830, 50000),
    ("009", "天河街道", 27.850, 120.805, 45000),
    ("010", "星海街道", 27.925, 120.875, 34000),
]
VILLAGE_SUFFIX = ["社区", "村", "社区", "村", "社区", "村"]


def jitter(lat, lng, max_m):
    r = max_m * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    dlat = r * math.cos(a) / 111_320
    dlng = r * math.sin(a) / (111_320 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


# WGS-84 -> GCJ-02, the public polynomial (same as core/src/coord.rs), used
# for the facilities we pretend came from an Amap (GCJ-02) listing.
def _tlat(x, y):
    r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20 * math.sin(6 * x * math.pi) + 20 * math.sin(2 * x * math.pi)) * 2 / 3
    r += (20 * math.sin(y * math.pi) + 40 * math.sin(y / 3 * math.pi)) * 2 / 3
    r += (160 * math.sin(y / 12 * math.pi) + 320 * math.sin(y * math.pi / 30)) * 2 / 3
    return r


def _tlng(x, y):
    r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20 * math.sin(6 * x * math.pi) + 20 * math.sin(2 * x * math.pi)) * 2 / 3
    r += (20 * math.sin(x * math.pi) + 40 * math.sin(x / 3 * math.pi)) * 2 / 3
    r += (150 * math.sin(x / 12 * math.pi) + 300 * math.sin(x / 30 * math.pi)) * 2 / 3
    return r


def wgs_to_gcj(lat, lng):
    a, ee = 6378245.0, 0.00669342162296594323
    dlat, dlng = _tlat(lng - 105, lat - 35), _tlng(lng - 105, lat - 35)
    rad = math.radians(lat)
    magic = 1 - ee * math.sin(rad) ** 2
    sm = math.sqrt(magic)
    dlat = dlat * 180 / ((a * (1 - ee)) / (magic * sm) * math.pi)
    dlng = dlng * 180 / (a / sm * math.cos(rad) * math.pi)
    return round(lat + dlat, 6), round(lng + dlng, 6)


OFFICE = "Mo-Fr 08:30-12:00,13:30-17:30"
HOLIDAYS = "2025-01-28 off; 2025-01-29 off; 2025-01-30 off; 2025-10-01 off; 2025-10-02 off; 2025-10-03 off"

areas, facilities, posts = [], [], []
areas.append(dict(code="330303", name="龙湾区", level="district", parent_code="",
                  lat=27.920, lng=120.810, datum="wgs84", population=739000))
fid = 0


def add_facility(kind, name, lat, lng, area, hours, products="", datum="wgs84", phone="",
                 exceptions=HOLIDAYS, address=""):
    global fid
    fid += 1
    if datum == "gcj02":
        lat, lng = wgs_to_gcj(lat, lng)
    facilities.append(dict(id=f"LW-F{fid:04d}", kind=kind, name=name, address=address or name,
                           lat=lat, lng=lng, datum=datum, phone=phone, products=products,
                           opening_hours=hours, exceptions=exceptions if "24/7" not in hours else "",
                           area_code=area, retired="false", photos=""))
    return facilities[-1]["id"]


for suffix, sname, slat, slng, spop in STREETS:
    scode = f"330303{suffix}"
    areas.append(dict(code=scode, name=sname, level="street", parent_code="330303",
                      lat=slat, lng=slng, datum="wgs84", population=spop))
    short = sname[:2]
    n_villages = 5 + rng.randint(0, 3)
    villages = []
    for i in range(n_villages):
        vlat, vlng = jitter(slat, slng, 2600)
        vcode = f"{scode}{i + 1:03d}"
        vname = f"{short}示例{i + 1}{VILLAGE_SUFFIX[i % len(VILLAGE_SUFFIX)]}"
        pop = rng.randint(1500, 9000)
        areas.append(dict(code=vcode, name=vname, level="village", parent_code=scode,
                          lat=vlat, lng=vlng, datum="wgs84", population=pop))
        villages.append((vcode, vname, vlat, vlng))
    # Street-level facilities at the street seat.
    center = add_facility("service_center", f"{sname}公共法律服务工作站（示例）", slat, slng, scode,
                          "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00", phone="0577-8600" + suffix[1:] + "1")
    jlat, jlng = jitter(slat, slng, 300)
    add_facility("judicial_office", f"{sname}司法所（示例）", jlat, jlng, scode, OFFICE,
                 phone="0577-8600" + suffix[1:] + "2")
    mlat, mlng = jitter(slat, slng, 500)
    add_facility("mediation_organization", f"{sname}人民调解委员会（示例）", mlat, mlng, scode, OFFICE)
    tlat, tlng = jitter(slat, slng, 150)
    add_facility("smart_terminal", f"{sname}24小时法律服务自助终端（示例）", tlat, tlng, scode, "24/7")
    # Village-level facilities: a legal adviser's room or guide board in most.
    for vcode, vname, vlat, vlng in villages:
        if rng.random() < 0.75:
            glat, glng = jitter(vlat, vlng, 120)
            add_facility("guide_board", f"{vname}法律服务指引牌（示例）", glat, glng, vcode, "24/7")
        if rng.random() < 0.55:
            mlat, mlng = jitter(vlat, vlng, 200)
            add_facility("mediation_organization", f"{vname}人民调解室（示例）", mlat, mlng, vcode,
                         "Mo-Fr 09:00-17:00")
        if rng.random() < 0.3:
            elat, elng = jitter(vlat, vlng, 300)
            add_facility("legal_education_site", f"{vname}法治文化阵地（示例）", elat, elng, vcode,
                         "Mo-Su 06:00-21:00", exceptions="")
    # Law firms, published in GCJ-02 as a map provider would list them.
    for i in range(rng.randint(1, 4)):
        llat, llng = jitter(slat, slng, 1500)
        add_facility("law_firm", f"{short}示例律师事务所{i + 1}", llat, llng, scode,
                     "Mo-Fr 09:00-18:00", datum="gcj02")
    if rng.random() < 0.6:
        glat, glng = jitter(slat, slng, 1200)
        add_facility("grassroots_legal_service_office", f"{short}示例法律服务所", glat, glng, scode, OFFICE)
    # A circle fence at the street's service station, a polygon one at the
    # judicial office square.
    posts.append(dict(id=f"LW-P{suffix}1", name=f"{sname}公共法律服务工作站值守岗（示例）", type="station",
                      street_code=scode, lat=slat, lng=slng, datum="wgs84", radius_m=100, hotline="",
                      facility_id=center, shifts="Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00", retired="false"))

# District-wide facilities.
add_facility("service_center", "龙湾区公共法律服务中心（示例）", 27.9265, 120.8120, "330303001",
             "Mo-Fr 08:30-12:00,13:30-17:30", phone="0577-86000000")
add_facility("notary_office", "龙湾示例公证处", 27.9290, 120.8185, "330303001", OFFICE)
add_facility("judicial_appraisal_institution", "龙湾示例司法鉴定所", 27.9110, 120.8030, "330303003", OFFICE)
add_facility("arbitration_institution", "示例仲裁委龙湾办事处", 27.9235, 120.8205, "330303001", OFFICE)
add_facility("legal_aid_institution", "龙湾区法律援助中心（示例）", 27.9270, 120.8128, "330303001", OFFICE,
             phone="0577-86000148")
add_facility("administrative_reconsideration_point", "行政复议代收点（示例）", 27.9272, 120.8114, "330303001",
             OFFICE)
add_facility("legal_education_site", "示例法治文化公园", 27.9180, 120.8290, "330303004", "Mo-Su 05:30-22:00",
             exceptions="")
posts.append(dict(id="LW-P-HOTLINE", name="12348公共法律服务热线龙湾坐席（示例）", type="hotline_desk",
                  street_code="330303001", lat="", lng="", datum="", radius_m="", hotline="12348",
                  facility_id="", shifts="Mo-Fr 08:30-17:30", retired="false"))


def write(name, rows):
    rows = [dict(r, note=NOTE) for r in rows]
    with open(HERE / name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


write("areas.csv", areas)
write("facilities.csv", facilities)
write("duty_posts.csv", posts)

# Polygon fences: a 160 m square around each judicial office, as GeoJSON.
features = []
for suffix, sname, slat, slng, _ in STREETS:
    d_lat = 80 / 111_320
    d_lng = 80 / (111_320 * math.cos(math.radians(slat)))
    lat, lng = slat - 0.004, slng + 0.003
    ring = [[lng - d_lng, lat - d_lat], [lng + d_lng, lat - d_lat], [lng + d_lng, lat + d_lat],
            [lng - d_lng, lat + d_lat], [lng - d_lng, lat - d_lat]]
    features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [
        [[round(x, 6), round(y, 6)] for x, y in ring]]},
        "properties": {"id": f"LW-P{suffix}2", "name": f"{sname}矛盾纠纷调解中心值守岗（示例）", "type": "station",
                       "street_code": f"330303{suffix}", "shifts": "Mo-Fr 09:00-17:00", "note": NOTE}})
import json  # noqa: E402

with open(HERE / "duty_post_fences.geojson", "w", encoding="utf-8") as f:
    json.dump({"type": "FeatureCollection", "note": NOTE, "features": features}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(f"{len(areas)} areas, {len(facilities)} facilities, {len(posts) + len(features)} duty posts")

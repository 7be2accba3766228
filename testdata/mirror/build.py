#!/usr/bin/env python3
"""Builds the offline demo mirror from the real AmazonRedshift offer file.

The mirror has the Bulk API layout (offers/v1.0/aws/...), two regions and two
versions: 20180309224506 is the real file split by region; 20180401000000 is
the same data with a few deliberate changes (price moves, a price dropping to
zero, a removed and an added line, an attribute change) so that the demo and
the tests see a real change report. Both versions are written as JSON and as
CSV with AWS's column titles, carrying the same lines.

Run from the repository root: python3 testdata/mirror/build.py
"""
import copy, csv, io, json, os, re, shutil
from decimal import Decimal

ROOT = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(ROOT, "..", "bulk", "AmazonRedshift-20180309224506-offer.json")
CODE = "AmazonRedshift"
V1, V2 = "20180309224506", "20180401000000"
REGIONS = {"us-east-1": "US East (N. Virginia)", "eu-west-1": "EU (Ireland)"}
FIXED = ["SKU", "OfferTermCode", "RateCode", "TermType", "PriceDescription", "EffectiveDate",
         "StartingRange", "EndingRange", "Unit", "PricePerUnit", "Currency", "RelatedTo",
         "LeaseContractLength", "PurchaseOption", "OfferingClass", "Product Family"]
TITLES = {"vcpu": "vCPU", "usagetype": "usageType", "servicecode": "serviceCode", "ecu": "ECU", "io": "I/O"}


def title(key):
    if key in TITLES:
        return TITLES[key]
    return " ".join(w.capitalize() for w in re.sub(r"([a-z])([A-Z])", r"\1 \2", key).split())


def region_of(product):
    a = product["attributes"]
    for code, loc in REGIONS.items():
        if a.get("location") == loc or a.get("fromLocation") == loc:
            return code
    return None


def split(offer, region):
    out = {k: v for k, v in offer.items() if k not in ("products", "terms")}
    out["products"] = {s: p for s, p in offer["products"].items() if region_of(p) == region}
    out["terms"] = {t: {s: v for s, v in skus.items() if s in out["products"]} for t, skus in offer["terms"].items()}
    return out


def scale(price, factor):
    return str((Decimal(price) * Decimal(factor)).quantize(Decimal("0.0000000001")))


def version2(offer):
    """Deliberate, deterministic changes for the second version."""
    o = copy.deepcopy(offer)
    o["version"], o["publicationDate"] = V2, "2018-04-01T00:00:00Z"
    compute = sorted(s for s, p in o["products"].items() if p.get("productFamily") == "Compute Instance")
    transfer = sorted(s for s, p in o["products"].items() if p.get("productFamily") == "Data Transfer")

    def dims(sku, term="OnDemand"):
        for t in o["terms"][term].get(sku, {}).values():
            t["effectiveDate"] = "2018-04-01T00:00:00Z"
            yield from t["priceDimensions"].values()

    for i, sku in enumerate(compute[:4]):  # three rises and one cut
        for d in dims(sku):
            d["pricePerUnit"]["USD"] = scale(d["pricePerUnit"]["USD"], "0.5" if i == 3 else "1.1")
    if compute:
        for d in dims(compute[0], "Reserved"):  # reserved upfront fee goes up sharply
            if d["unit"] == "Quantity":
                d["pricePerUnit"]["USD"] = str(int(Decimal(d["pricePerUnit"]["USD"]) * 3))
    if transfer:
        for d in dims(transfer[0]):
            d["pricePerUnit"]["USD"] = "0.0000000000"
    if len(compute) > 5:  # attribute change under the same rate code
        o["products"][compute[5]]["attributes"]["memory"] = "256 GiB"
    if len(transfer) > 2:  # a removed line
        gone = transfer[1]
        del o["products"][gone]
        for t in o["terms"].values():
            t.pop(gone, None)
    if compute:  # an added line: a new SKU modelled on an existing one
        src = compute[-1]
        new = "ZZNEWSKU" + src[8:]
        p = copy.deepcopy(o["products"][src])
        p["sku"] = new
        p["attributes"]["instanceType"] = p["attributes"].get("instanceType", "") + "-next"
        o["products"][new] = p
        for t in o["terms"].values():
            if src in t:
                terms = {}
                for k, v in copy.deepcopy(t[src]).items():
                    v["sku"] = new
                    v["priceDimensions"] = {kk.replace(src, new): dict(dd, rateCode=dd["rateCode"].replace(src, new)) for kk, dd in v["priceDimensions"].items()}
                    terms[k.replace(src, new)] = v
                t[new] = terms
    return o


def write_json(path, offer):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(json.dumps(offer, indent=2, separators=(",", " : ")))


def write_csv(path, offer):
    attrs = []
    for p in offer["products"].values():
        for k in p["attributes"]:
            if k not in attrs:
                attrs.append(k)
    buf = io.StringIO()

    def row(values):
        buf.write(",".join('"' + v.replace('"', '""') + '"' if v != "" else "" for v in values) + "\n")

    row(["FormatVersion", offer["formatVersion"]])
    row(["Disclaimer", offer["disclaimer"]])
    row(["Publication Date", offer["publicationDate"]])
    row(["Version", offer["version"]])
    row(["OfferCode", offer["offerCode"]])
    row(FIXED + [title(a) for a in attrs])
    for term_type, skus in offer["terms"].items():
        for sku, terms in skus.items():
            p = offer["products"][sku]
            for term in terms.values():
                ta = term.get("termAttributes", {})
                for d in term["priceDimensions"].values():
                    (cur, price), = d["pricePerUnit"].items()
                    row([sku, term["offerTermCode"], d["rateCode"], term_type, d["description"],
                         term["effectiveDate"][:10], d.get("beginRange", ""), d.get("endRange", ""),
                         d["unit"], price, cur, "", ta.get("LeaseContractLength", ""),
                         ta.get("PurchaseOption", ""), ta.get("OfferingClass", ""), p.get("productFamily", "")]
                        + [p["attributes"].get(a, "") for a in attrs])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(buf.getvalue())


def main():
    base = os.path.join(ROOT, "offers", "v1.0", "aws")
    shutil.rmtree(os.path.join(ROOT, "offers"), ignore_errors=True)
    real = json.load(open(SOURCE))
    for v in (V1, V2):
        regions = {}
        for region in REGIONS:
            part = split(real, region)
            if v == V2:
                part = version2(part)
            folder = f"/offers/v1.0/aws/{CODE}/{v}/{region}"
            write_json(os.path.join(ROOT, folder[1:], "index.json"), part)
            write_csv(os.path.join(ROOT, folder[1:], "index.csv"), part)
            regions[region] = {"regionCode": region, "currentVersionUrl": folder + "/index.json"}
        index = {"formatVersion": "v1.0", "disclaimer": real["disclaimer"], "publicationDate": part["publicationDate"], "regions": regions}
        write_json(os.path.join(base, CODE, v, "region_index.json"), index)
        if v == V2:
            write_json(os.path.join(base, CODE, "current", "region_index.json"), index)
    write_json(os.path.join(base, CODE, "index.json"), {
        "formatVersion": "v1.0", "disclaimer": real["disclaimer"], "publicationDate": "2018-04-01T00:00:00Z",
        "offerCode": CODE, "currentVersion": V2,
        "versions": {
            V2: {"versionEffectiveBeginDate": "2018-04-01T00:00:00Z", "versionEffectiveEndDate": "", "offerVersionUrl": f"/offers/v1.0/aws/{CODE}/{V2}/index.json"},
            V1: {"versionEffectiveBeginDate": "2018-03-01T00:00:00Z", "versionEffectiveEndDate": "2018-04-01T00:00:00Z", "offerVersionUrl": f"/offers/v1.0/aws/{CODE}/{V1}/index.json"},
        }})
    services = {}
    for code in (CODE, "AmazonEC2", "AmazonRDS", "AmazonS3", "AmazonRedshiftServerless"):
        services[code] = {"offerCode": code, "versionIndexUrl": f"/offers/v1.0/aws/{code}/index.json",
                          "currentVersionUrl": f"/offers/v1.0/aws/{code}/current/index.json",
                          "currentRegionIndexUrl": f"/offers/v1.0/aws/{code}/current/region_index.json"}
    write_json(os.path.join(base, "index.json"), {"formatVersion": "v1.0", "disclaimer": real["disclaimer"], "publicationDate": "2018-04-01T00:00:00Z", "offers": services})


if __name__ == "__main__":
    main()

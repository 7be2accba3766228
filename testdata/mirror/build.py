#!/usr/bin/env python3
"""Builds the offline demo mirror from the real AmazonRedshift offer file.

The mirror has the Bulk API layout (offers/v1.0/aws/...), two regions and two
versions: 20180309224506 is the real file split by region; 20180401000000 is
the same data with a few deliberate changes (price moves, a price dropping to
zero, a removed and an added line, an attribute change) so that the demo and
the tests see a real change report. Both versions are written as JSON and as
CSV with AWS's column titles, carrying the same lines.

It also builds a small Savings Plans mirror (savingsPlan/v1.0/aws/...) from
the real AWSComputeSavingsPlan CSV excerpt: see build_savings_plans.

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
    build_savings_plans()


# Savings Plans: the real ap-east-2 excerpt of AWSComputeSavingsPlan version
# 20250911184447 (one plan, 44 rates), plus a second plan derived from it (1yr
# No Upfront, rates x1.4) so that filters have something to choose between.
# SP_V2 makes deliberate changes: three rises, a 50 % cut, a removed and an
# added rate. Each version is written as the unquoted CSV AWS publishes and as
# its JSON twin (products array, terms.savingsPlan array), carrying the same
# fields under the JSON names.
SP_CODE = "AWSComputeSavingsPlan"
SP_SOURCE = os.path.join(ROOT, "..", "bulk", "AWSComputeSavingsPlan-ap-east-2-excerpt-2025.csv")
SP_V1, SP_V2 = "20250911184447", "20251001000000"
SP_REGION = "ap-east-2"
# CSV column -> (level, JSON key). Levels: product field, product attribute,
# plan (term) field, rate field.
SP_COLUMNS = {
    "SKU": ("product", "sku"), "RateCode": ("rate", "rateCode"), "Unit": ("rate", "unit"),
    "EffectiveDate": ("plan", "effectiveDate"), "DiscountedRate": ("rate", "price"), "Currency": ("rate", "currency"),
    "DiscountedSKU": ("rate", "discountedSku"), "DiscountedServiceCode": ("rate", "discountedServiceCode"),
    "DiscountedUsageType": ("rate", "discountedUsageType"), "DiscountedOperation": ("rate", "discountedOperation"),
    "PurchaseOption": ("attr", "purchaseOption"), "LeaseContractLength": ("plan", "duration"),
    "LeaseContractLengthUnit": ("plan", "unit"), "ServiceCode": ("product", "serviceCode"),
    "UsageType": ("product", "usageType"), "Operation": ("product", "operation"), "Description": ("plan", "description"),
    "Instance Family": ("attr", "instanceFamily"), "Location": ("attr", "location"), "Location Type": ("attr", "locationType"),
    "Granularity": ("attr", "granularity"), "Product Family": ("product", "productFamily"),
    "DiscountedRegionCode": ("rate", "discountedRegionCode"), "DiscountedInstanceType": ("rate", "discountedInstanceType"),
}


def sp_read():
    with open(SP_SOURCE, newline="") as f:
        rows = list(csv.reader(f))
    i = next(i for i, r in enumerate(rows) if r and r[0] == "SKU")
    return rows[:i], rows[i], [dict(zip(rows[i], r)) for r in rows[i + 1:]]


def sp_price(price, factor):
    d = (Decimal(price) * Decimal(factor)).quantize(Decimal("0.0001"))
    return format(d.normalize(), "f")


def sp_second_plan(rows):
    """A 1yr No Upfront plan modelled on the real 3yr Partial Upfront one."""
    sku = "SYNTH1YRNOUPFRNT"
    out = []
    for r in rows:
        n = dict(r)
        n["SKU"] = sku
        n["RateCode"] = sku + "." + r["DiscountedSKU"]
        n["DiscountedRate"] = sp_price(r["DiscountedRate"], "1.4")
        n["PurchaseOption"] = "No Upfront"
        n["LeaseContractLength"] = "1"
        n["UsageType"] = r["UsageType"].replace("3yrPartialUpfront", "1yrNoUpfront")
        n["Description"] = r["Description"].replace("3 year Partial Upfront", "1 year No Upfront")
        out.append(n)
    return out


def sp_version2(rows):
    rows = [dict(r) for r in rows]
    real = sorted((r for r in rows if r["SKU"] != "SYNTH1YRNOUPFRNT"), key=lambda r: r["RateCode"])
    for i, r in enumerate(real[:4]):  # three rises and one cut
        r["DiscountedRate"] = sp_price(r["DiscountedRate"], "0.5" if i == 3 else "1.1")
    gone = real[4]["RateCode"]
    rows = [r for r in rows if r["RateCode"] != gone]
    new = dict(real[5])  # an added rate: a new instance size
    new["DiscountedSKU"] = "ZZNEWRATE" + new["DiscountedSKU"][9:]
    new["RateCode"] = new["SKU"] + "." + new["DiscountedSKU"]
    new["DiscountedUsageType"] = new["DiscountedUsageType"] + "-next"
    new["DiscountedInstanceType"] = new["DiscountedInstanceType"] + "-next"
    rows.append(new)
    return rows


def sp_write_csv(path, preamble, head, rows, version, pubdate):
    meta = {"Version": version, "Publication Date": pubdate}
    lines = [",".join([r[0], meta.get(r[0], r[1])]) for r in preamble]
    lines.append(",".join(head))
    lines += [",".join(r[c] for c in head) for r in rows]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def sp_json(rows, version, pubdate, disclaimer):
    products, plans = {}, {}
    for r in rows:
        by = {}
        for col, (level, key) in SP_COLUMNS.items():
            by.setdefault(level, {})[key] = r[col]
        sku = r["SKU"]
        if sku not in products:
            p = dict(by["product"])
            p["attributes"] = by["attr"]
            products[sku] = p
            pl = by["plan"]
            plans[sku] = {"sku": sku, "description": pl["description"], "effectiveDate": pl["effectiveDate"],
                          "leaseContractLength": {"duration": int(pl["duration"]), "unit": pl["unit"]}, "rates": []}
        rate = by["rate"]
        price, currency = rate.pop("price"), rate.pop("currency")
        rate["discountedRate"] = {"price": price, "currency": currency}
        plans[sku]["rates"].append(rate)
    return {"version": version, "publicationDate": pubdate, "regionCode": SP_REGION, "disclaimer": disclaimer,
            "products": list(products.values()), "terms": {"savingsPlan": list(plans.values())}}


def build_savings_plans():
    base = os.path.join(ROOT, "savingsPlan", "v1.0", "aws", SP_CODE)
    shutil.rmtree(os.path.join(ROOT, "savingsPlan"), ignore_errors=True)
    preamble, head, rows = sp_read()
    disclaimer = dict((r[0], r[1]) for r in preamble)["Disclaimer"]
    rows = rows + sp_second_plan(rows)
    versions = []
    for v, pubdate, data in ((SP_V1, "2025-09-11T18:44:47Z", rows), (SP_V2, "2025-10-01T00:00:00Z", sp_version2(rows))):
        folder = f"/savingsPlan/v1.0/aws/{SP_CODE}/{v}/{SP_REGION}"
        sp_write_csv(os.path.join(ROOT, folder[1:], "index.csv"), preamble, head, data, v, pubdate)
        write_json(os.path.join(ROOT, folder[1:], "index.json"), sp_json(data, v, pubdate, disclaimer))
        index = {"disclaimer": disclaimer, "publicationDate": pubdate,
                 "regions": [{"regionCode": SP_REGION, "versionUrl": folder + "/index.json"}]}
        write_json(os.path.join(base, v, "region_index.json"), index)
        if v == SP_V2:
            write_json(os.path.join(base, "current", "region_index.json"), index)
        versions.append({"publicationDate": pubdate, "offerVersionUrl": f"/savingsPlan/v1.0/aws/{SP_CODE}/{v}/region_index.json"})
    write_json(os.path.join(base, "current", "index.json"), {
        "disclaimer": disclaimer, "publicationDate": "2025-10-01T00:00:00Z",
        "currentOfferVersionUrl": f"/savingsPlan/v1.0/aws/{SP_CODE}/{SP_V2}/region_index.json",
        "versions": list(reversed(versions))})


if __name__ == "__main__":
    main()

package gitstore

import (
	"time"

	"github.com/pricechecker/pricechecker/internal/report"
	"github.com/pricechecker/pricechecker/internal/snapshot"
)

// Row is one line at one point of its history: the schema of
// `pricechecker history --json` and of the site's history.json, which
// both build their rows here.
type Row struct {
	Date                time.Time         `json:"date"`
	Commit              string            `json:"commit"`
	Version             string            `json:"version"`
	PublicationDate     string            `json:"publication_date,omitempty"`
	OfferCode           string            `json:"offer_code"`
	Region              string            `json:"region"`
	RateCode            string            `json:"rate_code"`
	SKU                 string            `json:"sku"`
	TermType            string            `json:"term_type"`
	LeaseContractLength string            `json:"lease_contract_length,omitempty"`
	PurchaseOption      string            `json:"purchase_option,omitempty"`
	OfferingClass       string            `json:"offering_class,omitempty"`
	Unit                string            `json:"unit"`
	Currency            string            `json:"currency"`
	Attributes          map[string]string `json:"attributes,omitempty"`
	// Price is empty where the line was removed.
	Price string `json:"price"`
	// Change is "" (start of the history, or no move), "new", "removed",
	// or the move in percent.
	Change    string   `json:"change"`
	ChangePct *float64 `json:"change_pct"`
}

// NewRow is line l at point p, with the change given.
func NewRow(offer, region string, l report.Line, p Point, change string) Row {
	return Row{
		Date: p.Date.UTC(), Commit: p.Commit, Version: p.Version, PublicationDate: p.PublicationDate,
		OfferCode: offer, Region: region, RateCode: l.RateCode, SKU: l.SKU, TermType: l.TermType,
		LeaseContractLength: l.LeaseContractLength, PurchaseOption: l.PurchaseOption, OfferingClass: l.OfferingClass,
		Unit: l.Unit, Currency: l.Currency, Attributes: l.Attributes, Price: p.Price, Change: change,
	}
}

// Rows is a line's points as rows; Change is "" at the start of the
// history or where nothing moved, "new", "removed", or the move in percent.
func Rows(offer, region string, l report.Line, points []Point) []Row {
	var rows []Row
	prev := ""
	for i, p := range points {
		var change string
		var pct *float64
		switch {
		case p.Removed:
			change = "removed"
		case i == 0 && p.First:
		case i == 0 || points[i-1].Removed:
			change = "new"
		case p.Price != prev:
			pct = snapshot.ChangePct(prev, p.Price)
			change = report.FormatPct(pct)
		}
		row := NewRow(offer, region, l, p, change)
		row.ChangePct = pct
		rows = append(rows, row)
		prev = p.Price
	}
	return rows
}

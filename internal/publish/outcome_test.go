package publish

import (
	"testing"

	"github.com/pricechecker/pricechecker/internal/report"
)

func TestStatusOf(t *testing.T) {
	tests := []struct {
		results []string
		want    Status
	}{
		{nil, StatusSuccess},
		{[]string{"success", "skipped"}, StatusSuccess},
		{[]string{"success", "cancelled"}, StatusCancelled},
		{[]string{"cancelled", "failure", "success"}, StatusFailure},
	}
	for _, tt := range tests {
		var jobs []Job
		for _, r := range tt.results {
			jobs = append(jobs, Job{Name: r, Result: r})
		}
		if got := StatusOf(jobs); got != tt.want {
			t.Errorf("StatusOf(%v) = %s, want %s", tt.results, got, tt.want)
		}
	}
}

func TestMergeReports(t *testing.T) {
	changed := report.Offer{OfferCode: "AmazonRDS", Region: "us-east-1", Changed: []report.Change{{RateCode: "R"}}}
	a := report.Report{Unchanged: true, Offers: []report.Offer{{OfferCode: "AmazonS3", Region: "us-east-1"}}}
	b := report.Report{Offers: []report.Offer{changed, {OfferCode: "AmazonEC2", Region: "us-west-2"}, {OfferCode: "AmazonEC2", Region: "eu-west-1"}}}

	got := MergeReports(a, b)
	var order []string
	for _, o := range got.Offers {
		order = append(order, o.OfferCode+"/"+o.Region)
	}
	want := []string{"AmazonEC2/eu-west-1", "AmazonEC2/us-west-2", "AmazonRDS/us-east-1", "AmazonS3/us-east-1"}
	if len(order) != len(want) {
		t.Fatalf("offers = %v, want %v", order, want)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("offers = %v, want %v", order, want)
		}
	}
	if got.Unchanged {
		t.Error("merge of a changed report is marked unchanged")
	}
	if !MergeReports(a, a).Unchanged || !MergeReports().Unchanged {
		t.Error("merge of unchanged reports is not unchanged")
	}
}

func TestPublicationID(t *testing.T) {
	a := PublicationID(changedReport(), "base..head", "run 1")
	if a != PublicationID(changedReport(), "base..head", "run 1") {
		t.Error("the same publication has two ids")
	}
	for _, other := range []string{
		PublicationID(changedReport(), "base..head", "run 2"),
		PublicationID(changedReport(), "base..head2", "run 1"),
		PublicationID(report.Report{}, "base..head", "run 1"),
		PublicationID(changedReport(), "base..headrun 1"),
	} {
		if other == a {
			t.Error("different publications share an id")
		}
	}
}

func changedReport() report.Report {
	return report.Report{Offers: []report.Offer{{OfferCode: "AmazonEC2", Region: "us-east-1", Changed: []report.Change{{RateCode: "R", OldPrice: "1", NewPrice: "2"}}}}}
}

package offergen

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readJSON(t *testing.T, path string, v any) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return data
}

func TestWriteMirror(t *testing.T) {
	dir := t.TempDir()
	mo := MirrorOptions{
		Options: Options{Version: "20250912225308", Products: 30, Seed: 1},
		Regions: []string{"us-east-1", "us-west-2-den-1"},
	}
	if err := WriteMirror(context.Background(), dir, mo); err != nil {
		t.Fatal(err)
	}
	aws := filepath.Join(dir, "offers", "v1.0", "aws")

	var service struct {
		Offers map[string]map[string]string
	}
	data := readJSON(t, filepath.Join(aws, "index.json"), &service)
	if !bytes.HasPrefix(data, []byte("{\n  \"formatVersion\" : \"v1.0\",\n")) {
		t.Errorf("service index not in AWS layout: %.60q", data)
	}
	ec2 := service.Offers["AmazonEC2"]
	for k, want := range map[string]string{
		"offerCode":             "AmazonEC2",
		"versionIndexUrl":       "/offers/v1.0/aws/AmazonEC2/index.json",
		"currentVersionUrl":     "/offers/v1.0/aws/AmazonEC2/current/index.json",
		"currentRegionIndexUrl": "/offers/v1.0/aws/AmazonEC2/current/region_index.json",
	} {
		if ec2[k] != want {
			t.Errorf("service index %s = %q, want %q", k, ec2[k], want)
		}
	}

	var versions struct {
		OfferCode, CurrentVersion string
		Versions                  map[string]map[string]string
	}
	readJSON(t, filepath.Join(aws, "AmazonEC2", "index.json"), &versions)
	v := versions.Versions["20250912225308"]
	if versions.CurrentVersion != "20250912225308" || v["versionEffectiveEndDate"] != "" ||
		v["offerVersionUrl"] != "/offers/v1.0/aws/AmazonEC2/20250912225308/index.json" {
		t.Errorf("version index: %+v", versions)
	}

	for _, ri := range []string{"20250912225308", "current"} {
		var regions struct {
			Regions map[string]map[string]string
		}
		readJSON(t, filepath.Join(aws, "AmazonEC2", ri, "region_index.json"), &regions)
		if len(regions.Regions) != 2 {
			t.Errorf("%s region index: %v", ri, regions.Regions)
		}
		for code, r := range regions.Regions {
			want := "/offers/v1.0/aws/AmazonEC2/20250912225308/" + code + "/index.json"
			if r["regionCode"] != code || r["currentVersionUrl"] != want {
				t.Errorf("%s region %s: %v, want currentVersionUrl %s", ri, code, r, want)
			}
			// The URL resolves to a file in the mirror.
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(r["currentVersionUrl"]))); err != nil {
				t.Error(err)
			}
		}
	}

	for _, region := range mo.Regions {
		for _, f := range []string{"json", "csv"} {
			name := "index." + f
			got, err := os.ReadFile(filepath.Join(aws, "AmazonEC2", "20250912225308", region, name))
			if err != nil {
				t.Fatal(err)
			}
			o := mo.Options
			o.Region = region
			if want := generate(t, f, o); !bytes.Equal(got, want) {
				t.Errorf("%s/%s differs from Generate", region, name)
			}
			cur, err := os.ReadFile(filepath.Join(aws, "AmazonEC2", "current", region, name))
			if err != nil || !bytes.Equal(cur, got) {
				t.Errorf("current/%s/%s differs from the versioned file (%v)", region, name, err)
			}
		}
	}
	// No temporary files are left behind.
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if strings.Contains(d.Name(), ".tmp") {
			t.Errorf("left behind: %s", path)
		}
		return nil
	})
}

func TestWriteMirrorRejects(t *testing.T) {
	for _, mo := range []MirrorOptions{
		{Options: Options{Products: 1}, Regions: []string{"../x"}},
		{Options: Options{Products: 1}, Formats: []string{"xml"}},
		{Options: Options{Products: 1, OfferCode: "a/b"}},
		{Options: Options{Version: "bad"}},
	} {
		if err := WriteMirror(context.Background(), t.TempDir(), mo); err == nil {
			t.Errorf("%+v: no error", mo)
		}
	}
}

func TestWriteMirrorStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := WriteMirror(ctx, t.TempDir(), MirrorOptions{Options: Options{Products: 1}})
	if err == nil {
		t.Error("no error after cancel")
	}
}

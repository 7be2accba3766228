package offergen

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MirrorOptions says what Bulk API mirror to write.
type MirrorOptions struct {
	// Options describes the offer; Options.Region is ignored in favour of
	// Regions. Products/TargetBytes apply to each region's file.
	Options
	// Regions are the regional offer files to write. Default [us-east-1].
	Regions []string
	// Formats are "json" and/or "csv". Default both.
	Formats []string
}

// WriteMirror writes, under dir, the Bulk API layout that a price-list
// client walks for one offer, with URLs relative to the host as AWS's are:
//
//	offers/v1.0/aws/index.json                                  service index
//	offers/v1.0/aws/<code>/index.json                           version index
//	offers/v1.0/aws/<code>/<version>/region_index.json          region index
//	offers/v1.0/aws/<code>/<version>/<region>/index.json|.csv   offer files
//	offers/v1.0/aws/<code>/current/...                          the same files
//
// The files under current/ are hard links to the versioned ones where the
// file system allows, so a 480 MB offer is on disk once. The all-regions
// offer file (<version>/index.json) is not written. Every file is written
// to a temporary name and renamed, so an interrupted run leaves no partial
// file under a real name.
func WriteMirror(ctx context.Context, dir string, mo MirrorOptions) error {
	regions := mo.Regions
	if len(regions) == 0 {
		regions = []string{DefaultRegion}
	}
	formats := mo.Formats
	if len(formats) == 0 {
		formats = []string{"json", "csv"}
	}
	for _, f := range formats {
		if f != "json" && f != "csv" {
			return fmt.Errorf("format %q: want json or csv", f)
		}
	}
	base := mo.Options
	base.Region = regions[0]
	o, err := base.Resolve()
	if err != nil {
		return err
	}
	code, version := o.OfferCode, o.Version
	if strings.ContainsAny(code, `/\`) || code == "." || code == ".." {
		return fmt.Errorf("offer code %q: must not contain a path separator", code)
	}
	offerPath := "/offers/v1.0/aws/" + code
	root := filepath.Join(dir, "offers", "v1.0", "aws")

	service := obj(
		kv("formatVersion", str(formatVersion)),
		kv("disclaimer", str(disclaimer)),
		kv("publicationDate", str(o.PublicationDate)),
		kv("offers", obj(kv(code, obj(
			kv("offerCode", str(code)),
			kv("versionIndexUrl", str(offerPath+"/index.json")),
			kv("currentVersionUrl", str(offerPath+"/current/index.json")),
			kv("currentRegionIndexUrl", str(offerPath+"/current/region_index.json")),
		)))),
	)
	versions := obj(
		kv("formatVersion", str(formatVersion)),
		kv("disclaimer", str(disclaimer)),
		kv("publicationDate", str(o.PublicationDate)),
		kv("offerCode", str(code)),
		kv("currentVersion", str(version)),
		kv("versions", obj(kv(version, obj(
			kv("versionEffectiveBeginDate", str(o.PublicationDate[:7]+"-01T00:00:00Z")),
			kv("versionEffectiveEndDate", str("")),
			kv("offerVersionUrl", str(offerPath+"/"+version+"/index.json")),
		)))),
	)
	var regionNodes []node
	for _, r := range regions {
		if r == "" || strings.ContainsAny(r, `/\`) || r == "." || r == ".." {
			return fmt.Errorf("region %q: not a region code", r)
		}
		regionNodes = append(regionNodes, kv(r, obj(
			kv("regionCode", str(r)),
			kv("currentVersionUrl", str(offerPath+"/"+version+"/"+r+"/index.json")),
		)))
	}
	regionIndex := obj(
		kv("formatVersion", str(formatVersion)),
		kv("disclaimer", str(disclaimer)),
		kv("publicationDate", str(o.PublicationDate)),
		kv("regions", obj(regionNodes...)),
	)

	small := []struct {
		path string
		n    node
	}{
		{filepath.Join(root, "index.json"), service},
		{filepath.Join(root, code, "index.json"), versions},
		{filepath.Join(root, code, version, "region_index.json"), regionIndex},
		{filepath.Join(root, code, "current", "region_index.json"), regionIndex},
	}
	for _, f := range small {
		if err := writeFileAtomic(f.path, func(w io.Writer) error {
			_, err := w.Write(f.n.appendTo(nil, 0))
			return err
		}); err != nil {
			return err
		}
	}

	for _, r := range regions {
		ro := o
		ro.Region = r
		if r != regions[0] && mo.Products == 0 {
			// Size each region for itself: names differ, so sizes do.
			ro.Products = 0
			if ro, err = ro.Resolve(); err != nil {
				return err
			}
		}
		for _, f := range formats {
			if err := ctx.Err(); err != nil {
				return err
			}
			name := "index." + f
			src := filepath.Join(root, code, version, r, name)
			if err := writeFileAtomic(src, func(w io.Writer) error {
				return Generate(w, f, ro)
			}); err != nil {
				return err
			}
			if err := linkOrCopy(src, filepath.Join(root, code, "current", r, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeFileAtomic writes path through fill: temp file, sync, rename.
func writeFileAtomic(path string, fill func(io.Writer) error) (err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// linkOrCopy makes dst the same file as src: a hard link, or a copy where
// the file system has none.
func linkOrCopy(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("link %s: %w", dst, err)
	}
	tmp := dst + ".tmp-link"
	os.Remove(tmp)
	if err := os.Link(src, tmp); err == nil {
		if err := os.Rename(tmp, dst); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("link %s: %w", dst, err)
		}
		return nil
	}
	return writeFileAtomic(dst, func(w io.Writer) error {
		f, err := os.Open(src)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}

// node is an ordered JSON value for the small index files: a string, or an
// object whose members keep their order.
type node struct {
	key     string
	str     string
	members []node
	isObj   bool
}

func str(s string) node          { return node{str: s} }
func obj(members ...node) node   { return node{members: members, isObj: true} }
func kv(key string, v node) node { v.key = key; return v }
func (n node) appendTo(buf []byte, depth int) []byte {
	if !n.isObj {
		return appendString(buf, n.str)
	}
	if len(n.members) == 0 {
		return append(buf, "{ }"...)
	}
	buf = append(buf, "{\n"...)
	for i, m := range n.members {
		buf = key(buf, 2*depth+2, m.key)
		buf = m.appendTo(buf, depth+1)
		if i < len(n.members)-1 {
			buf = append(buf, ',')
		}
		buf = append(buf, '\n')
	}
	buf = indent(buf, 2*depth)
	return append(buf, '}')
}

// Package pricingfake is an httptest stand-in for the AWS Pricing service
// API (JSON 1.1 protocol), serving the price lists of a Bulk API mirror
// directory. It checks what the real service checks (POST /, Content-Type
// application/x-amz-json-1.1, X-Amz-Target AWSPriceListService.<Op>, a SigV4
// Authorization header for service "pricing", MaxResults 1-100, NextToken
// validity) and answers like it: PriceList as an array of JSON strings,
// paginated with NextToken, errors as {"__type", "message"} with HTTP 400.
// Faults: throttling bursts and storms, expired page tokens.
//
// The mirror's versions are its 14-digit folders. ListPriceLists answers
// by effective date the way AWS does: with the version whose effective
// window [versionEffectiveBeginDate, versionEffectiveEndDate) in the
// service's Bulk API version index (offers/v1.0/aws/<code>/index.json)
// contains the date, not by version name: AWS publishes a version after its
// window began (EC2's 20250703204906 is effective from 2025-06-01 to
// 2025-07-01). A version the index does not describe (Savings Plans, whose
// version index has no windows, or a mirror without an index) is effective
// from its name's time until the next version's. GetPriceListFileUrl hands out URLs on the fake itself,
// which serves the files like the Bulk API does. GetProducts serves the
// latest version: a TERM_MATCH filter on regionCode picks the region's file
// (real products carry a regionCode attribute; the mirror's 2018 files do
// not), other filters match product attributes and productFamily.
package pricingfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pricechecker/pricechecker/internal/awsnames"
)

const targetPrefix = "AWSPriceListService."

// Server is a running fake.
type Server struct {
	*httptest.Server
	dir string

	mu sync.Mutex
	// PageSize caps the entries of one page below MaxResults, so that tests
	// see pagination on small data.
	pageSize    int
	throttle    int
	storm       int // throttle storm: answer storm calls out of every storm+1 with ThrottlingException
	stormCount  int
	expireAtUse int
	tokenGen    int
	requests    []string
	fileGets    []string
	services    map[string]*service
	loadError   error
}

// service is one service code's price lists in the mirror.
type service struct {
	folder   string // offers/v1.0/aws/<code> or savingsPlan/v1.0/aws/<code>
	code     string // the folder's code
	versions []string
	// regions per version
	regions map[string][]string
	// windows per version: when it is the effective one
	windows map[string]window
}

// window is a version's effective period; end is zero for the current one.
type window struct{ begin, end time.Time }

func (w window) contains(t time.Time) bool {
	return !t.Before(w.begin) && (w.end.IsZero() || t.Before(w.end))
}

// New serves the mirror dir (holding offers/ and savingsPlan/) until Close.
func New(dir string) *Server {
	s := &Server{dir: dir, pageSize: 100}
	s.services, s.loadError = scan(dir)
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetPageSize makes pages at most n entries long.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = n
}

// Throttle answers the next n API calls with ThrottlingException.
func (s *Server) Throttle(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttle = n
}

// ThrottleStorm makes the fake throttle n calls out of every n+1 from now
// on, whatever they are: a long listing whose every page is throttled n
// times before it passes, as under a sustained rate limit. 0 ends it.
func (s *Server) ThrottleStorm(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.storm, s.stormCount = n, 0
}

// ExpireTokens makes every NextToken handed out so far expired.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenGen++
}

// ExpireAtUse makes the n-th page token presented from now find every token
// handed out so far expired, once: a listing that outlives its tokens. The
// expiry happens when the token is used, not when it is handed out, so an
// SDK retry of a page whose answer was lost in transit (the SDK retries
// net.ErrClosed) meets the same expiry instead of slipping past it.
func (s *Server) ExpireAtUse(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireAtUse = n
}

// Requests returns the operations called so far, in order.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// FileGets returns the file paths downloaded so far.
func (s *Server) FileGets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.fileGets)
}

func scan(dir string) (map[string]*service, error) {
	out := map[string]*service{}
	for _, tree := range []string{"offers/v1.0/aws", "savingsPlan/v1.0/aws"} {
		codes, err := os.ReadDir(filepath.Join(dir, tree))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, c := range codes {
			if !c.IsDir() {
				continue
			}
			svc := &service{folder: tree + "/" + c.Name(), code: c.Name(), regions: map[string][]string{}}
			versions, err := os.ReadDir(filepath.Join(dir, tree, c.Name()))
			if err != nil {
				return nil, err
			}
			for _, v := range versions {
				if !v.IsDir() || !isVersion(v.Name()) {
					continue
				}
				regions, err := os.ReadDir(filepath.Join(dir, tree, c.Name(), v.Name()))
				if err != nil {
					return nil, err
				}
				for _, r := range regions {
					if r.IsDir() {
						svc.regions[v.Name()] = append(svc.regions[v.Name()], r.Name())
					}
				}
				svc.versions = append(svc.versions, v.Name())
			}
			slices.Sort(svc.versions)
			if svc.windows, err = windows(filepath.Join(dir, tree, c.Name(), "index.json"), svc.versions); err != nil {
				return nil, err
			}
			serviceCode := c.Name()
			if tree == "savingsPlan/v1.0/aws" {
				serviceCode = awsnames.SavingsPlanServiceCode(c.Name())
			}
			out[serviceCode] = svc
		}
	}
	return out, nil
}

// windows reads the effective windows of versions from a Bulk API version
// index, when there is one; a version it does not describe is effective
// from its name's time to the next version's.
func windows(indexPath string, versions []string) (map[string]window, error) {
	out := map[string]window{}
	for i, v := range versions {
		w := window{begin: versionTime(v)}
		if i+1 < len(versions) {
			w.end = versionTime(versions[i+1])
		}
		out[v] = w
	}
	data, err := os.ReadFile(indexPath)
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	var index struct {
		Versions map[string]struct {
			Begin string `json:"versionEffectiveBeginDate"`
			End   string `json:"versionEffectiveEndDate"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(data, &index); err != nil {
		return nil, fmt.Errorf("%s: %w", indexPath, err)
	}
	for v, e := range index.Versions {
		if _, ok := out[v]; !ok {
			continue // described, but not in the mirror
		}
		var w window
		if w.begin, err = time.Parse(time.RFC3339, e.Begin); err != nil {
			return nil, fmt.Errorf("%s: version %s: %w", indexPath, v, err)
		}
		if e.End != "" {
			if w.end, err = time.Parse(time.RFC3339, e.End); err != nil {
				return nil, fmt.Errorf("%s: version %s: %w", indexPath, v, err)
			}
		}
		out[v] = w
	}
	return out, nil
}

func versionTime(v string) time.Time {
	t, _ := time.Parse("20060102150405", v)
	return t
}

func isVersion(v string) bool {
	if len(v) != 14 {
		return false
	}
	_, err := strconv.ParseUint(v, 10, 64)
	return err == nil
}

// apiError is an error answer of the JSON 1.1 protocol.
type apiError struct {
	status  int
	typ     string
	message string
}

func errorf(typ, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, typ: typ, message: fmt.Sprintf(format, args...)}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.serveFile(w, r)
		return
	}
	op, aerr := s.check(r)
	if aerr == nil {
		s.mu.Lock()
		s.requests = append(s.requests, op)
		if s.throttle > 0 {
			s.throttle--
			aerr = errorf("ThrottlingException", "Rate exceeded")
		} else if s.storm > 0 {
			if s.stormCount < s.storm {
				aerr = errorf("ThrottlingException", "Rate exceeded")
				s.stormCount++
			} else {
				s.stormCount = 0
			}
		}
		s.mu.Unlock()
	}
	var out any
	if aerr == nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			aerr = errorf("InternalErrorException", "read body: %v", err)
		} else {
			out, aerr = s.call(op, body)
		}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", "fake-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if aerr != nil {
		w.Header().Set("X-Amzn-Errortype", aerr.typ)
		w.WriteHeader(aerr.status)
		json.NewEncoder(w).Encode(map[string]string{"__type": aerr.typ, "message": aerr.message})
		return
	}
	json.NewEncoder(w).Encode(out)
}

// check validates the protocol envelope and returns the operation.
func (s *Server) check(r *http.Request) (string, *apiError) {
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		return "", &apiError{status: http.StatusNotFound, typ: "UnknownOperationException", message: "POST / only"}
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-amz-json-1.1" {
		return "", errorf("SerializationException", "Content-Type %q, want application/x-amz-json-1.1", ct)
	}
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 ") || !strings.Contains(auth, "/pricing/aws4_request") || r.Header.Get("X-Amz-Date") == "" {
		return "", &apiError{status: http.StatusForbidden, typ: "MissingAuthenticationTokenException", message: "Missing Authentication Token"}
	}
	target := r.Header.Get("X-Amz-Target")
	if !strings.HasPrefix(target, targetPrefix) {
		return "", errorf("UnknownOperationException", "X-Amz-Target %q", target)
	}
	return strings.TrimPrefix(target, targetPrefix), nil
}

func (s *Server) call(op string, body []byte) (any, *apiError) {
	if s.loadError != nil {
		return nil, &apiError{status: http.StatusInternalServerError, typ: "InternalErrorException", message: s.loadError.Error()}
	}
	switch op {
	case "ListPriceLists":
		return s.listPriceLists(body)
	case "GetPriceListFileUrl":
		return s.getPriceListFileURL(body)
	case "GetProducts":
		return s.getProducts(body)
	default:
		return nil, errorf("UnknownOperationException", "operation %s is not supported by the fake", op)
	}
}

type page struct {
	MaxResults *int   `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// paginate returns the slice of n items that the page asks for, and the
// next token.
func (s *Server) paginate(op string, p page, n int) (from, to int, next string, aerr *apiError) {
	size := 100
	if p.MaxResults != nil {
		if *p.MaxResults < 1 || *p.MaxResults > 100 {
			return 0, 0, "", errorf("InvalidParameterException", "MaxResults must be between 1 and 100")
		}
		size = *p.MaxResults
	}
	s.mu.Lock()
	size = min(size, s.pageSize)
	if p.NextToken != "" && s.expireAtUse > 0 {
		if s.expireAtUse--; s.expireAtUse == 0 {
			s.tokenGen++
		}
	}
	gen := s.tokenGen
	s.mu.Unlock()
	if p.NextToken != "" {
		var g int
		var tokOp string
		if _, err := fmt.Sscanf(p.NextToken, "%s %d %d", &tokOp, &g, &from); err != nil || tokOp != op || from < 0 || from > n {
			return 0, 0, "", errorf("InvalidNextTokenException", "The NextToken is invalid")
		}
		if g != gen {
			return 0, 0, "", errorf("ExpiredNextTokenException", "The NextToken has expired")
		}
	}
	to = min(from+size, n)
	if to < n {
		next = fmt.Sprintf("%s %d %d", op, gen, to)
	}
	return from, to, next, nil
}

type priceList struct {
	PriceListArn string   `json:"PriceListArn"`
	RegionCode   string   `json:"RegionCode"`
	CurrencyCode string   `json:"CurrencyCode"`
	FileFormats  []string `json:"FileFormats"`
}

func (s *Server) listPriceLists(body []byte) (any, *apiError) {
	var in struct {
		page
		ServiceCode   string   `json:"ServiceCode"`
		CurrencyCode  string   `json:"CurrencyCode"`
		EffectiveDate *float64 `json:"EffectiveDate"`
		RegionCode    string   `json:"RegionCode"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errorf("SerializationException", "%v", err)
	}
	if in.ServiceCode == "" || in.CurrencyCode == "" || in.EffectiveDate == nil {
		return nil, errorf("InvalidParameterException", "ServiceCode, CurrencyCode and EffectiveDate are required")
	}
	svc, ok := s.services[in.ServiceCode]
	if !ok {
		return nil, errorf("NotFoundException", "Service code %s not found", in.ServiceCode)
	}
	sec, frac := math.Modf(*in.EffectiveDate)
	effective := time.Unix(int64(sec), int64(frac*1e9)).UTC()
	version := ""
	for _, v := range svc.versions {
		if svc.windows[v].contains(effective) {
			version = v
		}
	}
	var lists []priceList
	if version != "" && in.CurrencyCode == "USD" {
		for _, region := range svc.regions[version] {
			if in.RegionCode != "" && region != in.RegionCode {
				continue
			}
			var formats []string
			for _, f := range []string{"csv", "json"} {
				if _, err := os.Stat(filepath.Join(s.dir, svc.folder, version, region, "index."+f)); err == nil {
					formats = append(formats, f)
				}
			}
			lists = append(lists, priceList{
				PriceListArn: fmt.Sprintf("arn:aws:pricing:::price-list/aws/%s/USD/%s/%s", in.ServiceCode, version, region),
				RegionCode:   region, CurrencyCode: "USD", FileFormats: formats,
			})
		}
	}
	from, to, next, aerr := s.paginate("ListPriceLists", in.page, len(lists))
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"PriceLists": append([]priceList{}, lists[from:to]...)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

func (s *Server) getPriceListFileURL(body []byte) (any, *apiError) {
	var in struct {
		PriceListArn string `json:"PriceListArn"`
		FileFormat   string `json:"FileFormat"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errorf("SerializationException", "%v", err)
	}
	format := strings.ToLower(in.FileFormat)
	if format != "json" && format != "csv" {
		return nil, errorf("InvalidParameterException", "FileFormat must be json or csv")
	}
	_, rest, ok := strings.Cut(in.PriceListArn, ":price-list/aws/")
	parts := strings.Split(rest, "/")
	if !ok || len(parts) != 4 {
		return nil, errorf("InvalidParameterException", "PriceListArn %q is not a price list ARN", in.PriceListArn)
	}
	svc, ok := s.services[parts[0]]
	if !ok || parts[1] != "USD" {
		return nil, errorf("NotFoundException", "Price list %s not found", in.PriceListArn)
	}
	p := path.Join(svc.folder, parts[2], parts[3], "index."+format)
	if _, err := os.Stat(filepath.Join(s.dir, filepath.FromSlash(p))); err != nil {
		return nil, errorf("NotFoundException", "Price list %s not found", in.PriceListArn)
	}
	return map[string]string{"Url": s.URL + "/" + p}, nil
}

type filter struct {
	Type  string `json:"Type"`
	Field string `json:"Field"`
	Value string `json:"Value"`
}

func (f filter) match(v string, has bool) bool {
	switch f.Type {
	case "TERM_MATCH", "EQUALS":
		return has && v == f.Value
	case "CONTAINS":
		return has && strings.Contains(v, f.Value)
	case "ANY_OF":
		return has && slices.Contains(strings.Split(f.Value, ","), v)
	case "NONE_OF":
		return !has || !slices.Contains(strings.Split(f.Value, ","), v)
	}
	return false
}

func (s *Server) getProducts(body []byte) (any, *apiError) {
	var in struct {
		page
		ServiceCode   string   `json:"ServiceCode"`
		FormatVersion string   `json:"FormatVersion"`
		Filters       []filter `json:"Filters"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, errorf("SerializationException", "%v", err)
	}
	if in.FormatVersion != "" && in.FormatVersion != "aws_v1" {
		return nil, errorf("InvalidParameterException", "FormatVersion must be aws_v1")
	}
	svc, ok := s.services[in.ServiceCode]
	if !ok || !strings.HasPrefix(svc.folder, "offers/") {
		return nil, errorf("NotFoundException", "Service code %s not found", in.ServiceCode)
	}
	var region string
	var rest []filter
	for _, f := range in.Filters {
		switch f.Type {
		case "TERM_MATCH", "EQUALS", "CONTAINS", "ANY_OF", "NONE_OF":
		default:
			return nil, errorf("InvalidParameterException", "Filter type %q is not valid", f.Type)
		}
		if f.Field == "" {
			return nil, errorf("InvalidParameterException", "Filter field is required")
		}
		if f.Field == "regionCode" && f.Type == "TERM_MATCH" {
			region = f.Value
			continue
		}
		rest = append(rest, f)
	}
	version := svc.versions[len(svc.versions)-1]
	regions := svc.regions[version]
	if region != "" {
		regions = slices.DeleteFunc(slices.Clone(regions), func(r string) bool { return r != region })
	}
	var entries []string
	for _, r := range regions {
		es, err := s.products(svc, in.ServiceCode, version, r, rest)
		if err != nil {
			return nil, &apiError{status: http.StatusInternalServerError, typ: "InternalErrorException", message: err.Error()}
		}
		entries = append(entries, es...)
	}
	from, to, next, aerr := s.paginate("GetProducts", in.page, len(entries))
	if aerr != nil {
		return nil, aerr
	}
	out := map[string]any{"FormatVersion": "aws_v1", "PriceList": append([]string{}, entries[from:to]...)}
	if next != "" {
		out["NextToken"] = next
	}
	return out, nil
}

// products turns a region's bulk offer file into GetProducts entries: each
// product with its terms, one level flatter than the file (terms.<type>.
// <sku>.<offerTermCode> becomes terms.<type>.<offerTermCode>), sorted by SKU.
func (s *Server) products(svc *service, serviceCode, version, region string, filters []filter) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, svc.folder, version, region, "index.json"))
	if err != nil {
		return nil, err
	}
	var offer struct {
		Version         string `json:"version"`
		PublicationDate string `json:"publicationDate"`
		Products        map[string]struct {
			SKU           string            `json:"sku"`
			ProductFamily *string           `json:"productFamily"`
			Attributes    map[string]string `json:"attributes"`
		} `json:"products"`
		Terms map[string]map[string]map[string]json.RawMessage `json:"terms"`
	}
	if err := json.Unmarshal(data, &offer); err != nil {
		return nil, err
	}
	skus := make([]string, 0, len(offer.Products))
	for sku := range offer.Products {
		skus = append(skus, sku)
	}
	slices.Sort(skus)
	var out []string
	for _, sku := range skus {
		p := offer.Products[sku]
		keep := true
		for _, f := range filters {
			v, has := p.Attributes[f.Field]
			if f.Field == "productFamily" && p.ProductFamily != nil {
				v, has = *p.ProductFamily, true
			}
			if !f.match(v, has) {
				keep = false
				break
			}
		}
		if !keep {
			continue
		}
		product := map[string]any{"sku": p.SKU, "attributes": p.Attributes}
		if p.ProductFamily != nil {
			product["productFamily"] = *p.ProductFamily
		}
		terms := map[string]any{}
		for termType, bySKU := range offer.Terms {
			if t, ok := bySKU[sku]; ok {
				terms[termType] = t
			}
		}
		entry, err := json.Marshal(map[string]any{
			"product": product, "serviceCode": serviceCode, "terms": terms,
			"version": offer.Version, "publicationDate": offer.PublicationDate,
		})
		if err != nil {
			return nil, err
		}
		out = append(out, string(entry))
	}
	return out, nil
}

// serveFile serves the mirror's files at the URLs GetPriceListFileUrl
// hands out.
func (s *Server) serveFile(w http.ResponseWriter, r *http.Request) {
	p := path.Clean(r.URL.Path)
	if !strings.HasPrefix(p, "/offers/") && !strings.HasPrefix(p, "/savingsPlan/") {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	s.fileGets = append(s.fileGets, p)
	s.mu.Unlock()
	data, err := os.ReadFile(filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(p, "/"))))
	if err != nil {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>")
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(data)
}

package relay

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// In HTTP mode anyone on the internet can post to the function URL, so every
// message is authenticated with its SNS signature before anything else
// happens. (SNS → Lambda needs none of this: AWS authenticates the invoke.)

// maxSNSBody bounds what is read from a request: SNS messages are at most
// 256 KB, and the JSON envelope escapes them.
const maxSNSBody = 1 << 20

// httpBudget bounds the handling of one HTTP-mode request, retries
// included. SNS waits a limited time for an HTTPS endpoint's answer and
// redelivers when it gets none. Neither the project's reference notes nor
// the AWS documentation we found state that limit: 15 s is the working
// figure. Answering within 10 s leaves room for a cold start, and a 5xx
// answer hands the message to SNS's own delivery retry policy rather than
// keeping SNS waiting into a redelivery (which, landing on another
// execution environment, would escape the in-memory duplicate check).
const httpBudget = 10 * time.Second

// snsHostRE is the host a SigningCertURL or SubscribeURL must have: SNS's
// own endpoint in a region, sns.<region>.amazonaws.com (.com.cn in China).
// The region part has the shape of a region code (us-east-1,
// us-gov-west-1, ap-southeast-3), so that other AWS hosts that happen to
// start with "sns." (sns.s3-us-east-1.amazonaws.com would be an S3 website
// host anyone can create a bucket under) and extra labels are refused.
var snsHostRE = regexp.MustCompile(`^sns\.(?:[a-z]{2,4}(?:-gov)?-[a-z]+-[0-9]{1,2}\.amazonaws\.com|cn-[a-z]+-[0-9]{1,2}\.amazonaws\.com\.cn)$`)

// The freshness window on a signed message's Timestamp (HTTP mode). SNS
// keeps a message's Timestamp across its delivery retries, and the longest
// HTTP/S delivery policy SNS accepts retries for 3,600 s in total; 5 minutes
// more cover the last attempt's own delay and clock skew. An older message
// is a replay of something SNS has stopped delivering (a captured request
// that the in-memory duplicate check, which a cold start forgets, would let
// through); one from further in the future than clock skew explains was
// not signed by SNS at the time it claims.
const (
	maxMessageAge  = time.Hour + 5*time.Minute
	maxClockSkewed = 5 * time.Minute
)

// SNSMessage is the JSON body SNS posts to an HTTPS subscriber.
type SNSMessage struct {
	Type             string
	MessageID        string `json:"MessageId"`
	Token            string
	TopicArn         string
	Subject          *string // absent and empty differ in the string to sign
	Message          string
	Timestamp        string
	SignatureVersion string
	Signature        string
	SigningCertURL   string
	SubscribeURL     string
	UnsubscribeURL   string
}

// SNSVerifier checks SNS message signatures (SignatureVersion 1: SHA1withRSA,
// 2: SHA256withRSA), caching certificates by URL.
type SNSVerifier struct {
	HTTP   *http.Client
	HostOK func(host string) bool // default: the sns.<region>.amazonaws.com pattern

	mu    sync.Mutex
	certs map[string]*x509.Certificate
}

func (v *SNSVerifier) hostOK(host string) bool {
	if v.HostOK != nil {
		return v.HostOK(host)
	}
	return snsHostRE.MatchString(host)
}

// checkSNSURL refuses URLs SNS would never send, so that a forged message
// cannot make the relay fetch or confirm arbitrary URLs.
func (v *SNSVerifier) checkSNSURL(raw, what string, pemFile bool) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a URL", what, raw)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%s %q is not https", what, raw)
	}
	if !v.hostOK(u.Hostname()) {
		return nil, fmt.Errorf("%s host %q is not an SNS host", what, u.Hostname())
	}
	if u.User != nil || u.Fragment != "" || (pemFile && u.RawQuery != "") {
		return nil, fmt.Errorf("%s %q has parts SNS never sends", what, raw)
	}
	if pemFile && !strings.HasSuffix(u.Path, ".pem") {
		return nil, fmt.Errorf("%s %q does not name a .pem file", what, raw)
	}
	return u, nil
}

// Verify checks m's signature against the certificate SNS names.
func (v *SNSVerifier) Verify(ctx context.Context, m *SNSMessage) error {
	var hash crypto.Hash
	switch m.SignatureVersion {
	case "1":
		hash = crypto.SHA1
	case "2":
		hash = crypto.SHA256
	default:
		return fmt.Errorf("unsupported SignatureVersion %q", m.SignatureVersion)
	}
	sig, err := base64.StdEncoding.DecodeString(m.Signature)
	if err != nil {
		return fmt.Errorf("signature is not base64: %w", err)
	}
	if _, err := v.checkSNSURL(m.SigningCertURL, "SigningCertURL", true); err != nil {
		return err
	}
	cert, err := v.cert(ctx, m.SigningCertURL)
	if err != nil {
		return err
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return errors.New("signing certificate has no RSA key")
	}
	str, err := stringToSign(m)
	if err != nil {
		return err
	}
	var digest []byte
	if hash == crypto.SHA1 {
		s := sha1.Sum([]byte(str))
		digest = s[:]
	} else {
		s := sha256.Sum256([]byte(str))
		digest = s[:]
	}
	if err := rsa.VerifyPKCS1v15(pub, hash, digest, sig); err != nil {
		return errors.New("signature does not match the message")
	}
	return nil
}

// stringToSign follows the SNS documentation: name\nvalue\n for each field,
// in byte order, Subject only when present.
func stringToSign(m *SNSMessage) (string, error) {
	type kv struct{ k, v string }
	var fields []kv
	switch m.Type {
	case "Notification":
		fields = append(fields, kv{"Message", m.Message}, kv{"MessageId", m.MessageID})
		if m.Subject != nil {
			fields = append(fields, kv{"Subject", *m.Subject})
		}
		fields = append(fields, kv{"Timestamp", m.Timestamp}, kv{"TopicArn", m.TopicArn}, kv{"Type", m.Type})
	case "SubscriptionConfirmation", "UnsubscribeConfirmation":
		fields = []kv{{"Message", m.Message}, {"MessageId", m.MessageID}, {"SubscribeURL", m.SubscribeURL},
			{"Timestamp", m.Timestamp}, {"Token", m.Token}, {"TopicArn", m.TopicArn}, {"Type", m.Type}}
	default:
		return "", fmt.Errorf("unknown message Type %q", m.Type)
	}
	var b strings.Builder
	for _, f := range fields {
		b.WriteString(f.k + "\n" + f.v + "\n")
	}
	return b.String(), nil
}

func (v *SNSVerifier) cert(ctx context.Context, certURL string) (*x509.Certificate, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.certs[certURL]; ok {
		return c, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, certURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := v.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch signing certificate: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch signing certificate: HTTP %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64*1024))
	if err != nil {
		return nil, fmt.Errorf("fetch signing certificate: %w", err)
	}
	block, _ := pem.Decode(body)
	if block == nil {
		return nil, errors.New("signing certificate is not PEM")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse signing certificate: %w", err)
	}
	if v.certs == nil {
		v.certs = map[string]*x509.Certificate{}
	}
	v.certs[certURL] = c
	return c, nil
}

// HandleFunctionURL is the Lambda handler for HTTP mode (RELAY_MODE=http):
// SNS posts to the function URL.
func (h *Handler) HandleFunctionURL(ctx context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return textResponse(http.StatusBadRequest, "body is not base64"), nil
		}
		body = b
	}
	if len(body) > maxSNSBody {
		return textResponse(http.StatusRequestEntityTooLarge, "body too large"), nil
	}
	// Function URLs lower-case header names.
	status, msg := h.handleSNSHTTP(ctx, req.Headers["x-amz-sns-message-type"], body)
	return textResponse(status, msg), nil
}

// ServeHTTP serves HTTP mode on a plain net/http server (local runs, tests).
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSNSBody+1))
	if err != nil || len(body) > maxSNSBody {
		http.Error(w, "body unreadable or too large", http.StatusRequestEntityTooLarge)
		return
	}
	status, msg := h.handleSNSHTTP(r.Context(), r.Header.Get("X-Amz-Sns-Message-Type"), body)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

func textResponse(status int, msg string) events.LambdaFunctionURLResponse {
	return events.LambdaFunctionURLResponse{StatusCode: status, Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, Body: msg}
}

// handleSNSHTTP answers with the status SNS should see: 2xx for done (or
// dropped on purpose), 4xx for forged or malformed requests, 5xx when a
// dispatch failed and SNS should retry under its delivery policy. The
// whole handling, GitHub retries included, is bounded by httpBudget.
func (h *Handler) handleSNSHTTP(ctx context.Context, typeHeader string, body []byte) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, h.httpBudget)
	defer cancel()
	var m SNSMessage
	if err := json.Unmarshal(body, &m); err != nil {
		h.log.Warn("rejected HTTP request: body is not an SNS message", "error", err.Error())
		return http.StatusBadRequest, "not an SNS message"
	}
	log := h.log.With("messageId", truncate(m.MessageID, maxMessageIDLen), "topic", truncate(m.TopicArn, maxTopicLen), "type", truncate(m.Type, 64))
	if typeHeader == "" {
		// SNS always sends it; a request without it did not come from SNS.
		log.Warn("rejected HTTP request: no x-amz-sns-message-type header")
		return http.StatusBadRequest, "missing x-amz-sns-message-type header"
	}
	if typeHeader != m.Type {
		log.Warn("rejected HTTP request: x-amz-sns-message-type does not match Type", "header", typeHeader)
		return http.StatusBadRequest, "message type mismatch"
	}
	// Unexpected topics are refused before any certificate is fetched: the
	// relay must not confirm subscriptions to someone else's topic.
	if !h.topics[m.TopicArn] {
		log.Warn("rejected HTTP request: topic not allowed (add it to RELAY_EXTRA_TOPICS if it is yours)")
		return http.StatusForbidden, "topic not allowed"
	}
	if err := h.sns.Verify(ctx, &m); err != nil {
		log.Warn("rejected HTTP request: SNS signature check failed", "error", err.Error())
		return http.StatusForbidden, "signature check failed"
	}
	// The Timestamp is signed: only now can it be trusted, and judged.
	sent, err := time.Parse(time.RFC3339Nano, m.Timestamp)
	if err != nil {
		log.Warn("rejected HTTP request: Timestamp unreadable", "timestamp", truncate(m.Timestamp, 64))
		return http.StatusForbidden, "message timestamp unreadable"
	}
	if age := h.now().Sub(sent); age > maxMessageAge || age < -maxClockSkewed {
		log.Warn("rejected HTTP request: Timestamp outside the freshness window (a replayed or misdated message)",
			"timestamp", sent.UTC().Format(time.RFC3339), "age", age.Round(time.Second).String(), "maxAge", maxMessageAge.String())
		return http.StatusForbidden, "message too old or dated in the future"
	}
	switch m.Type {
	case "SubscriptionConfirmation":
		if err := h.confirm(ctx, m.SubscribeURL); err != nil {
			log.Error("subscription confirmation failed", "error", err.Error())
			return http.StatusBadGateway, "subscription confirmation failed"
		}
		log.Info("subscription confirmed")
		return http.StatusOK, "subscription confirmed"
	case "UnsubscribeConfirmation":
		log.Warn("unsubscribed from topic; re-subscribe to keep receiving price list updates")
		return http.StatusOK, "ok"
	case "Notification":
		n := Notification{MessageID: m.MessageID, TopicArn: m.TopicArn, Message: m.Message, Timestamp: sent}
		if m.Subject != nil {
			n.Subject = *m.Subject
		}
		if err := h.Process(ctx, n); err != nil {
			// Process logged the failure; SNS retries under its delivery
			// policy.
			return http.StatusInternalServerError, "dispatch failed; SNS will retry"
		}
		return http.StatusOK, "ok"
	}
	log.Warn("rejected HTTP request: unknown message type")
	return http.StatusBadRequest, "unknown message type"
}

func (h *Handler) confirm(ctx context.Context, subscribeURL string) error {
	u, err := h.sns.checkSNSURL(subscribeURL, "SubscribeURL", false)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	resp, err := h.sns.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("GET SubscribeURL: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64*1024))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("GET SubscribeURL: HTTP %d", resp.StatusCode)
	}
	return nil
}

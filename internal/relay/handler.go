package relay

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/pricechecker/pricechecker/internal/dispatch"

	"github.com/aws/aws-lambda-go/events"
)

// Dispatcher sends one repository_dispatch; *GitHub implements it.
type Dispatcher interface {
	Dispatch(ctx context.Context, eventType string, payload any) error
}

// Payload is the client_payload of every dispatch, defined once in package
// dispatch, where the action reads it back.
type Payload = dispatch.Payload

// Handler processes notifications. Build it with New or NewFromEnv once per
// cold start; it keeps the dedup memory and credential caches across
// invocations.
type Handler struct {
	cfg    Config
	gh     Dispatcher
	dedup  *Dedup
	log    *slog.Logger
	now    func() time.Time
	sns    *SNSVerifier
	topics map[string]bool
	offers map[string]bool

	httpBudget time.Duration // HTTP mode: bound on one request's handling
}

// Deps are the handler's collaborators; zero values get real defaults.
type Deps struct {
	Log        *slog.Logger
	HTTP       *http.Client // for GitHub and SNS; default has cfg.HTTPTimeout
	Secrets    SecretGetter
	Parameters ParameterGetter
	Now        func() time.Time
	Sleep      func(ctx context.Context, d time.Duration) error
	Dispatcher Dispatcher // overrides the GitHub client (tests)
	// SNSHostOK replaces the check on SigningCertURL/SubscribeURL hosts
	// (tests serve certificates from 127.0.0.1), and SNSHTTP the client that
	// fetches them (default HTTP).
	SNSHostOK func(host string) bool
	SNSHTTP   *http.Client
	// HTTPBudget overrides httpBudget, the bound on one HTTP-mode request
	// (tests).
	HTTPBudget time.Duration
}

// NewFromEnv builds the handler from the environment, with the AWS SDK
// clients its credential source needs. main calls it once per cold start.
func NewFromEnv(ctx context.Context, getenv func(string) string, log *slog.Logger) (*Handler, error) {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	if log != nil {
		for _, w := range cfg.Warnings {
			log.Warn("relay configuration", "warning", w)
		}
	}
	sm, p, err := AWSClients(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return New(cfg, Deps{Log: log, Secrets: sm, Parameters: p})
}

// New builds the handler from a validated configuration.
func New(cfg Config, d Deps) (*Handler, error) {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.HTTP == nil {
		timeout := cfg.HTTPTimeout
		if timeout <= 0 {
			timeout = 10 * time.Second
		}
		d.HTTP = &http.Client{Timeout: timeout}
	}
	h := &Handler{
		cfg:    cfg,
		gh:     d.Dispatcher,
		dedup:  NewDedup(cfg.DedupTTL, 10000),
		log:    d.Log,
		now:    d.Now,
		topics: set(cfg.AllowedTopics),
		offers: set(cfg.AllowedOffers),
		sns:    &SNSVerifier{HTTP: cmp.Or(d.SNSHTTP, d.HTTP), HostOK: d.SNSHostOK},

		httpBudget: cmp.Or(d.HTTPBudget, httpBudget),
	}
	if h.gh == nil {
		tokens, err := tokenSource(cfg, d)
		if err != nil {
			return nil, err
		}
		h.gh = &GitHub{
			BaseURL:     cfg.APIURL,
			Repo:        cfg.Repo,
			HTTP:        d.HTTP,
			Tokens:      tokens,
			Log:         d.Log,
			MaxAttempts: cfg.MaxAttempts,
			Sleep:       d.Sleep,
			Now:         d.Now,
		}
	}
	return h, nil
}

func tokenSource(cfg Config, d Deps) (TokenSource, error) {
	switch cfg.Credential {
	case CredentialToken:
		return StaticToken(cfg.Token), nil
	case CredentialSecret:
		if d.Secrets == nil {
			return nil, errors.New("PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN is set but no Secrets Manager client was built")
		}
		return NewSecretToken(d.Secrets, cfg.TokenSecretARN, cfg.CredentialTTL), nil
	case CredentialParameter:
		if d.Parameters == nil {
			return nil, errors.New("PRICECHECKER_DISPATCH_TOKEN_PARAMETER is set but no SSM client was built")
		}
		return NewParameterToken(d.Parameters, cfg.TokenParameter, cfg.CredentialTTL), nil
	case CredentialApp:
		app := &GitHubApp{BaseURL: cfg.APIURL, AppID: cfg.AppID, InstallationID: cfg.AppInstallationID, Repo: cfg.Repo, HTTP: d.HTTP, Now: d.Now}
		if cfg.AppPrivateKeySecretARN != "" {
			if d.Secrets == nil {
				return nil, errors.New("GITHUB_APP_PRIVATE_KEY_SECRET_ARN is set but no Secrets Manager client was built")
			}
			return newAppFromSecret(app, d.Secrets, cfg.AppPrivateKeySecretARN), nil
		}
		k, err := ParsePrivateKey(cfg.AppPrivateKey)
		if err != nil {
			return nil, fmt.Errorf("GITHUB_APP_PRIVATE_KEY: %w", err)
		}
		app.Key = k
		return NewAppToken(app), nil
	}
	return nil, fmt.Errorf("unknown credential source %q", cfg.Credential)
}

// HandleEvent is the Lambda handler in SNS mode (main starts it). It takes
// the raw event and decodes it itself, so that an event that is not an SNS
// event, or a record with an unreadable field, is logged and dropped instead
// of failing the invocation (which Lambda would retry, then send to the
// dead-letter queue, for nothing). It returns an error only when a dispatch
// failed, so that Lambda retries the event.
func (h *Handler) HandleEvent(ctx context.Context, raw json.RawMessage) error {
	var ev struct {
		Records []json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) == 0 {
		reason := "no Records"
		if err != nil {
			reason = err.Error()
		}
		h.log.Warn("dropped: event is not an SNS event", "error", reason, "event", truncate(string(raw), 300))
		return nil
	}
	var errs []error
	for i, rec := range ev.Records {
		n, ok := h.decodeRecord(i, rec)
		if !ok {
			continue
		}
		if err := h.Process(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Invoke makes the Handler a lambda.Handler: main hands it to lambda.Start
// in SNS mode, and the runtime then passes each invocation's bytes as they
// came. With a typed argument (even json.RawMessage) the runtime decodes
// the event first, and an event it cannot decode (nested deeper than
// encoding/json's 10,000 levels, not JSON at all) failed the invocation
// before HandleEvent saw it: Lambda retried it twice, then dead-lettered it.
// Now every such event is HandleEvent's to log and drop. The answer is
// JSON null, as before.
func (h *Handler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	if err := h.HandleEvent(ctx, payload); err != nil {
		return nil, err
	}
	return []byte("null"), nil
}

// snsRecord is one record of a Lambda SNS event, with every field a string
// so that a malformed value fails only that field.
type snsRecord struct {
	SNS *struct {
		MessageID string `json:"MessageId"`
		TopicArn  string
		Subject   string
		Message   string
		Timestamp string
	} `json:"Sns"`
}

func (h *Handler) decodeRecord(i int, raw json.RawMessage) (Notification, bool) {
	var r snsRecord
	if err := json.Unmarshal(raw, &r); err != nil || r.SNS == nil {
		reason := "no Sns object"
		if err != nil {
			reason = err.Error()
		}
		// Name the message if its id at least is readable.
		var peek struct {
			SNS struct {
				MessageID any `json:"MessageId"`
			} `json:"Sns"`
		}
		_ = json.Unmarshal(raw, &peek)
		id, _ := peek.SNS.MessageID.(string)
		h.log.Warn("dropped: record is not an SNS notification", "record", i, "messageId", truncate(id, maxMessageIDLen), "error", reason, "event", truncate(string(raw), 300))
		return Notification{}, false
	}
	s := r.SNS
	n := Notification{MessageID: s.MessageID, TopicArn: s.TopicArn, Subject: s.Subject, Message: s.Message}
	if s.Timestamp != "" {
		ts, err := time.Parse(time.RFC3339Nano, s.Timestamp)
		if err != nil {
			// Keep the record: the time is only informative.
			h.log.Warn("SNS Timestamp unreadable; treating the time as unknown", "messageId", truncate(s.MessageID, maxMessageIDLen), "timestamp", truncate(s.Timestamp, 64))
		} else {
			n.Timestamp = ts
		}
	}
	return n, true
}

// HandleSNS relays an already decoded SNS event (for callers that have
// one); it goes through the same checks as HandleEvent.
func (h *Handler) HandleSNS(ctx context.Context, ev events.SNSEvent) error {
	raw, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode SNS event: %w", err)
	}
	return h.HandleEvent(ctx, raw)
}

// Process relays one notification: parse, filter, dedup, dispatch.
func (h *Handler) Process(ctx context.Context, n Notification) error {
	log := h.log.With("messageId", truncate(n.MessageID, maxMessageIDLen), "topic", truncate(n.TopicArn, maxTopicLen))
	if !h.topics[n.TopicArn] {
		log.Warn("dropped: topic not allowed (add it to RELAY_EXTRA_TOPICS if it is yours)")
		return nil
	}
	ups, err := Parse(n)
	if err != nil {
		log.Warn("dropped: message not understood", "error", err.Error(), "subject", truncate(n.Subject, 300), "message", truncate(n.Message, 300))
		return nil
	}
	var errs []error
	for _, u := range ups {
		ulog := log.With("kind", string(u.Kind), "offerCode", u.OfferCode, "version", u.Version)
		if !h.offerAllowed(u) {
			ulog.Info("skipped: offer not in RELAY_ALLOWED_OFFERS")
			continue
		}
		shaped, dropped, usable := checkShape(h.payload(n, u))
		if u.Rejected != "" || len(dropped) > 0 {
			ulog.Warn("left out of the dispatch: not in the shape AWS uses", "rejected", u.Rejected, "fields", dropped)
		}
		if !usable {
			ulog.Warn("dropped: nothing usable left in the shape AWS uses")
			continue
		}
		keys := dedupKeys(n, u)
		if h.dedup.Seen(h.now(), keys...) {
			ulog.Info("skipped: already dispatched (duplicate delivery)")
			continue
		}
		eventType := h.eventType(u.Kind)
		payload, err := fitPayload(eventType, shaped)
		if err != nil {
			// Cannot happen with bounded fields; if it does, retrying
			// would fail the same way.
			ulog.Error("dropped: payload cannot be sent", "eventType", eventType, "error", err.Error())
			continue
		}
		if err := h.gh.Dispatch(WithLogger(ctx, ulog), eventType, payload); err != nil {
			ulog.Error("dispatch failed", "eventType", eventType, "error", err.Error())
			errs = append(errs, fmt.Errorf("dispatch %s for %s (message %s): %w", eventType, u.OfferCode, truncate(n.MessageID, maxMessageIDLen), err))
			continue
		}
		h.dedup.Mark(h.now(), keys...)
		ulog.Info("dispatched", "eventType", eventType, "repository", h.cfg.Repo)
	}
	return errors.Join(errs...)
}

// offerAllowed applies RELAY_ALLOWED_OFFERS. A Savings Plans message that
// names no plan passes when any Savings Plans code is allowed: the user
// tracks Savings Plans and the topic fired.
func (h *Handler) offerAllowed(u Update) bool {
	if len(h.offers) == 0 || h.offers[u.OfferCode] {
		return true
	}
	if u.Kind == KindSavingsPlans && u.OfferCode == "" {
		return slices.ContainsFunc(h.cfg.AllowedOffers, func(o string) bool { return canonicalSavingsPlanCode(o) != "" })
	}
	if u.Kind == KindSavingsPlans {
		// Users may list the Pricing-API spelling (ComputeSavingsPlans).
		return slices.ContainsFunc(h.cfg.AllowedOffers, func(o string) bool { return canonicalSavingsPlanCode(o) == u.OfferCode })
	}
	return false
}

func (h *Handler) eventType(k Kind) string {
	if k == KindSavingsPlans {
		return h.cfg.EventTypeSavingsPlans
	}
	return h.cfg.EventTypePriceList
}

func (h *Handler) payload(n Notification, u Update) Payload {
	p := Payload{
		Kind:           u.Kind,
		OfferCode:      u.OfferCode,
		Version:        u.Version,
		Timestamp:      u.Timestamp,
		Topic:          n.TopicArn,
		MessageID:      n.MessageID,
		RegionIndexURL: u.RegionIndexURL,
	}
	if u.OfferCode != "" {
		if u.Kind == KindSavingsPlans {
			p.VersionIndexURL = "https://pricing.us-east-1.amazonaws.com/savingsPlan/v1.0/aws/" + u.OfferCode + "/current/index.json"
		} else {
			p.VersionIndexURL = "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/" + u.OfferCode + "/index.json"
		}
	}
	return p
}

// Bounds on the payload's fields, in bytes. Together they keep the
// client_payload under 10 KB even if every character needs JSON escaping,
// far from GitHub's 64 KB, whatever the message holds.
const (
	maxKindLen      = 32
	maxOfferCodeLen = 64
	maxVersionLen   = 14
	maxTimestampLen = 64
	maxTopicLen     = 320 // an SNS topic ARN: a name of up to 256 characters (.fifo aside) plus the arn:PARTITION:sns:REGION:ACCOUNT: prefix
	maxMessageIDLen = 128 // SNS MessageIds are 36-character UUIDs
)

// fitPayload makes p safe to send: a field longer than its bound is
// dropped (set to ""), never truncated into something misleading; if the
// payload were still refused, the optional fields go too. It fails only
// when even the bare payload cannot be sent.
func fitPayload(eventType string, p Payload) (Payload, error) {
	for _, f := range []struct {
		v   *string
		max int
	}{
		{(*string)(&p.Kind), maxKindLen}, {&p.OfferCode, maxOfferCodeLen}, {&p.Version, maxVersionLen},
		{&p.Timestamp, maxTimestampLen}, {&p.Topic, maxTopicLen}, {&p.MessageID, maxMessageIDLen},
		{&p.RegionIndexURL, maxURLLen}, {&p.VersionIndexURL, maxURLLen},
	} {
		if len(*f.v) > f.max {
			*f.v = ""
		}
	}
	if _, err := ValidatePayload(eventType, p); err == nil {
		return p, nil
	}
	p.RegionIndexURL, p.VersionIndexURL, p.Timestamp, p.Topic, p.MessageID = "", "", "", "", ""
	if _, err := ValidatePayload(eventType, p); err != nil {
		return Payload{}, err
	}
	return p, nil
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Mode is "sns" or "http" (RELAY_MODE): which Lambda handler main starts.
func (h *Handler) Mode() string { return h.cfg.Mode }

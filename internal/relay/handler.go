package relay

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Dispatcher sends one repository_dispatch; *GitHub implements it.
type Dispatcher interface {
	Dispatch(ctx context.Context, eventType string, payload any) error
}

// Payload is the client_payload of every dispatch. The workflow reads
// offerCode and version; the field names are a public contract (camelCase,
// at most GitHub's 10 top-level properties). Every key is always present so
// that workflow expressions see "" rather than null.
type Payload struct {
	Kind      Kind   `json:"kind"`
	OfferCode string `json:"offerCode"` // the Savings Plans code for savings-plans
	// Version is "" when AWS did not name one (daily digest): read the
	// version index then.
	Version         string `json:"version"`
	Timestamp       string `json:"timestamp"`
	Topic           string `json:"topic"`
	MessageID       string `json:"messageId"`
	RegionIndexURL  string `json:"regionIndexUrl"`
	VersionIndexURL string `json:"versionIndexUrl"`
}

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
}

// NewFromEnv builds the handler from the environment, with the AWS SDK
// clients its credential source needs. main calls it once per cold start.
func NewFromEnv(ctx context.Context, getenv func(string) string, log *slog.Logger) (*Handler, error) {
	cfg, err := LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	sm, p, err := AWSClients(ctx, cfg)
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
			return nil, errors.New("GITHUB_TOKEN_SECRET_ARN is set but no Secrets Manager client was built")
		}
		return NewSecretToken(d.Secrets, cfg.TokenSecretARN, cfg.CredentialTTL), nil
	case CredentialParameter:
		if d.Parameters == nil {
			return nil, errors.New("GITHUB_TOKEN_PARAMETER is set but no SSM client was built")
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

// HandleSNS is the Lambda handler for SNS events. It returns an error only
// when a dispatch failed, so that Lambda retries the event and finally sends
// it to the dead-letter queue; messages it cannot use are logged and dropped.
func (h *Handler) HandleSNS(ctx context.Context, ev events.SNSEvent) error {
	var errs []error
	for _, r := range ev.Records {
		n := Notification{
			MessageID: r.SNS.MessageID,
			TopicArn:  r.SNS.TopicArn,
			Subject:   r.SNS.Subject,
			Message:   r.SNS.Message,
			Timestamp: r.SNS.Timestamp,
		}
		if err := h.Process(ctx, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Process relays one notification: parse, filter, dedup, dispatch.
func (h *Handler) Process(ctx context.Context, n Notification) error {
	log := h.log.With("messageId", n.MessageID, "topic", n.TopicArn)
	if !h.topics[n.TopicArn] {
		log.Warn("dropped: topic not allowed (add it to RELAY_ALLOWED_TOPICS if it is yours)")
		return nil
	}
	ups, err := Parse(n)
	if err != nil {
		log.Warn("dropped: message not understood", "error", err.Error(), "subject", n.Subject, "message", truncate(n.Message, 300))
		return nil
	}
	var errs []error
	for _, u := range ups {
		ulog := log.With("kind", string(u.Kind), "offerCode", u.OfferCode, "version", u.Version)
		if !h.offerAllowed(u) {
			ulog.Info("skipped: offer not in RELAY_ALLOWED_OFFERS")
			continue
		}
		keys := dedupKeys(n, u)
		if h.dedup.Seen(h.now(), keys...) {
			ulog.Info("skipped: already dispatched (duplicate delivery)")
			continue
		}
		eventType := h.eventType(u.Kind)
		if err := h.gh.Dispatch(ctx, eventType, h.payload(n, u)); err != nil {
			ulog.Error("dispatch failed", "eventType", eventType, "error", err.Error())
			errs = append(errs, fmt.Errorf("dispatch %s for %s (message %s): %w", eventType, u.OfferCode, n.MessageID, err))
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

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Mode is "sns" or "http" (RELAY_MODE): which Lambda handler main starts.
func (h *Handler) Mode() string { return h.cfg.Mode }

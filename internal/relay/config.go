package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Default event types; the workflow listens with
// on: repository_dispatch: types: [...].
const (
	DefaultEventTypePriceList    = "aws-price-list-update"
	DefaultEventTypeSavingsPlans = "aws-savings-plans-update"
)

// Credential sources, chosen by which variable is set.
const (
	CredentialToken     = "token"     // PRICECHECKER_DISPATCH_TOKEN
	CredentialSecret    = "secret"    // PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN
	CredentialParameter = "parameter" // PRICECHECKER_DISPATCH_TOKEN_PARAMETER
	CredentialApp       = "app"       // GITHUB_APP_ID + key
)

// Config is the relay's configuration, resolved and validated once at cold
// start (see README for the variables).
type Config struct {
	Mode                  string // "sns" (default) or "http"
	Repo                  string // owner/repo
	APIURL                string
	EventTypePriceList    string
	EventTypeSavingsPlans string
	AllowedOffers         []string // empty: every offer
	ExtraTopics           []string // RELAY_EXTRA_TOPICS
	AllowedTopics         []string // DefaultTopics plus ExtraTopics

	Credential             string // one of the Credential* constants
	Token                  string `json:"-"`
	TokenSecretARN         string
	TokenParameter         string
	AppID                  string
	AppInstallationID      string
	AppPrivateKey          string `json:"-"`
	AppPrivateKeySecretARN string

	CredentialTTL time.Duration // how long a secret or parameter value is cached
	DedupTTL      time.Duration
	MaxAttempts   int
	HTTPTimeout   time.Duration

	// Warnings are configuration problems that do not stop the relay
	// (an old variable name); NewFromEnv logs them at cold start.
	Warnings []string
}

var (
	repoRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)
	// topicARNRE is an SNS topic ARN: any partition (aws, aws-cn,
	// aws-us-gov…), a region, a 12-digit account and a topic name of up to
	// 256 letters, digits, hyphens and underscores (.fifo for FIFO topics).
	topicARNRE = regexp.MustCompile(`^arn:aws(-[a-z]+)*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$`)
)

// LoadConfig reads the configuration through getenv (os.Getenv in main, a
// map in tests). Every error names the variable to fix.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := Config{
		Mode:                   strings.ToLower(get("RELAY_MODE")),
		Repo:                   get("GITHUB_REPOSITORY"),
		APIURL:                 get("GITHUB_API_URL"),
		EventTypePriceList:     get("RELAY_EVENT_TYPE_PRICE_LIST"),
		EventTypeSavingsPlans:  get("RELAY_EVENT_TYPE_SAVINGS_PLANS"),
		AllowedOffers:          splitList(get("RELAY_ALLOWED_OFFERS")),
		ExtraTopics:            splitList(get("RELAY_EXTRA_TOPICS")),
		AppID:                  get("GITHUB_APP_ID"),
		AppInstallationID:      get("GITHUB_APP_INSTALLATION_ID"),
		AppPrivateKey:          getenv("GITHUB_APP_PRIVATE_KEY"),
		AppPrivateKeySecretARN: get("GITHUB_APP_PRIVATE_KEY_SECRET_ARN"),
	}
	var tokenFrom, secretFrom, parameterFrom string
	for _, v := range []struct {
		dst, from *string
		name, old string
	}{
		{&c.Token, &tokenFrom, EnvDispatchToken, oldEnvDispatchToken},
		{&c.TokenSecretARN, &secretFrom, EnvDispatchTokenSecretARN, oldEnvDispatchTokenSecretARN},
		{&c.TokenParameter, &parameterFrom, EnvDispatchTokenParameter, oldEnvDispatchTokenParameter},
	} {
		var warning string
		*v.dst, *v.from, warning = renamedEnv(get, v.name, v.old)
		if warning != "" {
			c.Warnings = append(c.Warnings, warning)
		}
	}
	var errs []error
	if c.Mode == "" {
		c.Mode = "sns"
	}
	if c.Mode != "sns" && c.Mode != "http" {
		errs = append(errs, fmt.Errorf("RELAY_MODE=%q: use sns (SNS subscribes the Lambda) or http (SNS posts to a function URL)", c.Mode))
	}
	if !repoRE.MatchString(c.Repo) {
		errs = append(errs, fmt.Errorf("GITHUB_REPOSITORY=%q: set it to owner/repo, the repository whose workflow should run", c.Repo))
	}
	if c.APIURL == "" {
		c.APIURL = "https://api.github.com"
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		errs = append(errs, fmt.Errorf("GITHUB_API_URL=%q: use https://api.github.com or your GitHub Enterprise API URL (https://HOST/api/v3)", c.APIURL))
	}
	if et := get("RELAY_EVENT_TYPE"); et != "" {
		if c.EventTypePriceList == "" {
			c.EventTypePriceList = et
		}
		if c.EventTypeSavingsPlans == "" {
			c.EventTypeSavingsPlans = et
		}
	}
	if c.EventTypePriceList == "" {
		c.EventTypePriceList = DefaultEventTypePriceList
	}
	if c.EventTypeSavingsPlans == "" {
		c.EventTypeSavingsPlans = DefaultEventTypeSavingsPlans
	}
	for _, et := range []string{c.EventTypePriceList, c.EventTypeSavingsPlans} {
		if len([]rune(et)) > maxEventTypeLen {
			errs = append(errs, fmt.Errorf("event type %q is longer than GitHub's %d characters: shorten RELAY_EVENT_TYPE*", truncate(et, 40), maxEventTypeLen))
		}
	}
	// The three AWS topics are always allowed; RELAY_EXTRA_TOPICS only adds
	// (your own test topic), so that listing one cannot drop the real ones.
	if get("RELAY_ALLOWED_TOPICS") != "" {
		errs = append(errs, errors.New("RELAY_ALLOWED_TOPICS is no longer read: the three AWS topics are always allowed; list only your own extra topics in RELAY_EXTRA_TOPICS"))
	}
	c.AllowedTopics = append([]string(nil), DefaultTopics...)
	for _, t := range c.ExtraTopics {
		if !topicARNRE.MatchString(t) {
			errs = append(errs, fmt.Errorf("RELAY_EXTRA_TOPICS: %q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME)", truncate(t, 300)))
			continue
		}
		if !slices.Contains(c.AllowedTopics, t) {
			c.AllowedTopics = append(c.AllowedTopics, t)
		}
	}
	for _, o := range c.AllowedOffers {
		if !offerCodeRE.MatchString(o) {
			errs = append(errs, fmt.Errorf("RELAY_ALLOWED_OFFERS: %q is not an offer code (for example AmazonEC2,AWSLambda,AWSComputeSavingsPlan)", o))
		}
	}

	var sources []string
	for _, s := range []struct{ name, val, source string }{
		{tokenFrom, c.Token, CredentialToken},
		{secretFrom, c.TokenSecretARN, CredentialSecret},
		{parameterFrom, c.TokenParameter, CredentialParameter},
		{"GITHUB_APP_ID", c.AppID, CredentialApp},
	} {
		if s.val != "" {
			sources = append(sources, s.name)
			c.Credential = s.source
		}
	}
	switch {
	case len(sources) == 0:
		errs = append(errs, errors.New("no GitHub credential: set one of PRICECHECKER_DISPATCH_TOKEN, PRICECHECKER_DISPATCH_TOKEN_SECRET_ARN, PRICECHECKER_DISPATCH_TOKEN_PARAMETER or GITHUB_APP_ID (with GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_SECRET_ARN)"))
	case len(sources) > 1:
		errs = append(errs, fmt.Errorf("several GitHub credentials are set (%s): keep exactly one", strings.Join(sources, ", ")))
	case c.Credential == CredentialApp:
		if (c.AppPrivateKey == "") == (c.AppPrivateKeySecretARN == "") {
			errs = append(errs, errors.New("GITHUB_APP_ID is set: set exactly one of GITHUB_APP_PRIVATE_KEY (PEM) or GITHUB_APP_PRIVATE_KEY_SECRET_ARN"))
		}
		if _, err := strconv.ParseInt(c.AppID, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("GITHUB_APP_ID=%q: use the numeric App ID from the app's settings page", c.AppID))
		}
	}

	var err error
	if c.CredentialTTL, err = durationEnv(get, "RELAY_CREDENTIAL_TTL", 15*time.Minute); err != nil {
		errs = append(errs, err)
	}
	if c.DedupTTL, err = durationEnv(get, "RELAY_DEDUP_TTL", 24*time.Hour); err != nil {
		errs = append(errs, err)
	}
	if c.HTTPTimeout, err = durationEnv(get, "RELAY_HTTP_TIMEOUT", 10*time.Second); err != nil {
		errs = append(errs, err)
	}
	c.MaxAttempts = defaultMaxAttempts
	if s := get("RELAY_MAX_ATTEMPTS"); s != "" {
		if n, err := strconv.Atoi(s); err != nil || n < 1 || n > 10 {
			errs = append(errs, fmt.Errorf("RELAY_MAX_ATTEMPTS=%q: use a number from 1 to 10", s))
		} else {
			c.MaxAttempts = n
		}
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("relay configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

func durationEnv(get func(string) string, name string, def time.Duration) (time.Duration, error) {
	s := get(name)
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: use a Go duration such as 15m or 24h", name, s)
	}
	return d, nil
}

// splitList splits on commas and whitespace, so that CloudFormation's
// CommaDelimitedList and a hand-typed "a, b" both work.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

// AWSClients builds the Secrets Manager and SSM clients the configured
// credential source needs (nil otherwise), from the usual AWS SDK
// configuration: the Lambda role, and AWS_ENDPOINT_URL_SECRETS_MANAGER /
// AWS_ENDPOINT_URL_SSM when set (used by the end-to-end test). The SDK
// logs through log, as JSON like every other line.
func AWSClients(ctx context.Context, c Config, log *slog.Logger) (SecretGetter, ParameterGetter, error) {
	needSecrets := c.TokenSecretARN != "" || c.AppPrivateKeySecretARN != ""
	needSSM := c.TokenParameter != ""
	if !needSecrets && !needSSM {
		return nil, nil, nil
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, config.WithLogger(sdkLogger(log)))
	if err != nil {
		return nil, nil, fmt.Errorf("load AWS SDK configuration: %w", err)
	}
	var sm SecretGetter
	var p ParameterGetter
	if needSecrets {
		sm = secretsmanager.NewFromConfig(awsCfg)
	}
	if needSSM {
		p = ssm.NewFromConfig(awsCfg)
	}
	return sm, p, nil
}

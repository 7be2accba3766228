module github.com/pricechecker/pricechecker

go 1.26.8

// Direct dependencies, each for one job:
require (
	cloud.google.com/go/auth v0.24.1-0.20261001053825-dbc26066f70a // its errors tell a Google token endpoint's transient failure from a refused key (Sheets retries)
	github.com/aws/aws-lambda-go v1.55.1 // the relay's Lambda runtime and SNS event types
	github.com/aws/aws-sdk-go-v2 v1.48.0 // AWS SDK core: the relay's secrets and the Pricing API source
	github.com/aws/aws-sdk-go-v2/config v1.33.18 // the default AWS credential chain
	github.com/aws/aws-sdk-go-v2/credentials v1.21.0 // static credentials in tests
	github.com/aws/aws-sdk-go-v2/service/pricing v1.51.6 // source: api (ListPriceLists, GetPriceListFileUrl, GetProducts)
	github.com/aws/aws-sdk-go-v2/service/secretsmanager v1.50.12 // the relay's GitHub token from Secrets Manager
	github.com/aws/aws-sdk-go-v2/service/ssm v1.82.1 // the relay's GitHub token from an SSM SecureString
	github.com/aws/smithy-go v1.28.9 // the SDK's error types, to tell throttling from not-found
	github.com/bradleyfalzon/ghinstallation/v2 v2.19.0 // GitHub App JWTs and installation tokens for the relay
	github.com/chromedp/cdproto v0.160.1 // the DevTools events the site's browser test listens to (network, console)
	github.com/chromedp/chromedp v0.23.1 // tests only: drives headless Chromium to test the price-history site
	github.com/go-json-experiment/json v1.27.2 // jsontext: a streaming JSON tokenizer 5-8x faster than encoding/json's, for 480 MB offer files
	github.com/google/go-github/v75 v75.0.0 // the GitHub REST API: repository_dispatch, App installations, a run's jobs
	github.com/rogpeppe/go-internal v1.16.0 // testscript: CLI tests as scripts
	github.com/sethvargo/go-githubactions v1.4.0 // the GitHub Actions adapter (exactly v1.4.0: the proxy lists no versions)
	github.com/slack-go/slack v0.35.0 // Slack Block Kit and chat.postMessage
	go.yaml.in/yaml/v3 v3.0.6 // the configuration file, with unknown keys reported
	golang.org/x/oauth2 v0.38.0 // its RetrieveError carries the token endpoint's status (Sheets retries)
	google.golang.org/api v0.312.0 // Google Sheets v4
)

require (
	cloud.google.com/go/auth/oauth2adapt v0.3.1 // indirect
	cloud.google.com/go/compute/metadata v0.10.0 // indirect
	github.com/aws/aws-sdk-go-v2/feature/ec2/imds v1.20.9 // indirect
	github.com/aws/aws-sdk-go-v2/internal/configsources v1.5.12 // indirect
	github.com/aws/aws-sdk-go-v2/internal/endpoints/v2 v2.8.12 // indirect
	github.com/aws/aws-sdk-go-v2/internal/v4a v1.5.12 // indirect
	github.com/aws/aws-sdk-go-v2/service/internal/accept-encoding v1.13.25 // indirect
	github.com/aws/aws-sdk-go-v2/service/internal/presigned-url v1.14.12 // indirect
	github.com/aws/aws-sdk-go-v2/service/signin v1.13.1 // indirect
	github.com/aws/aws-sdk-go-v2/service/sso v1.39.5 // indirect
	github.com/aws/aws-sdk-go-v2/service/ssooidc v1.44.5 // indirect
	github.com/aws/aws-sdk-go-v2/service/sts v1.52.0 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/felixge/httpsnoop v1.1.0 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/golang-jwt/jwt/v4 v4.5.2 // indirect
	github.com/google/go-github/v88 v88.0.0 // indirect
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/google/s2a-go v0.1.11 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/googleapis/enterprise-certificate-proxy v0.3.25 // indirect
	github.com/googleapis/gax-go/v2 v2.27.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp v0.69.0 // indirect
	go.opentelemetry.io/otel v1.47.0 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.opentelemetry.io/otel/trace v1.47.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
	golang.org/x/tools v0.51.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20261104224025-d1e00e9f33ab // indirect
	google.golang.org/grpc v1.85.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

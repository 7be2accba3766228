// Command relay is the AWS Lambda that turns AWS Price List SNS
// notifications into GitHub repository_dispatch events. All logic lives in
// internal/relay; this file only builds the handler from the environment and
// hands it to the Lambda runtime. See README.md for configuration and
// deployment.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/pricechecker/pricechecker/internal/relay"
)

func main() {
	log := relay.NewLogger(os.Stderr)
	// aws-lambda-go prints failed invocations with the standard logger:
	// make those lines JSON too.
	relay.RedirectStandardLog(log)
	h, err := relay.NewFromEnv(context.Background(), os.Getenv, log)
	if err != nil {
		// Failing the init phase makes the misconfiguration visible in the
		// Lambda console and logs instead of silently dropping events.
		log.Error("relay not started", "error", err.Error())
		os.Exit(1)
	}
	if h.Mode() == "http" {
		lambda.Start(h.HandleFunctionURL)
		return
	}
	// h itself, not h.HandleEvent: the runtime then hands over the raw
	// bytes, so that no event, however malformed, fails the invocation
	// before the relay can log and drop it (see relay.Handler.Invoke).
	lambda.Start(h)
}

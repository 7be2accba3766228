// Package relay owns the AWS Price List relay: it turns the notifications AWS
// publishes on its three price-list SNS topics into GitHub repository_dispatch
// events, so that a user's workflow runs when a tracked service's prices
// change.
//
// The pipeline is parse (three message kinds: the price-list-api JSON
// message, the daily aggregated plain-text message and the undocumented
// Savings Plans message) → filter (allowed topics and offer codes) → dedup
// (MessageId and offer+version, because SNS redelivers) → dispatch (GitHub
// REST API through package githubapi, with retries that honour rate-limit
// headers). The client_payload is package dispatch's Payload.
//
// Failure semantics are chosen for Lambda's asynchronous invocation model:
// a message that cannot be understood is logged and dropped, because retrying
// it can only fail again; GitHub outages and rate limits are retried within
// the invocation and then returned as errors so that Lambda's own retries and
// the dead-letter queue take over; configuration errors (bad token, wrong
// repository) also fail the invocation, with a message that names the fix, so
// the events wait in the dead-letter queue until the user has fixed it.
//
// Two entry points exist: [Handler.HandleEvent] for the usual SNS → Lambda
// subscription (it takes the raw event, so that an event that is not an SNS
// event is logged and dropped rather than failing the invocation; main
// hands the Handler itself to the Lambda runtime, whose [Handler.Invoke]
// passes the bytes on untouched), and
// [Handler.HandleFunctionURL] (or [Handler.ServeHTTP]) for users who
// subscribe an HTTPS endpoint, where SNS signatures must be verified by the
// relay itself (signature, SNS certificate host, a freshness window on the
// signed Timestamp) and where each request is answered within a short time
// budget so that SNS's own delivery retries take over.
//
// Every value sent in a dispatch's client_payload has the shape AWS uses
// for it (see checkShape): a workflow may expand it in a shell.
//
// Every line logged is JSON through log/slog, including what aws-lambda-go
// (standard log package) and the AWS SDK log: see [RedirectStandardLog].
package relay

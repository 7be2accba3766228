package slack

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// APIError is an answer from Slack that refused the message. Answer is
// Slack's own word for the problem ("no_service", "channel_not_found", …)
// and Fix says what the user can do about it.
type APIError struct {
	// Method is "webhook", "chat.postMessage" or "conversations.history".
	Method string
	// Status is the HTTP status; chat.postMessage reports its errors with
	// 200 and "ok": false.
	Status int
	Answer string
	Fix    string
	// RetryAfter is how long Slack asked to wait, for 429 answers.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	answer := e.Answer
	if answer == "" {
		answer = `"ok": false without an error code`
	} else {
		answer = fmt.Sprintf("%q", answer)
	}
	return fmt.Sprintf("slack %s: Slack answered %s (HTTP %d): %s", e.Method, answer, e.Status, e.Fix)
}

// RateLimited reports whether Slack answered 429.
func (e *APIError) RateLimited() bool { return e.Status == 429 }

const (
	methodWebhook = "webhook"
	methodPost    = "chat.postMessage"
)

const fixBug = "the message broke a Slack rule; this is a bug in pricechecker: run notify with --dry-run and report the JSON"

const fixToken = "check the bot token (xoxb-…): it is missing, mistyped, revoked or belongs to another workspace; reinstall the Slack app if needed and update the secret"

// fixes maps Slack's error codes to what the user should do. Webhook and
// bot answers share most codes; webhookFixes overrides where the remedy
// differs because a webhook is bound to its channel.
var fixes = map[string]string{
	"invalid_payload":                   fixBug,
	"no_text":                           fixBug,
	"too_many_attachments":              fixBug,
	"invalid_blocks":                    fixBug,
	"invalid_blocks_format":             fixBug,
	"msg_too_long":                      fixBug,
	"invalid_arguments":                 fixBug,
	"no_service":                        "the webhook was revoked or the URL is wrong; create a new incoming webhook and update the secret",
	"no_team":                           "the webhook's workspace no longer exists; create a new incoming webhook",
	"team_disabled":                     "the Slack workspace is disabled; create a webhook or token in an active workspace",
	"channel_not_found":                 "invite the bot to the channel (/invite @your-app) or check the channel ID (C…, from the channel's details)",
	"not_in_channel":                    "invite the bot to the channel (/invite @your-app), or give the app the chat:write.public scope",
	"channel_is_archived":               "the channel is archived; unarchive it or choose another channel",
	"is_archived":                       "the channel is archived; unarchive it or choose another channel",
	"invalid_token":                     fixToken,
	"invalid_auth":                      fixToken,
	"not_authed":                        fixToken,
	"token_revoked":                     fixToken,
	"token_expired":                     fixToken,
	"account_inactive":                  fixToken,
	"not_allowed_token_type":            "use a bot token (xoxb-…), not an app-level or user token",
	"missing_scope":                     "add the chat:write scope to the Slack app and reinstall it to the workspace",
	"action_prohibited":                 "a workspace admin restricted posting here; ask an admin or choose another channel",
	"posting_to_general_channel_denied": "only admins may post in this channel; choose another channel",
	"restricted_action":                 "a workspace admin restricted posting here; ask an admin or choose another channel",
	"user_not_found":                    "the user who created the webhook left the workspace; create a new incoming webhook",
	"ratelimited":                       "Slack kept rate-limiting the message; re-run the job in a few minutes",
	"rate_limited":                      "Slack kept rate-limiting the message; re-run the job in a few minutes",
	"service_unavailable":               "Slack is having trouble; re-run the job later (see https://slack-status.com)",
	"fatal_error":                       "Slack is having trouble; re-run the job later (see https://slack-status.com)",
	"internal_error":                    "Slack is having trouble; re-run the job later (see https://slack-status.com)",
}

var webhookFixes = map[string]string{
	"channel_not_found": "the webhook's channel was deleted; create a new incoming webhook for an existing channel",
	"invalid_token":     "the webhook was revoked or the URL is wrong; create a new incoming webhook and update the secret",
	"not_in_channel":    "the webhook's app was removed from the channel; create a new incoming webhook",
}

// historyFixes override fixes for conversations.history, which needs a
// scope of its own.
var historyFixes = map[string]string{
	"missing_scope":     "add the channels:history scope (groups:history for a private channel) to the Slack app and reinstall it to the workspace",
	"channel_not_found": "invite the bot to the channel (/invite @your-app) or check the channel ID (C…, from the channel's details)",
	"not_in_channel":    "invite the bot to the channel (/invite @your-app): reading its history needs membership",
}

// fixFor says what to do about Slack's answer.
func fixFor(method, answer string, status int) string {
	if method == methodHistory || method == methodReplies {
		if f, ok := historyFixes[answer]; ok {
			return f
		}
	}
	if method == methodWebhook {
		if f, ok := webhookFixes[answer]; ok {
			return f
		}
	}
	if f, ok := fixes[answer]; ok {
		return f
	}
	switch {
	case answer == "" && method == methodPost:
		return "Slack refused the message without saying why; check the channel ID and the bot token, then try again"
	case status >= 500:
		return "Slack is having trouble; re-run the job later (see https://slack-status.com)"
	case method == methodWebhook:
		return "see https://api.slack.com/messaging/webhooks#handling_errors"
	}
	return "see https://api.slack.com/methods/chat.postMessage#errors"
}

func newAPIError(method string, status int, answer string) *APIError {
	return &APIError{Method: method, Status: status, Answer: answer, Fix: fixFor(method, answer, status)}
}

const redacted = "[redacted]"

// Redact replaces every secret in s with "[redacted]". Longer secrets are
// replaced first so that a token inside a URL does not leave the URL's rest.
func Redact(s string, secrets ...string) string {
	sorted := make([]string, 0, len(secrets))
	for _, sec := range secrets {
		if sec != "" {
			sorted = append(sorted, sec)
		}
	}
	// Longest first: the webhook URL before its path before its last part.
	slices.SortFunc(sorted, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, sec := range sorted {
		s = strings.ReplaceAll(s, sec, redacted)
	}
	return s
}

// redactedError carries an error whose message has had the secrets
// removed. It unwraps to the cleaned chain so that errors.As still finds an
// *APIError and errors.Is still finds context.Canceled.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr removes the secrets from err's message.
func redactErr(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	return &redactedError{msg: Redact(err.Error(), secrets...), err: err}
}

// stripURL drops the URL from a *url.Error: net/http puts the whole request
// URL in its errors, and a webhook's URL is its secret.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, redacted, ue.Err)
	}
	return err
}

// Package slack owns the Slack notification sent when the pricechecker
// workflow completes: which AWS price lists changed and by how much, or which
// job failed.
//
// The package has two parts, which Publisher (notify's Slack destination,
// see internal/publish) strings together:
//
//   - BuildMessage turns a publish.Outcome (status, failed jobs, the merged
//     change report, links) into a Block Kit Message. It is pure and
//     deterministic, and it keeps every message inside Slack's limits (50
//     blocks, 3,000 characters per section, 150 per header, about 40,000 in
//     all) by cutting long lists with "…and N more" instead of letting Slack
//     reject the message. RenderJSON gives the exact webhook payload, for
//     --dry-run.
//   - Sender posts a Message through an incoming webhook (the default) or a
//     bot token and channel (chat.postMessage). It waits out 429 answers as
//     Slack asks, turns Slack's error codes into errors that say what to fix,
//     and never lets the webhook URL or the token into an error message.
//
// slack-go (github.com/slack-go/slack) provides the Block Kit types and the
// chat.postMessage client. Webhooks are posted with net/http because
// slack-go drops the body of a failed webhook call, and that body
// ("no_service", "invalid_payload", …) is the only explanation Slack gives.
package slack

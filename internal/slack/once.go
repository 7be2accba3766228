package slack

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goslack "github.com/slack-go/slack"
)

// A publication is one report published for one run: notify derives its
// id from the merged report and the run's identity (see PublicationID), so
// that a re-run of the same notification (GitHub's "re-run failed jobs", on
// a fresh runner with no local state) can recognise what an earlier
// attempt already posted. The id travels with the message, in its metadata
// (event type PublicationEventType) and in its context block, and a bot
// token reads the channel's recent history (conversations.history) for it
// before posting.
//
// An incoming webhook can post but not read its channel, so a webhook
// cannot tell: SendOnce then posts and says it could not check.
const (
	PublicationEventType = "pricechecker_publication"
	publicationKey       = "publication_id"
	// publicationMarker precedes the id in the context block.
	publicationMarker = "publication "

	// DefaultHistoryWindow covers GitHub's re-runs, allowed for 30 days.
	DefaultHistoryWindow = 31 * 24 * time.Hour
	// DefaultMaxHistoryPages bounds the history read: 20 pages of 200
	// messages (Slack's recommended page size) at Tier 3's ~50 calls a
	// minute.
	DefaultMaxHistoryPages = 20
	historyPageSize        = 200
)

const methodHistory = "conversations.history"

func publicationMetadata(id string) goslack.SlackMetadata {
	return goslack.SlackMetadata{EventType: PublicationEventType, EventPayload: map[string]any{publicationKey: id}}
}

// SendResult says what SendOnce did.
type SendResult struct {
	// Posted is true when the message was posted now.
	Posted bool
	// AlreadyPosted is the ts of the earlier message of the same
	// publication found in the channel; the message was not posted again.
	AlreadyPosted string
	// TS is the ts of the message posted now, or of the earlier one found
	// (AlreadyPosted); "" when a webhook posted it, as a webhook's answer
	// has none.
	TS string
	// Unchecked says why the channel could not be checked for an earlier
	// post (a webhook, a token without the history scope, a history
	// longer than the pages read); "" when it was checked.
	Unchecked string
}

// SendOnce posts m unless the channel already holds a message of the same
// publication (m.PublicationID). Without a PublicationID it is Send.
//
// When the check itself fails (Slack down, rate-limited past MaxWait) the
// message is not posted and the error is returned: a re-run can post it,
// while a guess could post it twice.
func (s *Sender) SendOnce(ctx context.Context, m Message) (SendResult, error) {
	var res SendResult
	switch {
	case m.PublicationID == "":
		res.Unchecked = "the message has no publication id"
	case s.find == nil:
		res.Unchecked = "an incoming webhook cannot read its channel, so a re-run cannot tell whether this report was posted already; use a bot token (SLACK_BOT_TOKEN with chat:write and channels:history) to post each report once"
	default:
		// Each page is retried on its own: a 429 in the middle of a long
		// history must not start the read over.
		ts, err := s.find(ctx, m.PublicationID, func(call func() error) error { return s.retry(ctx, call) })
		var unchecked uncheckedError
		switch {
		case errors.As(err, &unchecked):
			res.Unchecked = unchecked.why
		case err != nil:
			return res, fmt.Errorf("%w (the message was not posted, so that it is not posted twice)", err)
		case ts != "":
			res.AlreadyPosted, res.TS = ts, ts
			return res, nil
		}
	}
	ts, err := s.SendTS(ctx, m)
	if err != nil {
		return res, err
	}
	res.Posted, res.TS = true, ts
	return res, nil
}

// uncheckedError is a history read that cannot be done, as opposed to one
// that failed: posting without the check is the best left.
type uncheckedError struct{ why string }

func (e uncheckedError) Error() string { return e.why }

// find returns the ts of a message of the channel, posted within the
// window, that carries the publication id; "" when there is none.
func (b *bot) find(ctx context.Context, id string, retry func(call func() error) error) (string, error) {
	oldest := time.Now().Add(-b.window)
	params := &goslack.GetConversationHistoryParameters{
		ChannelID:          b.channel,
		Limit:              historyPageSize,
		Oldest:             strconv.FormatInt(oldest.Unix(), 10) + ".000000",
		IncludeAllMetadata: true,
	}
	read := 0
	for page := 1; ; page++ {
		var resp *goslack.GetConversationHistoryResponse
		err := retry(func() error {
			rec := &okRecorder{client: b.client}
			api := goslack.New(b.token, goslack.OptionAPIURL(b.apiURL), goslack.OptionHTTPClient(rec))
			var err error
			resp, err = api.GetConversationHistoryContext(ctx, params)
			return apiErr(methodHistory, err, rec)
		})
		if err != nil {
			var aerr *APIError
			// A bot posting with chat:write only, or to a channel it has
			// not joined (chat:write.public), can post but not read: post
			// as before, and say what would make re-runs safe.
			if errors.As(err, &aerr) && (aerr.Answer == "missing_scope" || aerr.Answer == "not_in_channel") {
				return "", uncheckedError{"the bot cannot read the channel's history (" + aerr.Fix + "), so a re-run cannot tell whether this report was posted already"}
			}
			return "", err
		}
		read += len(resp.Messages)
		for _, msg := range resp.Messages {
			if carries(msg, id) {
				return msg.Timestamp, nil
			}
		}
		next := resp.ResponseMetaData.NextCursor
		if !resp.HasMore || next == "" {
			return "", nil
		}
		if page >= b.maxPages {
			return "", uncheckedError{fmt.Sprintf("the channel has more than %d messages since %s; only the latest were checked for an earlier post of this report", read, oldest.UTC().Format(time.DateOnly))}
		}
		params.Cursor = next
	}
}

// carries reports whether msg belongs to publication id: by its metadata,
// or by the id in its context block (when metadata was dropped on the way).
func carries(msg goslack.Message, id string) bool {
	if msg.Metadata.EventType == PublicationEventType {
		if v, ok := msg.Metadata.EventPayload[publicationKey].(string); ok && v == id {
			return true
		}
	}
	for _, b := range msg.Blocks.BlockSet {
		cb, ok := b.(*goslack.ContextBlock)
		if !ok {
			continue
		}
		for _, e := range cb.ContextElements.Elements {
			if t, ok := e.(*goslack.TextBlockObject); ok && strings.Contains(t.Text, publicationMarker+"`"+id+"`") {
				return true
			}
		}
	}
	return false
}

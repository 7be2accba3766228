package slack

import (
	"context"
	"fmt"
	"strconv"

	goslack "github.com/slack-go/slack"
)

// A reply of a summary's thread (--slack-thread) is marked as the summary
// is, so that a re-run can tell which replies an earlier attempt posted:
// message metadata of event type ThreadReplyEventType with the publication
// id and the reply's number (1, 2, …), and the same in a context block,
// for when metadata was dropped on the way. A re-run that finds the
// summary reads its thread (conversations.replies) and posts only the
// replies that are missing.
const (
	ThreadReplyEventType = "pricechecker_thread_reply"
	replyKey             = "reply"
	methodReplies        = "conversations.replies"
	// repliesPageSize is the page of conversations.replies asked for;
	// DefaultMaxHistoryPages bounds the pages read, far more than the
	// maxThreadReplies replies a thread of pricechecker's has.
	repliesPageSize = 200
)

func replyMetadata(id string, n int) goslack.SlackMetadata {
	return goslack.SlackMetadata{EventType: ThreadReplyEventType, EventPayload: map[string]any{publicationKey: id, replyKey: n}}
}

// replyContext is the context element that marks reply n of publication
// id. It does not contain the summary's marker ("publication `id`"), so a
// reply is never taken for the summary.
func replyContext(id string, n int) string {
	return fmt.Sprintf("reply %d · thread of `%s`", n, id)
}

// markReply makes m reply n (from 1) of publication id in the thread ts.
func markReply(m Message, id string, n int, ts string) Message {
	m.ThreadTS, m.PublicationID, m.Reply = ts, id, n
	if id != "" {
		m.Blocks = append(append([]goslack.Block(nil), m.Blocks...), goslack.NewContextBlock("reply",
			goslack.NewTextBlockObject(goslack.MarkdownType, replyContext(id, n), false, false)))
	}
	return m
}

// replyNumber returns which reply of publication id msg is, 0 when it is
// none (the parent, a person's answer, another publication's reply).
func replyNumber(msg goslack.Message, id string) int {
	if msg.Metadata.EventType == ThreadReplyEventType {
		if v, ok := msg.Metadata.EventPayload[publicationKey].(string); ok && v == id {
			switch n := msg.Metadata.EventPayload[replyKey].(type) {
			case float64:
				return int(n)
			case string:
				k, _ := strconv.Atoi(n)
				return k
			}
		}
	}
	for _, b := range msg.Blocks.BlockSet {
		cb, ok := b.(*goslack.ContextBlock)
		if !ok {
			continue
		}
		for _, e := range cb.ContextElements.Elements {
			t, ok := e.(*goslack.TextBlockObject)
			if !ok {
				continue
			}
			var n int
			var got string
			if _, err := fmt.Sscanf(t.Text, "reply %d · thread of %s", &n, &got); err == nil && got == "`"+id+"`" {
				return n
			}
		}
	}
	return 0
}

// PostThread posts replies in the thread of the summary message ts, each
// marked as reply 1, 2, … of publication id. With resume (the summary was
// found already posted by an earlier attempt) it first reads the thread
// and posts only the replies that are missing; it returns how many it
// posted. A webhook cannot read a thread: resume then posts nothing.
func (s *Sender) PostThread(ctx context.Context, ts, id string, replies []Message, resume bool) (posted int, err error) {
	have := map[int]bool{}
	if resume {
		if s.replies == nil || id == "" {
			return 0, nil
		}
		msgs, err := s.replies(ctx, ts, func(call func() error) error { return s.retry(ctx, call) })
		if err != nil {
			return 0, fmt.Errorf("read the thread of the summary (message %s) for the replies an earlier attempt posted: %w", ts, err)
		}
		for _, m := range msgs {
			if n := replyNumber(m, id); n > 0 {
				have[n] = true
			}
		}
	}
	for i, reply := range replies {
		n := i + 1
		if have[n] {
			continue
		}
		if err := s.Send(ctx, markReply(reply, id, n, ts)); err != nil {
			return posted, fmt.Errorf("the summary was posted (message %s), but reply %d of %d of its thread was not (a re-run posts the missing replies): %w", ts, n, len(replies), err)
		}
		posted++
	}
	return posted, nil
}

// thread reads every message of the thread ts (the parent included), page
// by page, each page called through retry.
func (b *bot) thread(ctx context.Context, ts string, retry func(call func() error) error) ([]goslack.Message, error) {
	params := &goslack.GetConversationRepliesParameters{
		ChannelID: b.channel, Timestamp: ts, Limit: repliesPageSize, IncludeAllMetadata: true,
	}
	var all []goslack.Message
	for page := 1; ; page++ {
		var (
			msgs    []goslack.Message
			hasMore bool
			next    string
		)
		err := retry(func() error {
			rec := &okRecorder{client: b.client}
			api := goslack.New(b.token, goslack.OptionAPIURL(b.apiURL), goslack.OptionHTTPClient(rec))
			var err error
			msgs, hasMore, next, err = api.GetConversationRepliesContext(ctx, params)
			return apiErr(methodReplies, err, rec)
		})
		if err != nil {
			return nil, err
		}
		all = append(all, msgs...)
		if !hasMore || next == "" {
			return all, nil
		}
		if page >= b.maxPages {
			return nil, fmt.Errorf("slack %s: the thread has more than %d pages of replies; not reading further", methodReplies, b.maxPages)
		}
		params.Cursor = next
	}
}

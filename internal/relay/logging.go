package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"strings"

	"github.com/pricechecker/pricechecker/internal/githubapi"

	"github.com/aws/smithy-go/logging"
)

// Every line the relay writes is a JSON object (log/slog), so that
// CloudWatch Logs Insights can query them. Two libraries log on their own:
// aws-lambda-go prints each failed invocation with the standard log package,
// and the AWS SDK prints warnings (such as an IMDSv1 fallback) with its own
// logger. Both are routed through slog here.

// NewLogger returns the relay's logger: JSON lines on w.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// RedirectStandardLog sends the standard log package's output through l.
// main calls it once, before the Lambda runtime starts.
func RedirectStandardLog(l *slog.Logger) {
	log.SetFlags(0)
	log.SetPrefix("")
	log.SetOutput(stdLogWriter{l})
}

// stdLogWriter turns one standard-log line into one slog record. The
// runtime's failed-invocation line is itself JSON ({"errorMessage",
// "errorType"}): it becomes an error record with those fields; anything
// else is a warning (the runtime's other messages are warnings).
type stdLogWriter struct{ log *slog.Logger }

func (w stdLogWriter) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\r\n")
	var inv struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal([]byte(line), &inv) == nil && inv.ErrorMessage != "" {
		w.log.Error("invocation failed", "source", "aws-lambda-go", "errorType", inv.ErrorType, "error", inv.ErrorMessage)
	} else {
		w.log.Warn(line, "source", "log")
	}
	return len(p), nil
}

// sdkLogger is the AWS SDK's logger (aws.Config.Logger), writing through l.
func sdkLogger(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		level := slog.LevelInfo
		switch c {
		case logging.Warn:
			level = slog.LevelWarn
		case logging.Debug:
			level = slog.LevelDebug
		}
		l.Log(context.Background(), level, fmt.Sprintf(format, v...), "source", "aws-sdk")
	})
}

// WithLogger attaches l to ctx, so that what the dispatcher logs while it
// retries carries the message's and offer's fields.
func WithLogger(ctx context.Context, l *slog.Logger) context.Context {
	return githubapi.WithLogger(ctx, l)
}

func loggerFrom(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	return githubapi.LoggerFrom(ctx, fallback)
}

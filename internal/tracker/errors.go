package tracker

// UsageError marks an error in what the user asked for (a flag, an input,
// the configuration, a revision that does not exist): the command line
// exits with its usage code rather than as a failed run.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }
func (e UsageError) Unwrap() error { return e.Err }

package offerfile

import (
	"fmt"
	"io"
)

// Caps on what one piece of an offer file may be. Both decoders buffer the
// piece they are reading (jsontext a token and the whitespace before it,
// encoding/csv a whole record), so without caps a body of junk (2 GB of
// whitespace, one 1.5 GB line) is held in memory whole, several times over.
// The longest value in real AWS files is a description of a few hundred
// bytes and the longest CSV row under 2 KB, so the caps are a thousand
// times what AWS writes while keeping peak memory far under 100 MiB.
const (
	// maxJSONToken caps a JSON token (a string, key or number) together
	// with the whitespace before it. jsontext holds at most the previous
	// token and this much, so the decoder stays within a few MiB.
	maxJSONToken = 1 << 20
	// maxCSVRecord caps a CSV record, every field of it, and a run of
	// blank lines before it. encoding/csv keeps about 40 bytes of
	// bookkeeping per field besides the bytes, so a record of 256 KiB of
	// commas costs it about 30 MiB: the record cap is also what bounds the
	// number of fields it parses.
	maxCSVRecord = 256 << 10
	// maxCSVFields caps the fields of a record once parsed (AWS's widest
	// files have about a hundred columns), so that the header's columns
	// are not all indexed.
	maxCSVFields = 4096
	// maxAttributeNames caps the distinct attribute names of a file (EC2
	// has about 80): each is cached once, so a file of ever new names
	// would grow the cache without end.
	maxAttributeNames = 10000
	// maxDimensions caps the price dimensions of one term, held until the
	// term's attributes arrive (AWS's most tiered prices have about ten).
	maxDimensions = 10000
	// maxSavingsPlanProducts caps the products of a Savings Plans file,
	// all held until the plans arrive (AWS has one per plan, a dozen).
	maxSavingsPlanProducts = 100000
)

// boundedReader passes its reader's bytes on to a decoder while the
// decoder keeps up: it never lets more than limit bytes be read past the
// decoder's mark, the end of the last token (JSON) or record (CSV) it
// finished. A decoder that asks for more is buffering one piece longer than
// the limit, and gets a *pieceTooLongError instead. Reads are only
// shortened near the limit, so a real file reads exactly as before.
type boundedReader struct {
	r     io.Reader
	limit int64
	// mark is the consumer's progress, set by the CSV decoder after each
	// record; progress, when set, is asked at every read instead.
	mark     int64
	progress func() int64
	n        int64 // bytes passed on
	err      error // the cap that was hit; every later read returns it
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.progress != nil {
		b.mark = b.progress()
	}
	room := b.mark + b.limit - b.n
	if room <= 0 {
		b.err = &pieceTooLongError{offset: b.mark, limit: b.limit}
		return 0, b.err
	}
	if int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	return n, err
}

// pieceTooLongError is a token or record over its cap. The decoders label
// it with what the piece is and where.
type pieceTooLongError struct {
	offset int64 // where the piece starts
	limit  int64
}

func (e *pieceTooLongError) Error() string {
	return fmt.Sprintf("more than %s without an end, from byte %d", sizeName(e.limit), e.offset)
}

func sizeName(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

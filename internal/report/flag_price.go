package report

// FlagInvalidPrice marks a line whose price is not a plain decimal. Offer
// files with such prices are refused before they become snapshots; a diff
// that still meets one (a snapshot edited by hand, or written by an older
// pricechecker) says so instead of leaving the change silently without a
// percentage.
const FlagInvalidPrice = "invalid_price"
